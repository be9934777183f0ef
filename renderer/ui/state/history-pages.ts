/**
 * The rows of the history list as keyset pages, held only near the viewport.
 *
 * Main answers a page given the cursor of the previous page's last row, so
 * page k can be fetched once page k−1 was seen: the chain of cursors is kept
 * (one small object per page, `cursors[k]` fetches page k), the rows of at
 * most `keep` pages are. A page scrolled far away is dropped and fetched
 * again through its cursor when the agent comes back — memory stays flat
 * however far the list is scrolled.
 *
 * Every answer carries the generation it was asked for; a new search or
 * filter starts a new generation, and an answer from an older one is
 * dropped, so a slow old query never overwrites a newer one.
 */
import type { CallSummary, HistoryCursor, HistoryPage, Result } from '../../../preload/contract';

export type PageFetch = (cursor: HistoryCursor | null, limit: number) => Promise<Result<HistoryPage>>;

export interface PageStoreOptions {
  pageSize: number;
  /** Most pages whose rows are held at once. */
  keep: number;
  /** Called when rows arrive or leave (the model bumps its version). */
  changed: () => void;
  /** Called when a generation's first page replaced the rows (error null), or with a refusal (any page). */
  settled: (generation: number, error: { code: string; message: string } | null) => void;
}

export class PageStore {
  /** The source whose rows are shown, and its generation. */
  private fetchPage: PageFetch | null = null;
  private shown = 0;
  /** The newest generation asked for; its first page replaces the shown rows when it arrives. */
  private latest = 0;
  private readonly pages = new Map<number, CallSummary[]>();
  /** cursors[k] fetches page k; cursors[0] is null. Its length is the number of pages known to exist. */
  private cursors: Array<HistoryCursor | null> = [];
  /** Page count once the last page has been seen (its nextCursor was null); null while more may follow. */
  private endPage: number | null = null;
  private lastPageRows = 0;
  private readonly inFlight = new Set<number>();
  private readonly used = new Map<number, number>();
  private clock = 0;

  constructor(private readonly o: PageStoreOptions) {}

  /**
   * Asks a new source (a new query or filter) for its first page; returns its
   * generation. The rows shown so far stay until that page arrives, so the
   * list never flashes empty while the agent types.
   */
  reset(fetchPage: PageFetch): number {
    const generation = ++this.latest;
    void fetchPage(null, this.o.pageSize).then(
      (r) => this.first(generation, fetchPage, r),
      (e: unknown) => this.first(generation, fetchPage, { ok: false, code: 'internal', message: String(e) }),
    );
    return generation;
  }

  /** The generation whose rows are shown (0 before any arrived). */
  get shownGeneration(): number {
    return this.shown;
  }

  /** True while a newer source than the shown one is on its way. */
  get pending(): boolean {
    return this.latest !== this.shown;
  }

  /** Rows known to exist: every page before the furthest cursor was full; the last one's rows once seen. */
  get known(): number {
    if (this.fetchPage === null) return 0;
    if (this.endPage !== null) return (this.endPage - 1) * this.o.pageSize + this.lastPageRows;
    return (this.cursors.length - 1) * this.o.pageSize;
  }

  get hasMore(): boolean {
    return this.fetchPage !== null && this.endPage === null;
  }

  /** Highest page index that exists (or may: the furthest cursor); -1 before anything arrived. */
  get lastPage(): number {
    if (this.fetchPage === null) return -1;
    return this.endPage !== null ? this.endPage - 1 : this.cursors.length - 1;
  }

  /** Pages whose rows are held now (tests, the memory bench). */
  get heldPages(): number {
    return this.pages.size;
  }

  row(index: number): CallSummary | undefined {
    const page = Math.floor(index / this.o.pageSize);
    return this.pages.get(page)?.[index - page * this.o.pageSize];
  }

  /** Replaces a row wherever it is held (a saved note or disposition). */
  patch(summary: CallSummary): void {
    for (const rows of this.pages.values()) {
      const i = rows.findIndex((r) => r.id === summary.id);
      if (i >= 0) {
        rows[i] = summary;
        this.o.changed();
        return;
      }
    }
  }

  /** Makes sure these pages are held or on their way; drops the least recently used beyond `keep`. */
  ensure(pageIndexes: readonly number[]): void {
    for (const p of pageIndexes) {
      this.used.set(p, ++this.clock);
      this.load(p);
    }
    this.evict(new Set(pageIndexes));
  }

  private first(generation: number, fetchPage: PageFetch, r: Result<HistoryPage>): void {
    if (generation !== this.latest) return; // an older query's answer: never shown
    if (!r.ok) {
      this.o.settled(generation, { code: r.code, message: r.message });
      // Nothing newer is on its way: the rows shown stay those of the older source.
      this.latest = this.shown;
      return;
    }
    this.shown = generation;
    this.fetchPage = fetchPage;
    this.pages.clear();
    this.inFlight.clear();
    this.used.clear();
    this.cursors = [null];
    this.endPage = null;
    this.lastPageRows = 0;
    this.store(0, r.value);
    this.o.settled(generation, null);
  }

  private load(p: number): void {
    if (!this.fetchPage || this.pages.has(p) || this.inFlight.has(p) || p >= this.cursors.length) return;
    if (this.endPage !== null && p >= this.endPage) return;
    const generation = this.shown;
    const cursor = this.cursors[p] ?? null;
    this.inFlight.add(p);
    void this.fetchPage(cursor, this.o.pageSize).then(
      (r) => this.arrived(generation, p, r),
      (e: unknown) => this.arrived(generation, p, { ok: false, code: 'internal', message: String(e) }),
    );
  }

  private arrived(generation: number, p: number, r: Result<HistoryPage>): void {
    if (generation !== this.shown) return; // rows of a source no longer shown
    this.inFlight.delete(p);
    if (!r.ok) {
      this.o.settled(generation, { code: r.code, message: r.message });
      return;
    }
    this.store(p, r.value);
  }

  private store(p: number, page: HistoryPage): void {
    this.pages.set(p, page.items);
    this.used.set(p, ++this.clock);
    if (page.nextCursor) {
      if (this.cursors.length === p + 1) this.cursors.push(page.nextCursor);
    } else {
      this.endPage = p + 1;
      this.lastPageRows = page.items.length;
      this.cursors.length = p + 1;
    }
    this.evict(new Set([p]));
    this.o.changed();
  }

  private evict(keepNow: Set<number>): void {
    if (this.pages.size <= this.o.keep) return;
    const byAge = [...this.pages.keys()].filter((p) => !keepNow.has(p)).sort((a, b) => (this.used.get(a) ?? 0) - (this.used.get(b) ?? 0));
    for (const p of byAge) {
      if (this.pages.size <= this.o.keep) break;
      this.pages.delete(p);
      this.used.delete(p);
    }
  }
}
