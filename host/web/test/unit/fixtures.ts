import type { Trial } from '../../src/types';

export function trial(overrides: Partial<Trial> & { id: string; sequenceId: number }): Trial {
  return {
    status: 'SUCCEEDED',
    attempt: 1,
    submitTime: 1_000,
    startTime: 2_000,
    endTime: 5_000,
    parameters: {},
    finalMetric: null,
    jobName: `job-${overrides.id}`,
    url: '',
    message: '',
    ...overrides,
  };
}
