// Cancelling a trial: used in the table and on the trial's page; reports the server's answer.
import { api, ApiError } from '../api';
import { isEnded, type Trial } from '../types';

export function CancelButton(props: { trial: Trial; onResult: (text: string, error: boolean) => void }) {
  if (isEnded(props.trial.status)) return null;
  const cancel = async (e: Event) => {
    e.stopPropagation();
    try {
      await api.cancel(props.trial.id);
      props.onResult(`Cancelling trial ${props.trial.id}.`, false);
    } catch (err) {
      props.onResult(`Cancelling ${props.trial.id} failed: ${(err as ApiError).message}`, true);
    }
  };
  return (
    <button type="button" class="small" onClick={cancel}
      onKeyDown={(e) => e.stopPropagation()} aria-label={`Cancel trial ${props.trial.id}`}>
      Cancel
    </button>
  );
}
