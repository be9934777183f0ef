/**
 * The virtual window of the history list: which rows to put in the page for a
 * scroll position, and which keyset pages to have fetched for them. Pure
 * arithmetic (no DOM, no Svelte), so it is tested as a table.
 *
 * Every row has the same height, so a row's top is `index × rowHeight` and
 * the window is a slice of indexes: the rows under the viewport plus
 * `overscan` above and below (scrolling a few rows never shows a gap), and
 * `lead` more on the side the list is scrolling towards. The list hears of a
 * scroll one frame after the browser moved it, and a fast flick (600 rows a
 * second) moves ten rows in a 60 Hz frame: the rows it uncovers must already
 * be there. The
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
  /** Rows rendered in addition beyond the edge the list is scrolling towards. */
  lead?: number;
  /** 1 scrolling down, -1 up, 0 at rest (or not known). */
  scrolling?: -1 | 0 | 1;
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
  const lead = Math.max(0, w.lead ?? 0);
  const start = Math.max(0, first - w.overscan - (w.scrolling === -1 ? lead : 0));
  const end = Math.min(known, first + visible + w.overscan + (w.scrolling === 1 ? lead : 0));
  return { start, end, offset: start * rowHeight };
}

/**
 * The most rows a window can hold for this viewport. Indexes taken modulo
 * this number are unique within any window, so each rendered row keeps a
 * slot: a row scrolled out hands its element to the row scrolled in, which
 * only updates its text and attributes instead of building a new row.
 */
export function windowSlots(viewportHeight: number, rowHeight: number, overscan: number, lead = 0): number {
  return Math.max(1, Math.ceil(Math.max(0, viewportHeight) / Math.max(1, rowHeight)) + 1) + 2 * overscan + Math.max(0, lead);
}

/** The list's scrollable height: the known rows, plus a page of room below while more may follow. */
export function listHeight(known: number, hasMore: boolean, rowHeight: number, pageSize: number): number {
  return (Math.max(0, known) + (hasMore ? pageSize : 0)) * rowHeight;
}

/**
 * The page indexes to have fetched for a window: every page it touches, then
 * the pages within `aheadRows` rows below it and above it (fetched before the
 * agent reaches them, in either direction), never past the last page known
 * to exist. A distance in rows rather than "one more page": a fresh result
 * at the top asks for its first page only, and the next one once the agent
 * scrolls towards it.
 */
export function pagesFor(win: { start: number; end: number }, pageSize: number, aheadRows: number, lastPage: number): number[] {
  if (lastPage < 0) return [];
  const pageOf = (row: number) => Math.floor(Math.max(0, row) / pageSize);
  const lastRow = Math.max(win.start, win.end - 1);
  const first = pageOf(win.start);
  const last = Math.min(lastPage, pageOf(lastRow));
  const below = Math.min(lastPage, pageOf(lastRow + aheadRows));
  const above = pageOf(win.start - aheadRows);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  for (let p = last + 1; p <= below; p++) pages.push(p);
  for (let p = first - 1; p >= above; p--) pages.push(p);
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
