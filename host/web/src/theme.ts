// Light and dark: follows prefers-color-scheme until the user picks one with the toggle,
// which is remembered. Charts read the colours from CSS variables, so they listen too.
export type Theme = 'light' | 'dark';
const KEY = 'tshost-portal-theme';
const listeners = new Set<() => void>();
const media = window.matchMedia('(prefers-color-scheme: dark)');

function stored(): Theme | null {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null; // storage can be disabled; the toggle then lasts for the page only
  }
}

export function currentTheme(): Theme {
  return (document.documentElement.dataset.theme as Theme | undefined) ??
    stored() ?? (media.matches ? 'dark' : 'light');
}

function notify(): void {
  for (const listener of listeners) listener();
}

export function applyStoredTheme(): void {
  const theme = stored();
  if (theme) document.documentElement.dataset.theme = theme;
  media.addEventListener('change', notify);
}

export function toggleTheme(): void {
  const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* see stored() */
  }
  notify();
}

export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A CSS variable's value on the document (chart colours). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
