// The live connection: one EventSource on the events stream. After each `hello` (first
// connect and every reconnect) it fetches fresh snapshots, holding back events that arrive
// meanwhile, then applies them on top. No polling: the browser reconnects on its own (the
// server's `retry: 2000`); when it gives up (the server refused the stream) we reopen it.
import { api, EVENTS_URL } from './api';
import {
  applyMetric,
  applyOverview,
  applyTrial,
  metricsFromSnapshot,
  trialsFromSnapshot,
  type Store,
} from './state';
import type { MetricPoint, Overview, Trial } from './types';

type PendingEvent =
  | { kind: 'overview'; data: Overview }
  | { kind: 'trial'; data: Trial }
  | { kind: 'metric'; data: MetricPoint };

const REOPEN_DELAY_MS = 3000;
/** Rows fetched first when the page has no trials yet: more than a tall screen shows. */
export const FIRST_PAGE_ROWS = 100;

export class LiveConnection {
  private source: EventSource | null = null;
  private pending: PendingEvent[] | null = null;
  private snapshotGeneration = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly store: Store) {}

  start(): void {
    this.open();
  }

  /** The trials whose curves the plots page shows; fetches their metrics now. */
  async track(trialIds: readonly string[]): Promise<void> {
    if (trialIds.length === 0) {
      this.store.update(() => ({ metrics: new Map() }));
      return;
    }
    const points = await api.metrics('PERIODICAL', trialIds);
    this.store.update(() => ({ metrics: metricsFromSnapshot(trialIds, points) }));
  }

  private open(): void {
    this.source?.close();
    const source = new EventSource(EVENTS_URL);
    this.source = source;
    this.store.update(() => ({ stream: 'connecting' }));
    source.addEventListener('hello', () => void this.onHello());
    for (const kind of ['overview', 'trial', 'metric'] as const) {
      source.addEventListener(kind, (event) => {
        this.onEvent({ kind, data: JSON.parse((event as MessageEvent).data) } as PendingEvent);
      });
    }
    source.addEventListener('error', () => {
      this.store.update(() => ({ stream: 'down' }));
      if (source.readyState === EventSource.CLOSED && this.source === source) {
        this.reopenTimer ??= setTimeout(() => {
          this.reopenTimer = null;
          this.open();
        }, REOPEN_DELAY_MS);
      }
    });
  }

  private async onHello(): Promise<void> {
    const generation = ++this.snapshotGeneration;
    this.pending = [];
    try {
      const tracked = [...this.store.state.metrics.keys()];
      const points = tracked.length > 0 ? api.metrics('PERIODICAL', tracked) : Promise.resolve([]);
      points.catch(() => undefined); // its failure is reported below, or moot after a newer hello
      let complete: { overview: Overview; trials: Trial[] } | null = null;
      if (this.store.state.trials.length === 0) {
        // First load: the table's first page (and the overview) before the whole list. Events
        // stay held back until the whole list is in.
        const [overview, preview] = await Promise.all([
          api.overview(),
          api.firstTrials(FIRST_PAGE_ROWS),
        ]);
        if (generation !== this.snapshotGeneration) return;
        if (preview.total <= preview.trials.length) {
          complete = { overview, trials: preview.trials }; // a small experiment: all of it
        } else {
          this.store.update(() => ({
            overview,
            trialsPreview: { trials: trialsFromSnapshot(preview.trials), total: preview.total },
          }));
        }
      }
      const [overview, trials, curves] = await Promise.all([
        complete?.overview ?? api.overview(),
        complete?.trials ?? api.trials(),
        points,
      ]);
      if (generation !== this.snapshotGeneration) return; // a newer hello took over
      const held = this.pending ?? [];
      this.pending = null;
      this.store.update(() => ({
        overview,
        trials: trialsFromSnapshot(trials),
        trialsPreview: null,
        metrics: metricsFromSnapshot(tracked, curves),
        stream: 'live',
        error: null,
      }));
      for (const event of held) this.apply(event);
    } catch (e) {
      if (generation !== this.snapshotGeneration) return;
      this.pending = null;
      this.store.update(() => ({
        trialsPreview: null,
        error: `loading the experiment failed: ${(e as Error).message}`,
      }));
    }
  }

  private onEvent(event: PendingEvent): void {
    if (this.pending !== null) this.pending.push(event);
    else this.apply(event);
  }

  private apply(event: PendingEvent): void {
    this.store.update((state) => {
      switch (event.kind) {
        case 'overview':
          return { overview: applyOverview(state.overview, event.data) };
        case 'trial':
          return { trials: applyTrial(state.trials, event.data) };
        case 'metric':
          return { metrics: applyMetric(state.metrics, event.data) };
      }
    });
  }
}
