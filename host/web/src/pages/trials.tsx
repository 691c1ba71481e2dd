// The trial table: sort, filter by status, search, parameters as columns, compare, cancel.
// Rows are virtualised: only the visible ones are in the DOM.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { rowWindow } from '../components/virtual-rows';
import { formatDuration } from '../duration';
import { useNow } from '../hooks';
import { trialHref } from '../route';
import { selectedTrials, setSelectedTrials } from '../selection';
import type { PortalState } from '../state';
import {
  filterTrials,
  formatNumber,
  formatParameter,
  nextSort,
  parameterKeys,
  sortTrials,
  trialDuration,
  type SortKey,
  type SortSpec,
} from '../trials-logic';
import { STATUSES, type Trial } from '../types';
import { CancelButton } from './cancel-button';

const ROW_HEIGHT = 32;

interface Column {
  key: SortKey;
  label: string;
  cell: (trial: Trial, now: number) => preact.ComponentChild;
  numeric?: boolean;
}

function columns(paramKeys: string[]): Column[] {
  return [
    { key: 'sequenceId', label: '#', cell: (t) => t.sequenceId, numeric: true },
    {
      key: 'id',
      label: 'Trial',
      cell: (t) => <a href={trialHref(t.id)} tabIndex={-1}>{t.id}</a>,
    },
    { key: 'status', label: 'Status', cell: (t) => <span class={`badge status-${t.status}`}>{t.status}</span> },
    { key: 'finalMetric', label: 'Final metric', cell: (t) => formatNumber(t.finalMetric), numeric: true },
    { key: 'duration', label: 'Duration', cell: (t, now) => formatDuration(trialDuration(t, now)), numeric: true },
    ...paramKeys.map((key): Column => ({
      key: `param:${key}`,
      label: key,
      cell: (t) => formatParameter(t.parameters?.[key]),
    })),
    { key: 'jobName', label: 'Job name', cell: (t) => t.jobName },
    { key: 'url', label: 'Storage URL', cell: (t) => <span title={t.url}>{t.url}</span> },
  ];
}

function initialStatuses(query: URLSearchParams): Set<string> {
  return new Set((query.get('status') ?? '').split(',').filter((s) => s !== ''));
}

