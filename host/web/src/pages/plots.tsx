// Plots: best so far over time, final metric per trial, curves of the compared trials and
// hyperparameter parallel coordinates coloured by the final metric.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { bestSoFar } from '../best';
import { drawParallel } from '../charts/parallel-canvas';
import { parallelModel } from '../charts/parallel-model';
import { UPlotChart } from '../charts/uplot-chart';
import { useThrottled, useTheme } from '../hooks';
import type { LiveConnection } from '../live';
import { trialHref } from '../route';
import { selectedTrials, setSelectedTrials } from '../selection';
import type { PortalState } from '../state';
import { cssVar } from '../theme';
import { parameterKeys } from '../trials-logic';
import type { MetricPoint, OptimizeMode, Trial } from '../types';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** uPlot's automatic range spans years around a single time point: widen it a little instead. */
function padSingle(pad: number): uPlot.Scale.Range {
  return (_u, min, max) => (min === max ? [min - pad, max + pad] : [min, max]);
}

function axes(xLabel: string, yLabel: string): uPlot.Axis[] {
  const stroke = cssVar('--fg');
  const grid = { stroke: cssVar('--grid'), width: 1 };
  return [
    { stroke, grid, ticks: grid, label: xLabel },
    { stroke, grid, ticks: grid, label: yLabel, size: 60 },
  ];
}

function BestSoFarChart({ trials, mode }: { trials: Trial[]; mode: OptimizeMode }) {
  const best = useMemo(() => bestSoFar(trials, mode), [trials, mode]);
  const data = useMemo<uPlot.AlignedData>(() => [best.times, best.values], [best]);
  return (
    <UPlotChart testId="plot-best" shape="best" height={260} points={best.times.length}
      label={`Best final metric so far: ${best.times.length} improvements`}
      data={data}
      options={() => ({
        scales: { x: { time: true, range: padSingle(60) } },
        axes: axes('time', 'best'),
        series: [
          {},
          { label: 'best so far', stroke: cssVar('--accent'), width: 2,
            paths: uPlot.paths.stepped!({ align: 1 }), points: { show: true, size: 5 } },
        ],
      })} />
  );
}

function FinalMetricChart({ trials }: { trials: Trial[] }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const scored = trials.filter((t) => typeof t.finalMetric === 'number');
    return [scored.map((t) => t.sequenceId), scored.map((t) => t.finalMetric as number)];
  }, [trials]);
  return (
    <UPlotChart testId="plot-final" shape="final" height={260} points={data[0].length}
      label={`Final metric of ${data[0].length} trials by trial number`}
      data={data}
      options={() => ({
        scales: { x: { time: false, range: padSingle(1) } },
        axes: axes('trial #', 'final metric'),
        cursor: { points: { size: 8 } },
        series: [
          { label: 'trial #' },
          { label: 'final metric', stroke: cssVar('--accent'), paths: () => null,
            points: { show: true, size: 4, space: 0, fill: cssVar('--accent') } },
        ],
      })} />
  );
}

function CurvesChart({ ids, metrics }: { ids: string[]; metrics: Map<string, MetricPoint[]> }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const sequences = new Set<number>();
    const byTrial = ids.map((id) => {
      const points = (metrics.get(id) ?? []).filter((p) => p.type === 'PERIODICAL');
      for (const p of points) sequences.add(p.sequence);
      return new Map(points.map((p) => [p.sequence, p.value]));
    });
    const xs = [...sequences].sort((a, b) => a - b);
    return [xs, ...byTrial.map((m) => xs.map((x) => m.get(x) ?? null))];
  }, [ids, metrics]);
  const points = data
    .slice(1)
    .reduce((n, s) => n + Array.from(s as ArrayLike<number | null>).filter((v) => v !== null).length, 0);
  return (
    <UPlotChart testId="plot-curves" shape={`curves:${ids.join(',')}`} height={260} points={points}
      label={`Intermediate results of ${ids.length} compared trials`}
      data={data}
      options={() => ({
        scales: { x: { time: false } },
        axes: axes('step', 'intermediate'),
        series: [
          { label: 'step' },
          ...ids.map((id, i) => ({
            label: id, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true,
            points: { show: true, size: 4 },
          })),
        ],
      })} />
  );
}

