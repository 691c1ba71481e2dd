// Best final metric so far, over the time trials ended: the overview's best and the plot's line.
import type { OptimizeMode, Trial } from './types';

export function isBetter(candidate: number, current: number, mode: OptimizeMode): boolean {
  return mode === 'maximize' ? candidate > current : candidate < current;
}

export interface BestSoFar {
  /** Unix seconds when each improvement happened (the trial's end, else its submission). */
  times: number[];
  values: number[];
  trialIds: string[];
}

/**
 * One point per improvement, in time order. Trials without a final metric are skipped; a
 * trial with a metric but no end time (still running) counts from its start or submission.
 */
export function bestSoFar(trials: readonly Trial[], mode: OptimizeMode): BestSoFar {
  const finished = trials
    .filter((t) => typeof t.finalMetric === 'number' && Number.isFinite(t.finalMetric))
    .map((t) => ({ t, time: t.endTime ?? t.startTime ?? t.submitTime ?? 0 }))
    .sort((a, b) => a.time - b.time || a.t.sequenceId - b.t.sequenceId);
  const result: BestSoFar = { times: [], values: [], trialIds: [] };
  let best: number | null = null;
  for (const { t, time } of finished) {
    const value = t.finalMetric as number;
    if (best === null || isBetter(value, best, mode)) {
      best = value;
      result.times.push(time / 1000);
      result.values.push(value);
      result.trialIds.push(t.id);
    }
  }
  return result;
}
