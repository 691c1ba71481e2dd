// The tail of one replica's stdout or stderr, read through the storage plugin, on demand.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';

const TAIL_BYTES = 65536;

export function LogTail({ trialId, replicas }: { trialId: string; replicas: string[] }) {
  const [replica, setReplica] = useState(replicas[0] ?? '');
  const [stream, setStream] = useState<'stdout' | 'stderr'>('stdout');
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loadedAt, setLoadedAt] = useState<number | null>(null);

  useEffect(() => {
    if (!replicas.includes(replica)) setReplica(replicas[0] ?? '');
  }, [replicas.join('\n')]);

  const load = async () => {
    setLoading(true);
    try {
      setText(await api.log(trialId, replica, stream, TAIL_BYTES));
      setError(null);
    } catch (e) {
      const err = e as ApiError;
      setText(null);
      setError(err.status === 501 ? `No storage plugin: outputs are not readable here (${err.message})` : err.message);
    } finally {
      setLoading(false);
      setLoadedAt(Date.now());
    }
  };
  useEffect(() => void load(), [trialId, replica, stream]);

  return (
    <div class="log-tail">
      <div class="toolbar">
        {replicas.length > 1 && (
          <label>
            Replica{' '}
            <select value={replica} onChange={(e) => setReplica((e.target as HTMLSelectElement).value)}>
              {replicas.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </label>
        )}
        <span role="radiogroup" aria-label="Stream">
          {(['stdout', 'stderr'] as const).map((s) => (
            <label key={s} class="chip">
              <input type="radio" name="stream" value={s} checked={stream === s} onChange={() => setStream(s)} />
              {s}
            </label>
          ))}
        </span>
        <button type="button" onClick={load} disabled={loading}>Refresh</button>
        <span class="muted">
          last {TAIL_BYTES / 1024} KiB{loadedAt ? `, read ${new Date(loadedAt).toLocaleTimeString()}` : ''}
        </span>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {text !== null && (
        <pre class="code log" data-testid="log-text" tabIndex={0} aria-label={`${stream}${replica ? ` of replica ${replica}` : ''}`}>
          {text === '' ? '(empty)' : text}
        </pre>
      )}
    </div>
  );
}
