/**
 * The virtual window of the history list: which rows to put in the page for a
 * scroll position, and which keyset pages to have fetched for them. Pure
 * arithmetic (no DOM, no Svelte), so it is tested as a table.
 *
 * Every row has the same height, so a row's top is `index × rowHeight` and
 * the window is a slice of indexes: the rows under the viewport plus
 * `overscan` above and below (scrolling a few rows never shows a gap). The
 * list's full height is what is known to exist: the rows of the pages
 * fetched so far, plus one page while the last page said there is more — the
 * scroll bar grows as the agent scrolls, and nothing proportional to the
 * whole history is ever in the page.
 */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  /** Rows known to exist (fetched pages, including the last, partial one). */
  known: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan: number;
}

export interface RowWindow {
  /** First row index rendered (inclusive). */
  start: number;
  /** One past the last row index rendered. */
  end: number;
  /** Where the first rendered row sits (px from the top of the list). */
  offset: number;
}

export function rowWindow(w: WindowInput): RowWindow {
  const rowHeight = Math.max(1, w.rowHeight);
  const known = Math.max(0, Math.floor(w.known));
  if (known === 0) return { start: 0, end: 0, offset: 0 };
  const top = Math.max(0, w.scrollTop);
  const first = Math.min(known - 1, Math.floor(top / rowHeight));
  const visible = Math.max(1, Math.ceil(Math.max(0, w.viewportHeight) / rowHeight) + 1);
  const start = Math.max(0, first - w.overscan);
  const end = Math.min(known, first + visible + w.overscan);
  return { start, end, offset: start * rowHeight };
}

/** The list's scrollable height: the known rows, plus a page of room below while more may follow. */
export function listHeight(known: number, hasMore: boolean, rowHeight: number, pageSize: number): number {
  return (Math.max(0, known) + (hasMore ? pageSize : 0)) * rowHeight;
}

/**
 * The page indexes to have fetched for a window: every page it touches and
 * `ahead` pages past its end (fetched before the agent reaches them), never
 * past the last page known to exist.
 */
export function pagesFor(win: { start: number; end: number }, pageSize: number, ahead: number, lastPage: number): number[] {
  if (lastPage < 0) return [];
  const first = Math.floor(win.start / pageSize);
  const last = Math.min(lastPage, Math.floor(Math.max(win.start, win.end - 1) / pageSize) + ahead);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/** The scrollTop that shows row `index` whole, moving as little as possible (null: already whole). */
export function scrollToShow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}

/** The row a key moves to from `active` (null: the key is not a move). */
export function moveIndex(key: string, active: number, known: number, pageRows: number): number | null {
  if (known === 0) return null;
  const from = Math.min(Math.max(active, 0), known - 1);
  const step = Math.max(1, pageRows - 1);
  switch (key) {
    case 'ArrowDown':
      return active < 0 ? 0 : Math.min(known - 1, from + 1);
    case 'ArrowUp':
      return Math.max(0, from - 1);
    case 'PageDown':
      return Math.min(known - 1, from + step);
    case 'PageUp':
      return Math.max(0, from - step);
    case 'Home':
      return 0;
    case 'End':
      return known - 1;
    default:
      return null;
  }
}
