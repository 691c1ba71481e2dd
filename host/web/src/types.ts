// The shapes of the portal contract (REST API and event stream), as the server sends them.

export const STATUSES = [
  'WAITING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'USER_CANCELED',
  'SYS_CANCELED',
  'EARLY_STOPPED',
] as const;
export type TrialStatus = (typeof STATUSES)[number];

export type OptimizeMode = 'maximize' | 'minimize';

export interface Limits {
  trialConcurrency: number;
  maxTrialNumber: number | null;
  maxExperimentDurationMs: number | null;
  maxTrialDurationMs: number | null;
}

export interface Best {
  trialId: string;
  sequenceId: number;
  value: number;
}

export interface Overview {
  id: string;
  status: string;
  platform: string;
  storage: string | null;
  startTime: number | null;
  endTime: number | null;
  elapsedMs: number;
  optimizeMode: OptimizeMode;
  limits: Limits;
  submitted: number;
  counts: Record<TrialStatus, number>;
  best: Best | null;
  errors: { time: number | null; message: string }[];
  config?: unknown;
  searchSpace?: unknown;
  portalVersion: string;
}

export type ParameterValue = unknown;

export interface Trial {
  id: string;
  sequenceId: number;
  status: TrialStatus;
  attempt: number;
  submitTime: number | null;
  startTime: number | null;
  endTime: number | null;
  parameters: Record<string, ParameterValue>;
  finalMetric: number | null;
  jobName: string;
  url: string;
  message: string;
}

export interface StatusChange {
  time: number | null;
  status: string;
  message: string;
}

export interface TrialMetric {
  time: number | null;
  type: 'PERIODICAL' | 'FINAL';
  sequence: number;
  replica: string;
  attempt: number;
  /** From the replica whose records reach the tuner (a TF worker-0, a PyTorch master-0). */
  primary: boolean;
  value: number;
  data: string;
}

export interface TrialDetail extends Trial {
  statusHistory: StatusChange[];
  metrics: TrialMetric[];
  manifest: string | null;
  replicas: string[];
}

/** One point of the curves plot and of `event: metric`. */
export interface MetricPoint {
  trialId: string;
  time: number | null;
  type: 'PERIODICAL' | 'FINAL';
  sequence: number;
  value: number;
}

export const ENDED_STATUSES: ReadonlySet<string> = new Set([
  'SUCCEEDED',
  'FAILED',
  'USER_CANCELED',
  'SYS_CANCELED',
  'EARLY_STOPPED',
]);

export function isEnded(status: string): boolean {
  return ENDED_STATUSES.has(status);
}
