// Hash routes: #/ (overview), #/trials, #/trials/<id>, #/plots; each may carry ?key=value.
export type Route =
  | { page: 'overview'; query: URLSearchParams }
  | { page: 'trials'; query: URLSearchParams }
  | { page: 'trial'; id: string; query: URLSearchParams }
  | { page: 'plots'; query: URLSearchParams }
  | { page: 'missing'; path: string; query: URLSearchParams };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?', 2);
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { page: 'overview', query };
  if (parts[0] === 'trials' && parts.length === 1) return { page: 'trials', query };
  if (parts[0] === 'trials' && parts.length === 2) {
    return { page: 'trial', id: decodeURIComponent(parts[1]), query };
  }
  if (parts[0] === 'plots' && parts.length === 1) return { page: 'plots', query };
  return { page: 'missing', path, query };
}

export function trialHref(id: string): string {
  return `#/trials/${encodeURIComponent(id)}`;
}