function ParallelChart(props: { trials: Trial[]; searchSpace: unknown; mode: OptimizeMode; highlighted: ReadonlySet<string> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useTheme();
  const [drawn, setDrawn] = useState<{ lines: number; ms: number } | null>(null);
  const model = useMemo(
    () => parallelModel(props.trials, parameterKeys(props.trials), props.searchSpace, props.mode),
    [props.trials, props.searchSpace, props.mode],
  );
  useLayoutEffect(() => {
    const el = canvas.current!;
    const draw = () => {
      const started = performance.now();
      const lines = drawParallel(el, model, {
        axis: cssVar('--fg-muted'), text: cssVar('--fg'), highlight: cssVar('--highlight'),
      }, props.highlighted);
      setDrawn({ lines, ms: performance.now() - started });
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(el);
    return () => observer.disconnect();
  }, [model, theme, props.highlighted]);
  return (
    <>
      <canvas ref={canvas} class="parallel" role="img" data-testid="plot-parallel"
        data-lines={drawn?.lines ?? ''} data-draw-ms={drawn ? drawn.ms.toFixed(1) : ''}
        aria-label={`Parallel coordinates of ${model.lines.length} trials over ${model.axes.length - 1} hyperparameters, coloured by final metric`} />
      <p class="legend muted">
        <span class="ramp" aria-hidden="true" /> worse → better final metric
        {drawn && ` · ${drawn.lines} trials, drawn in ${drawn.ms.toFixed(0)} ms`}
      </p>
    </>
  );
}

export function PlotsPage(props: { state: PortalState; live: LiveConnection; query: URLSearchParams }) {
  const { state, live } = props;
  const fromQuery = props.query.get('trials');
  const ids = useMemo(
    () => (fromQuery !== null ? fromQuery.split(',').filter((s) => s !== '') : [...selectedTrials()]),
    [fromQuery],
  );
  const [curveError, setCurveError] = useState<string | null>(null);
  useEffect(() => {
    if (fromQuery !== null) setSelectedTrials(ids);
    live.track(ids).then(() => setCurveError(null), (e: Error) => setCurveError(e.message));
  }, [ids, state.stream === 'live']);
  const highlighted = useMemo(() => new Set(ids), [ids]);
  const mode = state.overview?.optimizeMode ?? 'maximize';
  const trials = useThrottled(state.trials, 500);
  return (
    <div class="plots">
      <section class="card" aria-labelledby="h-best-plot">
        <h2 id="h-best-plot">Best so far</h2>
        <BestSoFarChart trials={trials} mode={mode} />
      </section>
      <section class="card" aria-labelledby="h-final-plot">
        <h2 id="h-final-plot">Final metric per trial</h2>
        <FinalMetricChart trials={trials} />
      </section>
      <section class="card" aria-labelledby="h-curves-plot">
        <h2 id="h-curves-plot">Intermediate results of compared trials</h2>
        {ids.length === 0 ? (
          <p class="muted">Select trials in the <a href="#/trials">trial table</a> and press “Compare selected”.</p>
        ) : (
          <>
            <p class="compared">
              {ids.map((id, i) => (
                <a key={id} href={trialHref(id)} style={{ borderColor: PALETTE[i % PALETTE.length] }}>{id}</a>
              ))}
            </p>
            {curveError && <p role="alert" class="error">{curveError}</p>}
            <CurvesChart ids={ids} metrics={state.metrics} />
          </>
        )}
      </section>
      <section class="card" aria-labelledby="h-parallel-plot">
        <h2 id="h-parallel-plot">Hyperparameters</h2>
        <ParallelChart trials={trials} searchSpace={state.overview?.searchSpace} mode={mode}
          highlighted={highlighted} />
      </section>
    </div>
  );
}
