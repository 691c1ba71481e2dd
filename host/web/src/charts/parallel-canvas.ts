// Draws a ParallelModel on a canvas. Lines are grouped into colour buckets and each bucket is
// stroked as one path, worst first, so 10,000 trials draw in a few dozen canvas calls.
import { formatNumber } from '../trials-logic';
import type { ParallelModel } from './parallel-model';

const BUCKETS = 24;
// Viridis-like ramp, dark purple (worst) to yellow (best): readable on light and dark.
const RAMP = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
] as const;

export function rampColor(t: number, alpha = 1): string {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const c = RAMP[i].map((v, k) => Math.round(v + (RAMP[i + 1][k] - v) * f));
  return `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

export interface ParallelColors {
  axis: string;
  text: string;
  highlight: string;
}

export function drawParallel(
  canvas: HTMLCanvasElement,
  model: ParallelModel,
  colors: ParallelColors,
  highlighted: ReadonlySet<string>,
): number {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return 0;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const { axes, lines } = model;
  if (axes.length === 0) return 0;

  const left = 50;
  const right = 60;
  const top = 34;
  const bottom = 22;
  const plotHeight = height - top - bottom;
  const step = axes.length > 1 ? (width - left - right) / (axes.length - 1) : 0;
  const xs = axes.map((_, i) => left + i * step);
  const y = (p: number) => top + (1 - p) * plotHeight;

  const alpha = lines.length > 2000 ? 0.25 : lines.length > 200 ? 0.5 : 0.85;
  const buckets: number[][] = Array.from({ length: BUCKETS }, () => []);
  lines.forEach((line, i) => {
    buckets[Math.min(BUCKETS - 1, Math.floor(line.goodness * BUCKETS))].push(i);
  });
  const trace = (positions: (number | null)[]) => {
    let pen = false;
    positions.forEach((p, a) => {
      if (p === null) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(xs[a], y(p));
      else ctx.moveTo(xs[a], y(p));
      pen = true;
    });
  };
  ctx.lineWidth = 1;
  buckets.forEach((members, b) => {
    if (members.length === 0) return;
    ctx.strokeStyle = rampColor((b + 0.5) / BUCKETS, alpha);
    ctx.beginPath();
    for (const i of members) trace(lines[i].positions);
    ctx.stroke();
  });
  if (highlighted.size > 0) {
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = colors.highlight;
    ctx.beginPath();
    for (const line of lines) if (highlighted.has(line.id)) trace(line.positions);
    ctx.stroke();
  }

  ctx.strokeStyle = colors.axis;
  ctx.fillStyle = colors.text;
  ctx.lineWidth = 1;
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  axes.forEach((axis, a) => {
    ctx.beginPath();
    ctx.moveTo(xs[a], top);
    ctx.lineTo(xs[a], top + plotHeight);
    ctx.stroke();
    ctx.fillText(axis.label + (axis.kind === 'log' ? ' (log)' : ''), xs[a], 14);
    if (axis.kind === 'category') {
      const every = Math.max(1, Math.ceil(axis.categories.length / Math.max(1, plotHeight / 16)));
      axis.categories.forEach((label, i) => {
        if (i % every !== 0) return;
        const p = axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
        ctx.fillText(label.length > 12 ? `${label.slice(0, 11)}…` : label, xs[a], y(p) - 3);
      });
    } else {
      ctx.fillText(formatNumber(axis.max), xs[a], top - 4);
      ctx.fillText(formatNumber(axis.min), xs[a], top + plotHeight + 14);
    }
  });
  return lines.length;
}
