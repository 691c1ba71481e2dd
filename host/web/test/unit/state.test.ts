import { describe, expect, it } from 'vitest';
import {
  applyMetric,
  applyOverview,
  applyTrial,
  metricsFromSnapshot,
  trialsFromSnapshot,
} from '../../src/state';
import type { MetricPoint, Overview } from '../../src/types';
import { trial } from './fixtures';

describe('applyTrial', () => {
  const base = trialsFromSnapshot([
    trial({ id: 'c', sequenceId: 2, status: 'RUNNING' }),
    trial({ id: 'a', sequenceId: 0 }),
  ]);

  it('orders a snapshot by sequenceId', () => {
    expect(base.map((t) => t.id)).toEqual(['a', 'c']);
  });

  it('inserts a new trial in sequence order', () => {
    const next = applyTrial(base, trial({ id: 'b', sequenceId: 1, status: 'WAITING' }));
    expect(next.map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(base).toHaveLength(2); // the input is not modified
  });

  it('replaces by id and is idempotent', () => {
    const done = trial({ id: 'c', sequenceId: 2, status: 'SUCCEEDED', finalMetric: 0.7 });
    const once = applyTrial(base, done);
    const twice = applyTrial(once, done);
    expect(twice).toHaveLength(2);
    expect(twice[1]).toEqual(done);
  });

  it('ignores an event older than what it holds', () => {
    const ended = applyTrial(base, trial({ id: 'c', sequenceId: 2, status: 'USER_CANCELED' }));
    const stale = applyTrial(ended, trial({ id: 'c', sequenceId: 2, status: 'RUNNING' }));
    expect(stale[1].status).toBe('USER_CANCELED');
  });

  it('accepts a new attempt even though it starts over', () => {
    const failed = applyTrial(base, trial({ id: 'c', sequenceId: 2, status: 'FAILED' }));
    const retried = applyTrial(failed, trial({ id: 'c', sequenceId: 2, status: 'WAITING', attempt: 2 }));
    expect(retried[1]).toMatchObject({ status: 'WAITING', attempt: 2 });
    const late = applyTrial(retried, trial({ id: 'c', sequenceId: 2, status: 'FAILED', attempt: 1 }));
    expect(late[1]).toMatchObject({ status: 'WAITING', attempt: 2 });
  });
});

describe('applyOverview', () => {
  const snapshot = { id: 'x', status: 'RUNNING', config: { a: 1 }, searchSpace: { lr: {} } } as unknown as Overview;
  it('keeps config and search space that events leave out', () => {
    const event = { id: 'x', status: 'DONE' } as unknown as Overview;
    expect(applyOverview(snapshot, event)).toMatchObject({ status: 'DONE', config: { a: 1 }, searchSpace: { lr: {} } });
  });
  it('takes the first overview as it is', () => {
    expect(applyOverview(null, snapshot)).toBe(snapshot);
  });
});

describe('applyMetric', () => {
  const point = (trialId: string, sequence: number, value: number, type: MetricPoint['type'] = 'PERIODICAL'): MetricPoint =>
    ({ trialId, time: 0, type, sequence, value });
  const tracked = metricsFromSnapshot(['t1'], [point('t1', 1, 0.2), point('t1', 0, 0.1), point('zz', 0, 9)]);

  it('groups a snapshot by tracked trial, in sequence order', () => {
    expect(tracked.get('t1')!.map((p) => p.sequence)).toEqual([0, 1]);
    expect(tracked.has('zz')).toBe(false);
  });

  it('appends in order and replaces a repeated sequence', () => {
    let next = applyMetric(tracked, point('t1', 3, 0.4));
    next = applyMetric(next, point('t1', 2, 0.3));
    next = applyMetric(next, point('t1', 2, 0.35));
    expect(next.get('t1')!.map((p) => [p.sequence, p.value])).toEqual([[0, 0.1], [1, 0.2], [2, 0.35], [3, 0.4]]);
  });

  it('keeps FINAL apart from PERIODICAL of the same sequence', () => {
    const next = applyMetric(tracked, point('t1', 0, 0.9, 'FINAL'));
    expect(next.get('t1')).toHaveLength(3);
  });

  it('ignores metrics of trials nobody tracks', () => {
    expect(applyMetric(tracked, point('other', 0, 1))).toBe(tracked);
  });
});
