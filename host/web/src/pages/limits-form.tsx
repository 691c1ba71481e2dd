// Changing concurrency, max trials and max duration: only the fields the user changed are
// sent; the server's 4xx message is shown as it is.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { parseNniDuration, toNniDuration } from '../duration';
import type { Store } from '../state';
import type { Limits, Overview } from '../types';

interface Fields {
  concurrency: string;
  maxTrials: string;
  maxDuration: string;
}

function fieldsOf(limits: Limits): Fields {
  return {
    concurrency: String(limits.trialConcurrency),
    maxTrials: limits.maxTrialNumber === null ? '' : String(limits.maxTrialNumber),
    maxDuration:
      limits.maxExperimentDurationMs === null ? '' : toNniDuration(limits.maxExperimentDurationMs),
  };
}

function wholeNumber(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new Error(`${what} must be a whole number, not "${text}"`);
  return Number(text);
}

export function LimitsForm({ overview, store }: { overview: Overview; store: Store }) {
  const initial = fieldsOf(overview.limits);
  const [fields, setFields] = useState<Fields>(initial);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const limitsKey = JSON.stringify(overview.limits);
  // Follow the server's limits unless the user is editing.
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setFields(fieldsOf(overview.limits));
  }, [limitsKey, edited]);

  const set = (key: keyof Fields) => (e: Event) => {
    setEdited(true);
    setFields({ ...fields, [key]: (e.target as HTMLInputElement).value });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const change: Parameters<typeof api.setLimits>[0] = {};
    try {
      if (fields.concurrency !== initial.concurrency) {
        change.trialConcurrency = wholeNumber(fields.concurrency, 'Concurrency');
      }
      if (fields.maxTrials !== initial.maxTrials) {
        change.maxTrialNumber = wholeNumber(fields.maxTrials, 'Max trials');
      }
      if (fields.maxDuration !== initial.maxDuration) {
        parseNniDuration(fields.maxDuration);
        change.maxExperimentDuration = fields.maxDuration.trim();
      }
    } catch (err) {
      setMessage({ error: true, text: (err as Error).message });
      return;
    }
    if (Object.keys(change).length === 0) {
      setMessage({ error: false, text: 'Nothing changed.' });
      return;
    }
    setBusy(true);
    try {
      const answer = await api.setLimits(change);
      const limits = 'limits' in (answer as object)
        ? (answer as unknown as { limits: Limits }).limits : answer;
      store.update((s) => ({ overview: s.overview && { ...s.overview, limits } }));
      setEdited(false);
      setMessage({ error: false, text: 'Limits updated.' });
    } catch (err) {
      setMessage({ error: true, text: (err as ApiError).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="limits" onSubmit={submit} aria-label="Experiment limits">
      <label>
        Concurrency
        <input name="trialConcurrency" inputMode="numeric" value={fields.concurrency}
          onInput={set('concurrency')} size={5} />
      </label>
      <label>
        Max trials
        <input name="maxTrialNumber" inputMode="numeric" value={fields.maxTrials}
          placeholder="no limit" onInput={set('maxTrials')} size={7} />
      </label>
      <label>
        Max duration
        <input name="maxExperimentDuration" value={fields.maxDuration} placeholder="e.g. 2h"
          onInput={set('maxDuration')} size={7} />
      </label>
      <button type="submit" disabled={busy}>Apply</button>
      {edited && (
        <button type="button" onClick={() => {
          setEdited(false);
          setMessage(null);
        }}>
          Reset
        </button>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} class={message.error ? 'error' : 'ok'}
          data-testid="limits-message">
          {message.text}
        </p>
      )}
    </form>
  );
}
