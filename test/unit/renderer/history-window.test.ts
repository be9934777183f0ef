/**
 * The virtual window's arithmetic and the page store under it: which rows are
 * in the page for a scroll position, the slot each rendered row keeps, which
 * keyset pages are fetched ahead, and that rows far from the viewport are let
 * go (memory stays flat however far the list is scrolled) and fetched again
 * through their cursor.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryCursor, HistoryPage, Result } from '../../../preload/contract';
import { PageStore } from '../../../renderer/ui/state/history-pages';
import { listHeight, moveIndex, pagesFor, rowWindow, scrollToShow, windowSlots } from '../../../renderer/ui/state/history-window';
import { summary } from './history-fake';

describe('rowWindow', () => {
  const base = { rowHeight: 50, viewportHeight: 500, overscan: 5, known: 1000 };
  it.each([
    ['at the top: the viewport and the overscan below', 0, { start: 0, end: 16, offset: 0 }],
    ['a partly scrolled row is included', 75, { start: 0, end: 17, offset: 0 }],
    ['deep: overscan above and below', 25_000, { start: 495, end: 516, offset: 24_750 }],
    ['never past the known rows', 49_900, { start: 993, end: 1000, offset: 49_650 }],
    ['a scroll position past the end clamps to the last row', 1e9, { start: 994, end: 1000, offset: 49_700 }],
    ['negative (rubber-band scrolling) is the top', -40, { start: 0, end: 16, offset: 0 }],
  ])('%s', (_name, scrollTop, expected) => {
    expect(rowWindow({ ...base, scrollTop })).toEqual(expected);
  });

  it('renders `lead` rows more on the side it is scrolling towards, none at rest', () => {
    const deep = { ...base, scrollTop: 25_000, lead: 10 };
    expect(rowWindow({ ...deep, scrolling: 1 })).toEqual({ start: 495, end: 526, offset: 24_750 });
    expect(rowWindow({ ...deep, scrolling: -1 })).toEqual({ start: 485, end: 516, offset: 24_250 });
    expect(rowWindow({ ...deep, scrolling: 0 })).toEqual({ start: 495, end: 516, offset: 24_750 });
    expect(rowWindow({ ...base, scrollTop: 0, lead: 10, scrolling: -1 })).toEqual({ start: 0, end: 16, offset: 0 });
  });

  it('is empty with no rows, and renders at least one row in a zero-height viewport', () => {
    expect(rowWindow({ ...base, scrollTop: 0, known: 0 })).toEqual({ start: 0, end: 0, offset: 0 });
    expect(rowWindow({ ...base, scrollTop: 0, viewportHeight: 0, overscan: 0 })).toEqual({ start: 0, end: 1, offset: 0 });
  });

  it('renders the same number of rows wherever it is scrolled (nothing grows with depth)', () => {
    const sizes = [5_000, 10_000, 1_000_000, 49_000_000].map((top) => {
      const w = rowWindow({ ...base, known: 1_000_000, scrollTop: top });
      return w.end - w.start;
    });
    expect(new Set(sizes)).toEqual(new Set([21]));
  });
});

describe('listHeight, pagesFor, scrollToShow, moveIndex', () => {
  it('gives room for one more page while more may follow', () => {
    expect(listHeight(200, true, 50, 100)).toBe(15_000);
    expect(listHeight(137, false, 50, 100)).toBe(6_850);
  });

  it.each([
    ['a fresh result at the top: its first page only', { start: 0, end: 20 }, 25, 5, [0]],
    ['nearing the end of a page: the next one too', { start: 6, end: 26 }, 25, 5, [0, 1]],
    ['across a page boundary: both, then the one below', { start: 44, end: 80 }, 25, 5, [0, 1, 2]],
    ['deep: the touched page, then below, then above', { start: 120, end: 146 }, 25, 9, [2, 3, 1]],
    ['never past the last page known to exist', { start: 120, end: 146 }, 25, 2, [2, 1]],
    ['never before the first page', { start: 3, end: 29 }, 25, 5, [0, 1]],
    ['nothing before the first page arrived', { start: 0, end: 0 }, 25, -1, []],
  ])('pagesFor: %s', (_name, win, aheadRows, lastPage, pages) => {
    expect(pagesFor(win, 50, aheadRows, lastPage)).toEqual(pages);
  });

  it('gives each rendered row a slot no other row in the window has, wherever it is scrolled and whichever way', () => {
    const input = { viewportHeight: 500, rowHeight: 50, overscan: 5, lead: 10, known: 10_000 };
    const slots = windowSlots(input.viewportHeight, input.rowHeight, input.overscan, input.lead);
    expect(slots).toBe(31);
    for (const scrolling of [-1, 0, 1] as const) {
      for (let top = 0; top < 300_000; top += 37) {
        const w = rowWindow({ ...input, scrollTop: top, scrolling });
        const used = new Set<number>();
        for (let i = w.start; i < w.end; i++) used.add(i % slots);
        expect(used.size).toBe(w.end - w.start);
      }
    }
  });

  it('scrolls as little as possible to show a row whole', () => {
    expect(scrollToShow(9, 0, 500, 50)).toBeNull();
    expect(scrollToShow(10, 0, 550, 50)).toBeNull();
    expect(scrollToShow(10, 0, 500, 50)).toBe(50);
    expect(scrollToShow(12, 0, 500, 50)).toBe(150);
    expect(scrollToShow(3, 400, 500, 50)).toBe(150);
  });

  it.each([
    ['ArrowDown', -1, 0],
    ['ArrowDown', 4, 5],
    ['ArrowDown', 99, 99],
    ['ArrowUp', 0, 0],
    ['ArrowUp', 5, 4],
    ['PageDown', 5, 14],
    ['PageUp', 5, 0],
    ['Home', 50, 0],
    ['End', 3, 99],
    ['x', 3, null],
  ])('%s from row %i goes to %s', (key, from, to) => {
    expect(moveIndex(key, from, 100, 10)).toBe(to);
  });
});

/** A keyset source of `n` rows whose answers the test releases by hand. */
function source(n: number) {
  const rows = Array.from({ length: n }, (_, i) => summary(n - i));
  const waiting: Array<{ cursor: HistoryCursor | null; resolve: () => void }> = [];
  const fetch = (cursor: HistoryCursor | null, limit: number): Promise<Result<HistoryPage>> =>
    new Promise((resolve) => {
      const from = cursor ? rows.findIndex((r) => r.id < cursor.id) : 0;
      const items = rows.slice(from, from + limit);
      const last = items.at(-1)!;
      waiting.push({
        cursor,
        resolve: () => resolve({ ok: true, value: { items, nextCursor: from + limit < n ? { startedAt: last.startedAt, id: last.id } : null } }),
      });
    });
  const releaseAll = async () => {
    while (waiting.length) {
      for (const w of waiting.splice(0)) w.resolve();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { fetch, waiting, releaseAll };
}

describe('PageStore', () => {
  const make = () => {
    const events: string[] = [];
    const store = new PageStore({ pageSize: 10, keep: 3, changed: () => events.push('changed'), settled: (g, e) => events.push(`settled ${g} ${e?.code ?? 'ok'}`) });
    return { store, events };
  };

  it('discovers pages through the cursor chain, keeps at most `keep`, and refetches a dropped page through its cursor', async () => {
    const { store } = make();
    const src = source(95);
    store.reset(src.fetch);
    await src.releaseAll();
    expect(store.known).toBe(10);
    expect(store.hasMore).toBe(true);
    for (let p = 1; p <= 9; p++) {
      store.ensure([p]);
      await src.releaseAll();
      expect(store.heldPages).toBeLessThanOrEqual(3);
    }
    expect(store.known).toBe(95);
    expect(store.hasMore).toBe(false);
    expect(store.row(94)?.id).toBe(1);
    expect(store.row(0)).toBeUndefined(); // let go
    store.ensure([0]);
    expect(src.waiting.map((w) => w.cursor)).toEqual([null]);
    await src.releaseAll();
    expect(store.row(0)?.id).toBe(95);
    store.ensure([4]);
    expect(src.waiting[0]?.cursor).toMatchObject({ id: 56 }); // the last row of page 3
  });

  it('keeps showing the old rows until the new source answers, and drops an older answer that arrives late', async () => {
    const { store, events } = make();
    const a = source(30);
    store.reset(a.fetch);
    await a.releaseAll();
    const slow = source(5);
    const fast = source(2);
    store.reset(slow.fetch);
    store.reset(fast.fetch);
    expect(store.pending).toBe(true);
    expect(store.row(0)?.id).toBe(30); // still the old rows while typing
    await fast.releaseAll();
    expect(store.known).toBe(2);
    await slow.releaseAll(); // the older query answers last
    expect(store.known).toBe(2);
    expect(store.row(0)?.id).toBe(2);
    expect(events.filter((e) => e.startsWith('settled'))).toEqual(['settled 1 ok', 'settled 3 ok']);
  });

  it('reports a refused first page and keeps the rows it had', async () => {
    const { store, events } = make();
    const a = source(12);
    store.reset(a.fetch);
    await a.releaseAll();
    store.reset(async () => ({ ok: false, code: 'invalid-request', message: 'Type at least 3 digits to search for a number.' }));
    await new Promise((r) => setTimeout(r, 0));
    expect(events.at(-1)).toBe('settled 2 invalid-request');
    expect(store.pending).toBe(false);
    expect(store.row(0)?.id).toBe(12);
  });
});

describe('the outcome filter', () => {
  it('offers every outcome the contract knows, in its order', async () => {
    const { callOutcomes } = await import('../../../preload/contract');
    const { outcomeChoices } = await import('../../../renderer/ui/state/history-describe');
    expect(outcomeChoices).toEqual(callOutcomes);
  });
});
