// The data side of the parallel-coordinates plot: one axis per hyperparameter plus the final
// metric, each value mapped to 0..1 (0 = bottom). Pure, so it is unit-tested without a canvas.
import { formatParameter } from '../trials-logic';
import type { OptimizeMode, Trial } from '../types';

export interface Axis {
  key: string;
  label: string;
  kind: 'linear' | 'log' | 'category';
  min: number;
  max: number;
  /** For category axes, the values in axis order (bottom to top). */
  categories: string[];
  position: (value: unknown) => number | null;
}

export interface ParallelModel {
  axes: Axis[];
  /** Per drawn trial: its id and its position on each axis (null when it has no value). */
  lines: { id: string; positions: (number | null)[]; goodness: number }[];
}

/** Search-space types sampled on a log scale, drawn on a log axis. */
const LOG_TYPES = new Set(['loguniform', 'qloguniform']);

function searchSpaceType(searchSpace: unknown, key: string): string | null {
  const entry = (searchSpace as Record<string, { _type?: unknown }> | null | undefined)?.[key];
  return typeof entry?._type === 'string' ? entry._type : null;
}

function buildAxis(key: string, label: string, values: unknown[], spaceType: string | null): Axis {
  const present = values.filter((v) => v !== undefined && v !== null);
  const logHint = spaceType !== null && LOG_TYPES.has(spaceType);
  // A choice is a category even when its values are numbers (batch sizes 16, 32, 64...).
  if (spaceType !== 'choice' && present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const numbers = present as number[];
    let min = Infinity;
    let max = -Infinity;
    for (const n of numbers) {
      if (n < min) min = n;
      if (n > max) max = n;
    }
    const log = logHint && min > 0;
    const lo = log ? Math.log(min) : min;
    const span = (log ? Math.log(max) : max) - lo;
    return {
      key, label, kind: log ? 'log' : 'linear', min, max, categories: [],
      position: (v) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) return null;
        if (span === 0) return 0.5;
        return ((log ? Math.log(v) : v) - lo) / span;
      },
    };
  }
  const labels = [...new Set(present.map(formatParameter))];
  const numeric = labels.every((l) => l !== '' && !Number.isNaN(Number(l)));
  labels.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(labels.map((l, i) => [l, i]));
  return {
    key, label, kind: 'category', min: 0, max: labels.length - 1, categories: labels,
    position: (v) => {
      if (v === undefined || v === null) return null;
      const i = index.get(formatParameter(v));
      if (i === undefined) return null;
      return labels.length === 1 ? 0.5 : i / (labels.length - 1);
    },
  };
}

/** Trials with a final metric, one line each; goodness is 0 (worst) .. 1 (best). */
export function parallelModel(
  trials: readonly Trial[],
  paramKeys: readonly string[],
  searchSpace: unknown,
  mode: OptimizeMode,
): ParallelModel {
  const scored = trials.filter((t) => typeof t.finalMetric === 'number' && Number.isFinite(t.finalMetric));
  const axes = paramKeys.map((key) =>
    buildAxis(key, key, scored.map((t) => t.parameters?.[key]), searchSpaceType(searchSpace, key)),
  );
  const metricAxis = buildAxis('finalMetric', 'final metric', scored.map((t) => t.finalMetric), null);
  axes.push(metricAxis);
  const lines = scored.map((t) => {
    const positions = axes.map((axis) =>
      axis === metricAxis ? axis.position(t.finalMetric) : axis.position(t.parameters?.[axis.key]),
    );
    const m = positions[positions.length - 1] ?? 0.5;
    return { id: t.id, positions, goodness: mode === 'maximize' ? m : 1 - m };
  });
  return { axes, lines };
}
