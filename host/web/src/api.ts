// The REST calls of the portal contract. Paths are relative so the portal also works
// behind a reverse proxy that mounts it under a prefix.
import type { Limits, MetricPoint, Overview, Trial, TrialDetail } from './types';

const BASE = 'api/v1/tshost';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${BASE}/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, `cannot reach the tshost server (${(e as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const parsed = JSON.parse(text) as { error?: string };
      if (parsed.error) message = parsed.error;
    } catch {
      if (text.trim() !== '') message = text.trim();
    }
    throw new ApiError(response.status, message);
  }
  return (response.headers.get('Content-Type') ?? '').includes('json')
    ? (JSON.parse(text) as T)
    : (text as T);
}

export const api = {
  overview: () => call<Overview>('GET', 'overview'),
  trials: async () => (await call<{ trials: Trial[] }>('GET', 'trials')).trials,
  /** The first `limit` trials by sequence id, and how many there are in all. */
  firstTrials: (limit: number) => call<{ trials: Trial[]; total: number }>('GET', `trials?limit=${limit}`),
  trial: (id: string) => call<TrialDetail>('GET', `trials/${encodeURIComponent(id)}`),
  /** `replica` '' lets the server pick the first replica with output. */
  log: (id: string, replica: string, stream: 'stdout' | 'stderr', tailBytes: number) =>
    call<string>(
      'GET',
      `trials/${encodeURIComponent(id)}/log?stream=${stream}&tail=${tailBytes}` +
        (replica ? `&replica=${encodeURIComponent(replica)}` : ''),
    ),
  metrics: async (type: 'PERIODICAL' | 'FINAL', trialIds: readonly string[]) =>
    (
      await call<{ metrics: MetricPoint[] }>(
        'GET',
        `metrics?type=${type}&trials=${trialIds.map(encodeURIComponent).join(',')}`,
      )
    ).metrics,
  stop: () => call<{ status: string }>('POST', 'actions/stop'),
  cancel: (id: string) => call<unknown>('POST', `trials/${encodeURIComponent(id)}/cancel`),
  setLimits: (change: {
    trialConcurrency?: number;
    maxTrialNumber?: number;
    maxExperimentDuration?: string;
  }) => call<Limits>('PATCH', 'limits', change),
};

export const EVENTS_URL = `${BASE}/events`;
