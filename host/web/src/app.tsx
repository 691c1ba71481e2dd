// The shell: header with navigation, stream status and theme toggle; the routed page; shortcuts.
import { useEffect, useState } from 'preact/hooks';
import { useStore, useTheme } from './hooks';
import type { LiveConnection } from './live';
import { OverviewPage } from './pages/overview';
import { PlotsPage } from './pages/plots';
import { TrialDetailPage } from './pages/trial-detail';
import { TrialsPage } from './pages/trials';
import { parseRoute, type Route } from './route';
import type { Store } from './state';
import { toggleTheme } from './theme';

const SHORTCUTS: [string, string][] = [
  ['1 / o', 'overview'],
  ['2 / t', 'trials'],
  ['3 / p', 'plots'],
  ['/', 'search trials'],
  ['d', 'light / dark'],
  ['?', 'this help'],
];

function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

function useShortcuts(toggleHelp: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const go = (hash: string) => {
        e.preventDefault();
        location.hash = hash;
      };
      switch (e.key) {
        case '1':
        case 'o':
          return go('#/');
        case '2':
        case 't':
          return go('#/trials');
        case '3':
        case 'p':
          return go('#/plots');
        case 'd':
          return toggleTheme();
        case '?':
          return toggleHelp();
        case '/':
          e.preventDefault();
          if (!location.hash.startsWith('#/trials') || location.hash.startsWith('#/trials/')) {
            location.hash = '#/trials';
          }
          requestAnimationFrame(() => document.getElementById('trial-search')?.focus());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleHelp]);
}

const STREAM_TEXT = { connecting: 'connecting…', live: 'live', down: 'disconnected — reconnecting' };

export function App({ store, live }: { store: Store; live: LiveConnection }) {
  const state = useStore(store);
  const theme = useTheme();
  const route = useRoute();
  const [help, setHelp] = useState(false);
  useShortcuts(() => setHelp((h) => !h));
  useEffect(() => {
    const page = route.page === 'trial' ? `trial ${route.id}` : route.page;
    document.title = `${page} · ${state.overview?.id ?? 'experiment'} · tshost`;
  }, [route, state.overview?.id]);
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.page]);

  const nav = (hash: string, label: string, current: boolean) => (
    <a href={hash} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">tshost</span>
        <span class="exp-id" title="experiment id">{state.overview?.id ?? ''}</span>
        <nav aria-label="Pages">
          {nav('#/', 'Overview', route.page === 'overview')}
          {nav('#/trials', 'Trials', route.page === 'trials' || route.page === 'trial')}
          {nav('#/plots', 'Plots', route.page === 'plots')}
        </nav>
        <span class={`stream stream-${state.stream}`} role="status" data-stream={state.stream}>
          <span class="dot" aria-hidden="true" />
          {STREAM_TEXT[state.stream]}
        </span>
        <button type="button" class="icon-button" onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} title="Theme (d)">
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <button type="button" class="icon-button" onClick={() => setHelp((h) => !h)}
          aria-label="Keyboard shortcuts" aria-expanded={help} title="Shortcuts (?)">
          ?
        </button>
      </header>
      {help && (
        <aside class="help" aria-label="Keyboard shortcuts">
          <dl>
            {SHORTCUTS.map(([key, what]) => (
              <>
                <dt><kbd>{key}</kbd></dt>
                <dd>{what}</dd>
              </>
            ))}
            <dt><kbd>↑ ↓</kbd></dt>
            <dd>move between trial rows; Enter opens, Space selects</dd>
          </dl>
        </aside>
      )}
      {state.error && <p class="banner error" role="alert">{state.error}</p>}
      <main id="main" tabIndex={-1}>
        {route.page === 'overview' && <OverviewPage state={state} store={store} />}
        {route.page === 'trials' && <TrialsPage state={state} query={route.query} />}
        {route.page === 'trial' && <TrialDetailPage state={state} id={route.id} />}
        {route.page === 'plots' && <PlotsPage state={state} live={live} query={route.query} />}
        {route.page === 'missing' && (
          <p>No page at <code>{route.path}</code>. <a href="#/">Go to the overview</a>.</p>
        )}
      </main>
    </>
  );
}
