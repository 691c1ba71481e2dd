// Which rows of a long list to render: only those in the scrolled viewport plus a margin,
// so a 10,000-row table costs the same as a 40-row one.
export interface RowWindow {
  first: number;
  last: number; // exclusive
  padTop: number;
  padBottom: number;
}

export function rowWindow(
  rowCount: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
  overscan = 10,
): RowWindow {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const visible = Math.ceil(viewportHeight / rowHeight) + 2 * overscan;
  const last = Math.min(rowCount, first + visible);
  return { first, last, padTop: first * rowHeight, padBottom: (rowCount - last) * rowHeight };
}
