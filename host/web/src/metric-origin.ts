// Which of a trial's stored records the tuner saw. The trial page lists every record of
// every replica and attempt; only the primary replica's records of the current attempt
// reached the tuner (API.md), so the others are marked as such.
import type { TrialMetric } from './types';

export type MetricOrigin = 'tuner' | 'other-replica' | 'earlier-attempt';

export function metricOrigin(metric: TrialMetric, currentAttempt: number): MetricOrigin {
  if (metric.attempt !== currentAttempt) return 'earlier-attempt';
  return metric.primary ? 'tuner' : 'other-replica';
}

export const ORIGIN_NOTE: Record<MetricOrigin, string> = {
  tuner: '',
  'other-replica': 'other replica: not sent to the tuner',
  'earlier-attempt': 'earlier attempt: not sent to the tuner',
};

/** "12 records" or "12 records, 8 of them not sent to the tuner" for the card's heading. */
export function metricsHeading(metrics: readonly TrialMetric[], currentAttempt: number): string {
  const notSent = metrics.filter((m) => metricOrigin(m, currentAttempt) !== 'tuner').length;
  const records = `${metrics.length} record${metrics.length === 1 ? '' : 's'}`;
  return notSent === 0 ? records : `${records}, ${notSent} of them not sent to the tuner`;
}
