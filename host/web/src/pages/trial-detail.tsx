// One trial: parameters, metrics, status history, manifest, storage URL and output tails.
// It reloads when the stream reports a change of this trial.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { formatDuration, formatTime } from '../duration';
import { useNow } from '../hooks';
import { metricOrigin, metricsHeading, ORIGIN_NOTE } from '../metric-origin';
import type { PortalState } from '../state';
import { formatNumber, formatParameter, trialDuration } from '../trials-logic';
import type { TrialDetail } from '../types';
import { CancelButton } from './cancel-button';
import { LogTail } from './log-tail';

export function TrialDetailPage({ state, id }: { state: PortalState; id: string }) {
  const [detail, setDetail] = useState<TrialDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const now = useNow();
  // The list's copy of this trial changes object whenever an event replaces it.
  const live = state.trials.find((t) => t.id === id);

  useEffect(() => {
    let current = true;
    api.trial(id).then(
      (d) => current && (setDetail(d), setError(null)),
      (e: ApiError) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [id, live]);

  if (error && !detail) return <p role="alert" class="error">Trial {id}: {error}</p>;
  if (!detail) return <p class="muted">Loading trial {id}…</p>;
  const trial = { ...detail, ...(live ?? {}) };
  return (
    <div class="detail">
      <h1>
        Trial <code>{trial.id}</code> <span class="muted">#{trial.sequenceId}</span>{' '}
        <span class={`badge status-${trial.status}`} data-testid="trial-status">{trial.status}</span>{' '}
        <CancelButton trial={trial} onResult={(text, isError) => setNotice({ text, error: isError })} />
      </h1>
      {notice && <p role={notice.error ? 'alert' : 'status'} class={notice.error ? 'error' : 'ok'}>{notice.text}</p>}
      <div class="detail-grid">
        <section class="card" aria-labelledby="h-summary">
          <h2 id="h-summary">Summary</h2>
          <dl class="facts">
            <dt>Final metric</dt>
            <dd>{formatNumber(trial.finalMetric) || '—'}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(trialDuration(trial, now)) || '—'}</dd>
            <dt>Submitted</dt>
            <dd>{formatTime(trial.submitTime)}</dd>
            <dt>Attempt</dt>
            <dd>{trial.attempt}</dd>
            <dt>Job name</dt>
            <dd><code>{trial.jobName}</code></dd>
            <dt>Storage URL</dt>
            <dd>{trial.url ? <code class="select-all" data-testid="storage-url">{trial.url}</code> : '—'}</dd>
            {trial.message && (
              <>
                <dt>Message</dt>
                <dd class="pre-wrap">{trial.message}</dd>
              </>
            )}
          </dl>
        </section>
        <section class="card" aria-labelledby="h-params">
          <h2 id="h-params">Parameters</h2>
          <table class="kv">
            <tbody>
              {Object.entries(trial.parameters ?? {}).map(([key, value]) => (
                <tr key={key}><th scope="row">{key}</th><td>{formatParameter(value)}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="card" aria-labelledby="h-history">
          <h2 id="h-history">Status history</h2>
          <ol class="history">
            {detail.statusHistory.map((change, i) => (
              <li key={i}>
                <time>{formatTime(change.time)}</time>{' '}
                <span class={`badge status-${change.status}`}>{change.status}</span>{' '}
                {change.message && <span class="pre-wrap">{change.message}</span>}
              </li>
            ))}
          </ol>
        </section>
        <section class="card metrics-card" aria-labelledby="h-metrics">
          <h2 id="h-metrics">Metrics</h2>
          <p class="muted" data-testid="metrics-heading">{metricsHeading(detail.metrics, trial.attempt)}</p>
          <div class="scroll-box">
            <table class="metrics">
              <thead>
                <tr><th scope="col">Type</th><th scope="col">Seq</th><th scope="col">Replica</th>
                  <th scope="col">Attempt</th><th scope="col">Value</th><th scope="col">Reported</th>
                  <th scope="col">Time</th></tr>
              </thead>
              <tbody>
                {detail.metrics.map((m, i) => {
                  const origin = metricOrigin(m, trial.attempt);
                  return (
                    <tr key={i} data-origin={origin} class={origin === 'tuner' ? '' : 'not-sent'}
                      title={ORIGIN_NOTE[origin] || undefined}>
                      <td>{m.type}</td><td class="num">{m.sequence}</td>
                      <td>
                        {m.replica}
                        {!m.primary && <span class="tag" title={ORIGIN_NOTE['other-replica']}>secondary</span>}
                      </td>
                      <td class="num">{m.attempt}</td><td class="num">{formatNumber(m.value)}</td>
                      <td><code>{m.data}</code></td><td>{formatTime(m.time)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      </div>
      <section class="card" aria-labelledby="h-logs">
        <h2 id="h-logs">Output</h2>
        <LogTail trialId={trial.id} replicas={detail.replicas} />
      </section>
      <section class="card" aria-labelledby="h-manifest">
        <h2 id="h-manifest">Manifest</h2>
        {detail.manifest ? <pre class="code">{detail.manifest}</pre> : <p class="muted">No manifest (this platform submits none).</p>}
      </section>
    </div>
  );
}
