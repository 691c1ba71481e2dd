import { describe, expect, it } from 'vitest';
import { bestSoFar } from '../../src/best';
import { trial } from './fixtures';

describe('bestSoFar', () => {
  const trials = [
    trial({ id: 'a', sequenceId: 0, finalMetric: 0.3, endTime: 10_000 }),
    trial({ id: 'b', sequenceId: 1, finalMetric: 0.8, endTime: 30_000 }),
    trial({ id: 'c', sequenceId: 2, finalMetric: 0.5, endTime: 20_000 }),
    trial({ id: 'd', sequenceId: 3, finalMetric: null, endTime: 5_000 }),
    trial({ id: 'e', sequenceId: 4, finalMetric: 0.1, endTime: 40_000 }),
  ];

  it('keeps one point per improvement in end-time order when maximising', () => {
    expect(bestSoFar(trials, 'maximize')).toEqual({
      times: [10, 20, 30],
      values: [0.3, 0.5, 0.8],
      trialIds: ['a', 'c', 'b'],
    });
  });

  it('improves downwards when minimising', () => {
    expect(bestSoFar(trials, 'minimize')).toEqual({
      times: [10, 40],
      values: [0.3, 0.1],
      trialIds: ['a', 'e'],
    });
  });

  it('places a trial without end time at its start', () => {
    const running = [trial({ id: 'r', sequenceId: 0, finalMetric: 1, startTime: 7_000, endTime: null })];
    expect(bestSoFar(running, 'maximize').times).toEqual([7]);
  });

  it('is empty without final metrics', () => {
    expect(bestSoFar([trials[3]], 'maximize').values).toEqual([]);
  });
});
