// The live connection with a stand-in EventSource and fetch: snapshots after each hello,
// events held back while a snapshot loads and applied on top of it, stream state shown.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveConnection } from '../../src/live';
import { Store } from '../../src/state';
import { trial } from './fixtures';

class FakeEventSource {
  static readonly CLOSED = 2;
  static last: FakeEventSource;
  readyState = 0;
  private listeners = new Map<string, ((e: { data?: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (e: { data?: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data?: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data: data === undefined ? undefined : JSON.stringify(data) });
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

interface Pending {
  path: string;
  resolve: (body: unknown) => void;
}

let requests: Pending[];

function answer(path: string, body: unknown) {
  const index = requests.findIndex((r) => r.path.startsWith(path));
  expect(index, `a request for ${path}`).toBeGreaterThanOrEqual(0);
  const request = requests.splice(index, 1)[0];
  // The first page of a small experiment is all of it: the server says so with `total`.
  const list = body as { trials?: unknown[]; total?: number };
  if (request.path.includes('limit=') && list.trials && list.total === undefined) {
    body = { ...list, total: list.trials.length };
  }
  request.resolve(body);
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const overview = (status: string) => ({ id: 'e1', status, config: { a: 1 }, limits: {}, counts: {} });

beforeEach(() => {
  requests = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('fetch', (url: string) =>
    new Promise((resolve) => {
      requests.push({
        path: url.replace('api/v1/tshost/', ''),
        resolve: (body) => resolve(new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } })),
      });
    }));
});
afterEach(() => vi.unstubAllGlobals());

describe('LiveConnection', () => {
  it('opens one stream on the events URL and loads snapshots after hello', async () => {
    const store = new Store();
    new LiveConnection(store).start();
    expect(FakeEventSource.last.url).toBe('api/v1/tshost/events');
    expect(store.state.stream).toBe('connecting');
    expect(requests).toHaveLength(0); // nothing before hello: no polling
    FakeEventSource.last.emit('hello', { revision: 1 });
    answer('overview', overview('RUNNING'));
    answer('trials', { trials: [trial({ id: 'b', sequenceId: 1 }), trial({ id: 'a', sequenceId: 0 })] });
    await flush();
    expect(store.state.stream).toBe('live');
    expect(store.state.trials.map((t) => t.id)).toEqual(['a', 'b']);
  });

  it('paints the first page of a big experiment, then the whole list with held events on top', async () => {
    const store = new Store();
    new LiveConnection(store).start();
    const source = FakeEventSource.last;
    source.emit('hello', { revision: 1 });
    expect(requests.map((r) => r.path).sort()).toEqual(['overview', 'trials?limit=100']);
    answer('overview', overview('RUNNING'));
    answer('trials?limit=100', { trials: [trial({ id: 'a', sequenceId: 0 })], total: 3 });
    await flush();
    expect(store.state.trialsPreview).toEqual({ trials: [trial({ id: 'a', sequenceId: 0 })], total: 3 });
    expect(store.state.trials).toEqual([]);
    expect(store.state.overview?.status).toBe('RUNNING');
    source.emit('trial', trial({ id: 'c', sequenceId: 2, status: 'FAILED' }));
    expect(requests.map((r) => r.path).sort()).toEqual(['overview', 'trials']);
    answer('overview', overview('RUNNING'));
    answer('trials', {
      trials: [0, 1, 2].map((i) => trial({ id: 'abc'[i], sequenceId: i, status: 'RUNNING' })),
    });
    await flush();
    expect(store.state.trialsPreview).toBeNull();
    expect(store.state.stream).toBe('live');
    expect(store.state.trials.map((t) => `${t.id}:${t.status}`)).toEqual(['a:RUNNING', 'b:RUNNING', 'c:FAILED']);

    // A reconnect has the whole list already: no first page again.
    source.emit('hello', { revision: 2 });
    expect(requests.map((r) => r.path).sort()).toEqual(['overview', 'trials']);
  });

  it('holds events that arrive while the snapshot loads and applies them on top', async () => {
    const store = new Store();
    new LiveConnection(store).start();
    const source = FakeEventSource.last;
    source.emit('hello', { revision: 1 });
    source.emit('trial', trial({ id: 'a', sequenceId: 0, status: 'SUCCEEDED', finalMetric: 0.9 }));
    source.emit('overview', overview('DONE'));
    expect(store.state.trials).toEqual([]); // held back
    answer('overview', overview('RUNNING'));
    answer('trials', { trials: [trial({ id: 'a', sequenceId: 0, status: 'RUNNING' })] });
    await flush();
    expect(store.state.trials[0]).toMatchObject({ status: 'SUCCEEDED', finalMetric: 0.9 });
    expect(store.state.overview).toMatchObject({ status: 'DONE', config: { a: 1 } });
    source.emit('trial', trial({ id: 'c', sequenceId: 2, status: 'WAITING' }));
    expect(store.state.trials.map((t) => t.id)).toEqual(['a', 'c']); // live from now on
  });

  it('says when the stream is down and reloads everything after the next hello', async () => {
    const store = new Store();
    new LiveConnection(store).start();
    const source = FakeEventSource.last;
    source.emit('hello', { revision: 1 });
    answer('overview', overview('RUNNING'));
    answer('trials', { trials: [] });
    await flush();
    source.emit('error');
    expect(store.state.stream).toBe('down');
    source.emit('hello', { revision: 5 }); // the browser reconnected by itself
    // (Still no trial: the first page is asked for again, which is all of them.)
    expect(requests.map((r) => r.path).sort()).toEqual(['overview', 'trials?limit=100']);
    answer('overview', overview('RUNNING'));
    answer('trials', { trials: [trial({ id: 'n', sequenceId: 0 })] });
    await flush();
    expect(store.state.stream).toBe('live');
    expect(store.state.trials.map((t) => t.id)).toEqual(['n']);
  });

  it('fetches the curves of tracked trials and follows their metric events', async () => {
    const store = new Store();
    const live = new LiveConnection(store);
    live.start();
    const tracking = live.track(['a']);
    answer('metrics?type=PERIODICAL&trials=a', { metrics: [{ trialId: 'a', time: 1, type: 'PERIODICAL', sequence: 0, value: 1 }] });
    await tracking;
    FakeEventSource.last.emit('hello', { revision: 1 });
    answer('overview', overview('RUNNING'));
    answer('trials', { trials: [] });
    answer('metrics?type=PERIODICAL&trials=a', { metrics: [{ trialId: 'a', time: 1, type: 'PERIODICAL', sequence: 0, value: 1 }] });
    await flush();
    FakeEventSource.last.emit('metric', { trialId: 'a', time: 2, type: 'PERIODICAL', sequence: 1, value: 2 });
    FakeEventSource.last.emit('metric', { trialId: 'other', time: 2, type: 'PERIODICAL', sequence: 1, value: 2 });
    expect(store.state.metrics.get('a')!.map((p) => p.value)).toEqual([1, 2]);
    expect(store.state.metrics.has('other')).toBe(false);
  });
});
