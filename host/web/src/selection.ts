// The trials picked for comparison: shared by the trial table and the plots page, and kept
// for the browser tab's session so a reload does not lose it.
const KEY = 'tshost-portal-selection';

function load(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

let selection = load();

export function selectedTrials(): ReadonlySet<string> {
  return selection;
}

export function setSelectedTrials(ids: Iterable<string>): void {
  selection = new Set(ids);
  try {
    sessionStorage.setItem(KEY, JSON.stringify([...selection]));
  } catch {
    /* storage disabled: the selection lasts for this page */
  }
}