export function TrialsPage({ state, query }: { state: PortalState; query: URLSearchParams }) {
  const [statuses, setStatuses] = useState(() => initialStatuses(query));
  const [search, setSearch] = useState('');
  const bestFirstDescending = state.overview?.optimizeMode !== 'minimize';
  const [sort, setSort] = useState<SortSpec>({ key: 'sequenceId', descending: false });
  const [selected, setSelected] = useState(selectedTrials());
  const [focused, setFocused] = useState(0);
  const [scroll, setScroll] = useState({ top: 0, height: 600 });
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const now = useNow();
  const viewport = useRef<HTMLDivElement>(null);
  const statusKey = query.get('status') ?? '';
  useEffect(() => setStatuses(initialStatuses(query)), [statusKey]);

  // Until the whole list is in, the first page of a big experiment (see live.ts).
  const trials = state.trialsPreview?.trials ?? state.trials;
  const total = state.trialsPreview?.total ?? state.trials.length;
  const paramKeys = useMemo(() => parameterKeys(trials), [trials]);
  const cols = useMemo(() => columns(paramKeys), [paramKeys]);
  const filtered = useMemo(
    () => filterTrials(trials, { statuses, search }),
    [trials, statuses, search],
  );
  const sortClock = sort.key === 'duration' ? now : 0;
  const rows = useMemo(
    () => sortTrials(filtered, sort, sortClock || Date.now()),
    [filtered, sort, sortClock],
  );
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const t of trials) c[t.status] = (c[t.status] ?? 0) + 1;
    return c;
  }, [trials]);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const measure = () => setScroll({ top: el.scrollTop, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const win = rowWindow(rows.length, ROW_HEIGHT, scroll.top, scroll.height);
  const focusIndex = Math.min(focused, Math.max(0, rows.length - 1));

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelectedTrials(next);
    setSelected(next);
  };

  const moveFocus = (index: number) => {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    setFocused(target);
    const el = viewport.current;
    if (!el) return;
    const headerHeight = el.querySelector('thead')?.getBoundingClientRect().height ?? ROW_HEIGHT;
    const top = target * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight - headerHeight) {
      el.scrollTop = top + ROW_HEIGHT - el.clientHeight + headerHeight;
    }
    requestAnimationFrame(() => {
      (el.querySelector(`tr[data-index="${target}"]`) as HTMLElement | null)?.focus();
    });
  };

  const onRowKey = (e: KeyboardEvent, index: number, trial: Trial) => {
    const page = Math.max(1, Math.floor(scroll.height / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1, ArrowUp: index - 1, PageDown: index + page, PageUp: index - page,
      Home: 0, End: rows.length - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      moveFocus(moves[e.key]);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      location.hash = trialHref(trial.id);
    } else if (e.key === ' ') {
      e.preventDefault();
      toggle(trial.id);
    }
  };

  const toggleStatus = (status: string) => {
    const next = new Set(statuses);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    setStatuses(next);
  };

  const selectedList = [...selected];
  return (
    <div class="trials-page">
      <div class="toolbar" role="search">
        <label class="search">
          <span class="visually-hidden">Search trials</span>
          <input id="trial-search" type="search" placeholder="Search id, parameters, job… ( / )"
            value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset class="status-filter">
          <legend class="visually-hidden">Show statuses</legend>
          {STATUSES.map((status) => (
            <label key={status} class="chip">
              <input type="checkbox" name="status" value={status} checked={statuses.has(status)}
                onChange={() => toggleStatus(status)} />
              {status} <span class="muted">{counts[status] ?? 0}</span>
            </label>
          ))}
        </fieldset>
        <span class="spacer" />
        <a class={`button${selected.size === 0 ? ' disabled' : ''}`}
          href={`#/plots?trials=${selectedList.map(encodeURIComponent).join(',')}`}
          aria-disabled={selected.size === 0} onClick={(e) => selected.size === 0 && e.preventDefault()}>
          Compare selected ({selected.size})
        </a>
        {selected.size > 0 && (
          <button type="button" onClick={() => {
            setSelectedTrials([]);
            setSelected(new Set());
          }}>
            Clear
          </button>
        )}
      </div>
      <p class="table-summary" role="status" data-testid="trial-count" data-shown={rows.length}
        data-complete={state.trialsPreview === null}>
        {rows.length} of {total} trials
        {state.trialsPreview && <span class="muted"> — loading the rest…</span>}
        {notice && <span class={notice.error ? 'error' : 'ok'}> — {notice.text}</span>}
      </p>
      <div class="table-viewport" ref={viewport}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          setScroll({ top: el.scrollTop, height: el.clientHeight });
        }}>
        <table class="trials" aria-rowcount={rows.length + 1} data-testid="trial-table">
          <thead>
            <tr>
              <th scope="col"><span class="visually-hidden">Select</span></th>
              {cols.map((col) => {
                const active = sort.key === col.key;
                return (
                  <th scope="col" key={col.key} class={col.numeric ? 'num' : undefined}
                    aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button type="button" class="sort" data-sort={col.key}
                      onClick={() => setSort(nextSort(sort, col.key, bestFirstDescending))}>
                      {col.label}
                      <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                    </button>
                  </th>
                );
              })}
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {win.padTop > 0 && <tr class="pad" style={{ height: `${win.padTop}px` }} aria-hidden="true" />}
            {rows.slice(win.first, win.last).map((trial, i) => {
              const index = win.first + i;
              return (
                <tr key={trial.id} data-index={index} data-trial={trial.id} aria-rowindex={index + 2}
                  tabIndex={index === focusIndex ? 0 : -1} aria-selected={selected.has(trial.id)}
                  class={selected.has(trial.id) ? 'selected' : undefined}
                  onKeyDown={(e) => onRowKey(e, index, trial)}
                  onFocus={() => setFocused(index)}
                  onDblClick={() => (location.hash = trialHref(trial.id))}>
                  <td>
                    <input type="checkbox" tabIndex={-1} checked={selected.has(trial.id)}
                      aria-label={`Select trial ${trial.id} to compare`}
                      onChange={() => toggle(trial.id)} />
                  </td>
                  {cols.map((col) => (
                    <td key={col.key} class={col.numeric ? 'num' : undefined}>{col.cell(trial, now)}</td>
                  ))}
                  <td>
                    <CancelButton trial={trial} onResult={(text, error) => setNotice({ text, error })} />
                  </td>
                </tr>
              );
            })}
            {win.padBottom > 0 && <tr class="pad" style={{ height: `${win.padBottom}px` }} aria-hidden="true" />}
          </tbody>
        </table>
        {rows.length === 0 && <p class="muted empty">No trials match.</p>}
      </div>
    </div>
  );
}
