import { describe, expect, it } from 'vitest';
import {
  filterTrials,
  formatParameter,
  nextSort,
  parameterKeys,
  sortTrials,
  trialDuration,
} from '../../src/trials-logic';
import { trial } from './fixtures';

const trials = [
  trial({ id: 'aaa', sequenceId: 0, finalMetric: 0.5, parameters: { lr: 0.1, opt: 'sgd' } }),
  trial({ id: 'bbb', sequenceId: 1, finalMetric: null, status: 'RUNNING', endTime: null,
    parameters: { lr: 0.01, opt: 'adam' } }),
  trial({ id: 'ccc', sequenceId: 2, finalMetric: 0.9, status: 'SUCCEEDED', startTime: 0, endTime: 100_000,
    parameters: { lr: 0.001, opt: 'adam', layers: 3 } }),
  trial({ id: 'ddd', sequenceId: 3, finalMetric: 0.2, status: 'FAILED', jobName: 'special-job',
    parameters: { lr: 0.05, opt: 'sgd' } }),
];

const ids = (list: { id: string }[]) => list.map((t) => t.id);

describe('sortTrials', () => {
  it('sorts by final metric both ways with missing metrics last', () => {
    expect(ids(sortTrials(trials, { key: 'finalMetric', descending: true }, 0))).toEqual(['ccc', 'aaa', 'ddd', 'bbb']);
    expect(ids(sortTrials(trials, { key: 'finalMetric', descending: false }, 0))).toEqual(['ddd', 'aaa', 'ccc', 'bbb']);
  });
  it('sorts a numeric parameter numerically and text by collation', () => {
    expect(ids(sortTrials(trials, { key: 'param:lr', descending: false }, 0))).toEqual(['ccc', 'bbb', 'ddd', 'aaa']);
    expect(ids(sortTrials(trials, { key: 'param:opt', descending: false }, 0))).toEqual(['bbb', 'ccc', 'aaa', 'ddd']);
  });
  it('puts trials without the parameter last and keeps ties in sequence order', () => {
    expect(ids(sortTrials(trials, { key: 'param:layers', descending: true }, 0))).toEqual(['ccc', 'aaa', 'bbb', 'ddd']);
  });
  it('sorts by duration counting running trials up to now', () => {
    // aaa 3 s, ccc 100 s, ddd 3 s, bbb running since 2 s: 1,000 s at now = 1,002,000.
    expect(ids(sortTrials(trials, { key: 'duration', descending: true }, 1_002_000))).toEqual(['bbb', 'ccc', 'aaa', 'ddd']);
  });
  it('does not modify its input', () => {
    const copy = trials.slice();
    sortTrials(trials, { key: 'finalMetric', descending: true }, 0);
    expect(trials).toEqual(copy);
  });
});

describe('filterTrials', () => {
  const none = new Set<string>();
  it('filters by status', () => {
    expect(ids(filterTrials(trials, { statuses: new Set(['RUNNING', 'FAILED']), search: '' }))).toEqual(['bbb', 'ddd']);
  });
  it('searches ids, job names and parameter values, case-insensitively', () => {
    expect(ids(filterTrials(trials, { statuses: none, search: 'SPECIAL' }))).toEqual(['ddd']);
    expect(ids(filterTrials(trials, { statuses: none, search: 'adam' }))).toEqual(['bbb', 'ccc']);
    expect(ids(filterTrials(trials, { statuses: none, search: 'opt=sgd' }))).toEqual(['aaa', 'ddd']);
    expect(ids(filterTrials(trials, { statuses: none, search: 'ccc' }))).toEqual(['ccc']);
  });
  it('combines status and search', () => {
    expect(ids(filterTrials(trials, { statuses: new Set(['SUCCEEDED']), search: 'adam' }))).toEqual(['ccc']);
  });
  it('shows everything with no filter', () => {
    expect(filterTrials(trials, { statuses: none, search: '  ' })).toHaveLength(4);
  });
});

describe('table helpers', () => {
  it('collects parameter columns in order of first appearance', () => {
    expect(parameterKeys(trials)).toEqual(['lr', 'opt', 'layers']);
  });
  it('shows nested choices as JSON and numbers compactly', () => {
    expect(formatParameter({ _name: 'conv', size: 3 })).toBe('{"_name":"conv","size":3}');
    expect(formatParameter(0.000012345)).toBe('1.2345e-5');
    expect(formatParameter(0.1234567)).toBe('0.123457');
    expect(formatParameter(undefined)).toBe('');
  });
  it('has no duration before a trial starts', () => {
    expect(trialDuration(trial({ id: 'x', sequenceId: 9, startTime: null, endTime: null }), 10)).toBeNull();
  });
  it('sorts a new metric column best first for the optimise mode, and flips on a second click', () => {
    const first = nextSort({ key: 'sequenceId', descending: false }, 'finalMetric', false);
    expect(first).toEqual({ key: 'finalMetric', descending: false });
    expect(nextSort(first, 'finalMetric', false)).toEqual({ key: 'finalMetric', descending: true });
    expect(nextSort(first, 'id', true)).toEqual({ key: 'id', descending: false });
  });
});
