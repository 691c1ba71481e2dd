// Sorting, filtering and searching of the trial table: pure functions over Trial[].
import type { Trial } from './types';

export type SortKey =
  | 'sequenceId'
  | 'id'
  | 'status'
  | 'finalMetric'
  | 'duration'
  | 'jobName'
  | 'url'
  | `param:${string}`;

export interface SortSpec {
  key: SortKey;
  descending: boolean;
}

export interface TrialFilter {
  /** Statuses to show; empty shows all. */
  statuses: ReadonlySet<string>;
  /** Case-insensitive text matched against id, sequence, job name, URL, message and parameters. */
  search: string;
}

/** The parameter names of all trials, in order of first appearance: the table's parameter columns. */
export function parameterKeys(trials: readonly Trial[]): string[] {
  const seen = new Set<string>();
  for (const trial of trials) {
    for (const key of Object.keys(trial.parameters ?? {})) seen.add(key);
  }
  return [...seen];
}

/** How a parameter value is shown: numbers and strings as they are, nested choices as JSON. */
export function formatParameter(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/** Run time of a trial: end - start, or now - start while it runs; null before it starts. */
export function trialDuration(trial: Trial, now: number): number | null {
  if (trial.startTime === null) return null;
  return (trial.endTime ?? now) - trial.startTime;
}

export function filterTrials(trials: readonly Trial[], filter: TrialFilter): Trial[] {
  const needle = filter.search.trim().toLowerCase();
  return trials.filter((trial) => {
    if (filter.statuses.size > 0 && !filter.statuses.has(trial.status)) return false;
    return needle === '' || searchText(trial).includes(needle);
  });
}

// Trials are immutable (an event replaces the object), so their search text is cached.
const searchTextCache = new WeakMap<Trial, string>();

function searchText(trial: Trial): string {
  const cached = searchTextCache.get(trial);
  if (cached !== undefined) return cached;
  const parts = [trial.id, String(trial.sequenceId), trial.status, trial.jobName, trial.url];
  parts.push(trial.message ?? '');
  for (const [key, value] of Object.entries(trial.parameters ?? {})) {
    parts.push(`${key}=${formatParameter(value)}`);
  }
  const text = parts.join('\u0000').toLowerCase();
  searchTextCache.set(trial, text);
  return text;
}

function sortValue(trial: Trial, key: SortKey, now: number): number | string | null {
  if (key.startsWith('param:')) {
    const value = trial.parameters?.[key.slice(6)];
    if (value === undefined || value === null) return null;
    return typeof value === 'number' ? value : formatParameter(value);
  }
  switch (key) {
    case 'duration':
      return trialDuration(trial, now);
    case 'finalMetric':
      return trial.finalMetric;
    case 'sequenceId':
      return trial.sequenceId;
    default:
      return (trial[key as 'id' | 'status' | 'jobName' | 'url'] ?? '') || null;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A sorted copy. Missing values (no final metric yet, parameter absent) go last in both
 * directions, so sorting by metric always shows the best trials first; ties keep sequence order.
 */
export function sortTrials(trials: readonly Trial[], sort: SortSpec, now: number): Trial[] {
  const keyed = trials.map((trial) => ({ trial, value: sortValue(trial, sort.key, now) }));
  const direction = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) return a.trial.sequenceId - b.trial.sequenceId;
      return a.value === null ? 1 : -1;
    }
    let order: number;
    if (typeof a.value === 'number' && typeof b.value === 'number') order = a.value - b.value;
    else if (typeof a.value === 'number') order = -1; // numbers before text in a mixed column
    else if (typeof b.value === 'number') order = 1;
    else order = collator.compare(a.value, b.value);
    return order !== 0 ? order * direction : a.trial.sequenceId - b.trial.sequenceId;
  });
  return keyed.map((k) => k.trial);
}

/** Clicking a column header: a new column sorts ascending (metric: best first), again flips it. */
export function nextSort(current: SortSpec, key: SortKey, bestFirstDescending: boolean): SortSpec {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key === 'finalMetric' ? bestFirstDescending : false };
}
