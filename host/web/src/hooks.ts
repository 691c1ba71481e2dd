import { useEffect, useState } from 'preact/hooks';
import type { PortalState, Store } from './state';
import { currentTheme, onThemeChange, type Theme } from './theme';

export function useStore(store: Store): PortalState {
  const [state, setState] = useState(store.state);
  useEffect(() => store.subscribe(() => setState(store.state)), [store]);
  return state;
}

export function useTheme(): Theme {
  const [theme, setTheme] = useState(currentTheme());
  useEffect(() => onThemeChange(() => setTheme(currentTheme())), []);
  return theme;
}

/** The current time, ticking every `periodMs` while mounted (running durations, elapsed time). */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}
