// Overview: status, progress, best trial, counts, errors, config, and the experiment's actions.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { formatDuration, formatTime } from '../duration';
import { useNow } from '../hooks';
import { trialHref } from '../route';
import type { PortalState, Store } from '../state';
import { formatNumber } from '../trials-logic';
import { STATUSES, type Overview } from '../types';
import { LimitsForm } from './limits-form';

const RUNNING_EXPERIMENT = new Set(['INITIALIZED', 'RUNNING', 'TUNER_NO_MORE_TRIAL', 'NO_MORE_TRIAL']);

function elapsed(overview: Overview, now: number): number {
  // elapsedMs is as of the last update; keep counting locally while the experiment runs.
  if (overview.endTime !== null || !RUNNING_EXPERIMENT.has(overview.status)) {
    return overview.elapsedMs;
  }
  return overview.startTime !== null ? Math.max(overview.elapsedMs, now - overview.startTime)
    : overview.elapsedMs;
}

function Progress(props: { label: string; value: number; max: number | null; text: string }) {
  const id = `progress-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="progress-row">
      <span id={id}>{props.label}</span>
      {props.max !== null && props.max > 0 ? (
        <progress aria-labelledby={id} max={props.max} value={Math.min(props.value, props.max)} />
      ) : (
        <span class="muted">no limit</span>
      )}
      <span class="progress-text">{props.text}</span>
    </div>
  );
}

function StopButton() {
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const stop = async () => {
    setAsking(false);
    try {
      const result = await api.stop();
      setMessage({ error: false, text: `Experiment ${result.status.toLowerCase()}.` });
    } catch (e) {
      setMessage({ error: true, text: (e as ApiError).message });
    }
  };
  return (
    <div class="stop">
      {!asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Stop experiment…
        </button>
      ) : (
        <span role="group" aria-label="Confirm stopping the experiment">
          Stop the experiment and cancel its running trials?{' '}
          <button type="button" class="danger" onClick={stop} autoFocus>Stop now</button>{' '}
          <button type="button" onClick={() => setAsking(false)}>Keep running</button>
        </span>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'ok'}>
          {message.text}
        </p>
      )}
    </div>
  );
}

export function OverviewPage({ state, store }: { state: PortalState; store: Store }) {
  const now = useNow();
  const o = state.overview;
  if (!o) return <p class="muted">Loading the experiment…</p>;
  const ms = elapsed(o, now);
  const maxTrials = o.limits.maxTrialNumber;
  const maxMs = o.limits.maxExperimentDurationMs;
  return (
    <div class="overview">
      <section class="card" aria-labelledby="h-status">
        <h2 id="h-status">Experiment</h2>
        <p>
          <span class={`badge status-${o.status}`} data-testid="experiment-status">{o.status}</span>{' '}
          <span class="muted">
            {o.platform} platform{o.storage ? `, ${o.storage} storage` : ''}, {o.optimizeMode}
          </span>
        </p>
        <dl class="facts">
          <dt>Started</dt>
          <dd>{formatTime(o.startTime) || '—'}</dd>
          {o.endTime !== null && (
            <>
              <dt>Ended</dt>
              <dd>{formatTime(o.endTime)}</dd>
            </>
          )}
          <dt>Concurrency</dt>
          <dd>{o.limits.trialConcurrency}</dd>
          <dt>Max trial duration</dt>
          <dd>{o.limits.maxTrialDurationMs !== null ? formatDuration(o.limits.maxTrialDurationMs) : 'none'}</dd>
          <dt>tshost</dt>
          <dd>{o.portalVersion}</dd>
        </dl>
        <Progress label="Trials" value={o.submitted} max={maxTrials}
          text={`${o.submitted}${maxTrials !== null ? ` / ${maxTrials}` : ''} submitted`} />
        <Progress label="Duration" value={ms} max={maxMs}
          text={`${formatDuration(ms)}${maxMs !== null ? ` / ${formatDuration(maxMs)}` : ''}`} />
      </section>

      <section class="card" aria-labelledby="h-best">
        <h2 id="h-best">Best metric</h2>
        {o.best ? (
          <p class="best">
            <span class="big" data-testid="best-value">{formatNumber(o.best.value)}</span>{' '}
            <a href={trialHref(o.best.trialId)}>
              trial #{o.best.sequenceId} ({o.best.trialId})
            </a>
          </p>
        ) : (
          <p class="muted">No final metric yet.</p>
        )}
      </section>

      <section class="card" aria-labelledby="h-counts">
        <h2 id="h-counts">Trials by status</h2>
        <ul class="counts" data-testid="status-counts">
          {STATUSES.map((status) => (
            <li key={status}>
              <a href={`#/trials?status=${status}`} data-status={status}
                aria-label={`${o.counts[status] ?? 0} ${status} trials`}>
                <span class={`badge status-${status}`}>{status}</span>
                <span class="count" data-count={status}>{o.counts[status] ?? 0}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>

      <section class="card" aria-labelledby="h-actions">
        <h2 id="h-actions">Actions</h2>
        <LimitsForm overview={o} store={store} />
        <StopButton />
      </section>

      <section class="card wide" aria-labelledby="h-errors">
        <h2 id="h-errors">Errors</h2>
        {o.errors.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="errors">
            {o.errors.map((error, i) => (
              <li key={i}>
                <time>{formatTime(error.time)}</time> <span class="pre-wrap">{error.message}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card wide" aria-labelledby="h-config">
        <h2 id="h-config">Configuration</h2>
        <details>
          <summary>Experiment config (secrets redacted)</summary>
          <pre class="code">{JSON.stringify(o.config ?? null, null, 2)}</pre>
        </details>
        <details>
          <summary>Search space</summary>
          <pre class="code">{JSON.stringify(o.searchSpace ?? null, null, 2)}</pre>
        </details>
      </section>
    </div>
  );
}
