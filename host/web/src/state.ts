// The portal's client-side state and the pure functions that apply snapshots and stream
// events to it. Events may repeat or arrive out of order around a (re)connect, so applying
// one is idempotent and never moves a trial back in its life.
import { isEnded, type MetricPoint, type Overview, type Trial } from './types';

export type StreamState = 'connecting' | 'live' | 'down';

export interface PortalState {
  overview: Overview | null;
  /** Ordered by sequenceId. */
  trials: Trial[];
  /**
   * While the first snapshot of a big experiment loads: its first trials and how many there
   * are, so the table paints its first page before the whole list arrives. Null otherwise.
   */
  trialsPreview: { trials: Trial[]; total: number } | null;
  /** Curves of the trials being compared, by trial id, ordered by (type, sequence). */
  metrics: Map<string, MetricPoint[]>;
  stream: StreamState;
  /** Why the last snapshot or stream failed, shown to the user. */
  error: string | null;
}

export function initialState(): PortalState {
  return {
    overview: null,
    trials: [],
    trialsPreview: null,
    metrics: new Map(),
    stream: 'connecting',
    error: null,
  };
}

function lifeStage(trial: Trial): number {
  if (isEnded(trial.status)) return 2;
  return trial.status === 'RUNNING' ? 1 : 0;
}

/** True when `incoming` is older than what we hold: an earlier attempt, or an earlier stage. */
export function isStale(current: Trial, incoming: Trial): boolean {
  if (incoming.attempt !== current.attempt) return incoming.attempt < current.attempt;
  return lifeStage(incoming) < lifeStage(current);
}

function insertionIndex(trials: readonly Trial[], sequenceId: number): number {
  let low = 0;
  let high = trials.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (trials[mid].sequenceId < sequenceId) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Trials with `trial` replacing the one with its id (or inserted in sequence order). */
export function applyTrial(trials: readonly Trial[], trial: Trial): Trial[] {
  const at = insertionIndex(trials, trial.sequenceId);
  // Same sequenceId normally means same trial; search around it in case ids were reused.
  let existing = -1;
  for (let i = at; i < trials.length && trials[i].sequenceId === trial.sequenceId; i++) {
    if (trials[i].id === trial.id) existing = i;
  }
  if (existing < 0) existing = trials.findIndex((t) => t.id === trial.id);
  const next = trials.slice();
  if (existing >= 0) {
    if (isStale(trials[existing], trial)) return trials as Trial[];
    next.splice(existing, 1);
  }
  next.splice(insertionIndex(next, trial.sequenceId), 0, trial);
  return next;
}

/** A snapshot of /trials, sorted by sequenceId whatever order it came in. */
export function trialsFromSnapshot(trials: readonly Trial[]): Trial[] {
  return trials.slice().sort((a, b) => a.sequenceId - b.sequenceId);
}

/** An `overview` event lacks config and searchSpace: keep the ones the snapshot gave. */
export function applyOverview(current: Overview | null, incoming: Overview): Overview {
  if (current === null) return incoming;
  return {
    ...incoming,
    config: incoming.config ?? current.config,
    searchSpace: incoming.searchSpace ?? current.searchSpace,
  };
}

function compareMetric(a: MetricPoint, b: MetricPoint): number {
  if (a.type !== b.type) return a.type === 'PERIODICAL' ? -1 : 1;
  return a.sequence - b.sequence;
}

/**
 * Adds a metric to the curves of a tracked trial; a repeat (same type and sequence) replaces
 * the point. Metrics of untracked trials are ignored (the plot fetches them when selected).
 */
export function applyMetric(
  metrics: ReadonlyMap<string, MetricPoint[]>,
  point: MetricPoint,
): Map<string, MetricPoint[]> {
  const points = metrics.get(point.trialId);
  if (points === undefined) return metrics as Map<string, MetricPoint[]>;
  const kept = points.filter((p) => compareMetric(p, point) !== 0);
  kept.push(point);
  kept.sort(compareMetric);
  const next = new Map(metrics);
  next.set(point.trialId, kept);
  return next;
}

/** The curves of a metric snapshot, grouped by trial; tracked trials without points get []. */
export function metricsFromSnapshot(
  tracked: readonly string[],
  points: readonly MetricPoint[],
): Map<string, MetricPoint[]> {
  const result = new Map<string, MetricPoint[]>(tracked.map((id) => [id, []]));
  for (const point of points) result.get(point.trialId)?.push(point);
  for (const list of result.values()) list.sort(compareMetric);
  return result;
}

/** A tiny observable store: the app re-renders on every change. */
export class Store {
  private value: PortalState = initialState();
  private listeners = new Set<() => void>();

  get state(): PortalState {
    return this.value;
  }

  update(change: (state: PortalState) => Partial<PortalState>): void {
    const patch = change(this.value);
    this.value = { ...this.value, ...patch };
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
