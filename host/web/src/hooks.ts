import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * `value`, changing at most every `ms` (the latest value always arrives). The plots redraw
 * 10,000 trials; a burst of trial events would otherwise redraw them at every event. The
 * first change after a quiet `ms` shows at once: the snapshot that arrives just after the
 * page mounts is not held back.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return; // mounting, or back to what is shown: nothing to throttle
    const show = () => {
      last.current = Date.now();
      setShown(() => value);
    };
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
