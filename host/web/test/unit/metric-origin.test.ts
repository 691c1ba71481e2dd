import { describe, expect, test } from 'vitest';
import { metricOrigin, metricsHeading } from '../../src/metric-origin';
import type { TrialMetric } from '../../src/types';

function metric(overrides: Partial<TrialMetric>): TrialMetric {
  return {
    time: 1_000,
    type: 'PERIODICAL',
    sequence: 0,
    replica: 'worker-0',
    attempt: 1,
    primary: true,
    value: 0.5,
    data: '0.5',
    ...overrides,
  };
}

describe('metricOrigin', () => {
  test('the primary replica of the current attempt reached the tuner', () => {
    expect(metricOrigin(metric({}), 1)).toBe('tuner');
  });
  test('another replica of the current attempt did not', () => {
    expect(metricOrigin(metric({ primary: false, replica: 'worker-1' }), 1)).toBe('other-replica');
  });
  test('an earlier attempt did not, whichever replica', () => {
    expect(metricOrigin(metric({ attempt: 0 }), 1)).toBe('earlier-attempt');
    expect(metricOrigin(metric({ attempt: 0, primary: false }), 1)).toBe('earlier-attempt');
  });
});

describe('metricsHeading', () => {
  test('counts the records the tuner did not see', () => {
    const records = [
      metric({}),
      metric({ sequence: 1 }),
      metric({ primary: false, replica: 'worker-1' }),
      metric({ attempt: 0 }),
    ];
    expect(metricsHeading(records, 1)).toBe('4 records, 2 of them not sent to the tuner');
  });
  test('says nothing more when the tuner saw them all', () => {
    expect(metricsHeading([metric({})], 1)).toBe('1 record');
    expect(metricsHeading([], 0)).toBe('0 records');
  });
});
