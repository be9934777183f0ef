/**
 * The history screen's state: the virtual list over keyset pages, search as
 * you type, filters, the open call and its unsaved edits, the export, and the
 * count of missed calls the agent has not seen. One instance per window —
 * the view component comes and goes with the tab, this stays, so a scroll
 * position, a search or a half-written note survive switching views.
 *
 * "Seen" is kept by main in the history file (history:missed,
 * history:mark-seen), never here: a reload or a restart does not light the
 * badge again. See docs/history.md.
 */
import type {
  CallOutcome,
  CallSummary,
  HistoryExportProgress,
  HistoryFilter,
  HistoryChanged,
  HistoryPage,
  Result,
} from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { afterPaintQueue, browserClock, type PaintClock } from './after-paint';
import { HistoryDetailModel } from './history-detail.svelte';
import { callbackNumber } from './history-describe';
import { PageStore, type PageFetch } from './history-pages';
import { TypingDebounce, realTimers, type TypingTimers } from './history-typing';
import { listHeight, moveIndex, pagesFor, rowWindow, windowSlots } from './history-window';

/** The filters as the toolbar edits them (dates as the date inputs give them, yyyy-mm-dd). */
export interface HistoryFilterForm {
  direction: '' | 'incoming' | 'outgoing';
  outcome: '' | CallOutcome;
  transferred: boolean;
  from: string;
  to: string;
}

/** A rendered row: its index in the list, the slot its element keeps (history-window.ts), its summary once fetched. */
export interface VisibleRow {
  readonly index: number;
  readonly slot: number;
  readonly call: CallSummary | undefined;
}

export const emptyFilter: HistoryFilterForm = { direction: '', outcome: '', transferred: false, from: '', to: '' };

export type HistoryStatus = 'loading' | 'ready' | 'error';

export type ExportState =
  | { state: 'idle' }
  | { state: 'running'; progress: HistoryExportProgress | null }
  | { state: 'done'; path: string; rows: number }
  | { state: 'cancelled' }
  | { state: 'failed'; message: string };

export interface HistoryModelOptions {
  rowHeight?: number;
  pageSize?: number;
  /** Pages whose rows are kept at most (the rest are fetched again when scrolled back to). */
  keepPages?: number;
  overscan?: number;
  /** Rows rendered in addition on the side the list is scrolling towards (history-window.ts). */
  lead?: number;
  /** Rows beyond the rendered window, below and above, whose pages are fetched before the agent reaches them. */
  aheadRows?: number;
  /** Keystrokes closer than this are one search (the first after a pause runs at once). */
  typingQuietMs?: number;
  timers?: TypingTimers;
  /** When main's history pushes are applied: after the next paint (tests may drive it). */
  paintClock?: PaintClock;
}

/** Local midnight of a yyyy-mm-dd date input, as epoch ms (undefined when empty or not a date). */
function dayStart(value: string, plusDays = 0): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays).getTime();
  return Number.isFinite(at) && at >= 0 ? at : undefined;
}

/** The contract's filter for the form; `to` includes the whole chosen day. */
export function toHistoryFilter(f: HistoryFilterForm): HistoryFilter {
  const filter: HistoryFilter = {};
  if (f.direction) filter.direction = f.direction;
  if (f.outcome) filter.outcomes = [f.outcome];
  if (f.transferred) filter.transferred = true;
  const from = dayStart(f.from);
  const to = dayStart(f.to, 1);
  if (from !== undefined) filter.from = from;
  if (to !== undefined) filter.to = to;
  return filter;
}

export class HistoryModel {
  readonly rowHeight: number;
  readonly pageSize: number;
  private readonly paintClock: PaintClock;
  private readonly overscan: number;
  private readonly lead: number;
  private readonly aheadRows: number;
  /** Which way the list last scrolled (1 down, -1 up, 0 not since new results). */
  private scrolling = $state<-1 | 0 | 1>(0);

  /** What the search box shows (updated on every keystroke). */
  query = $state('');
  /** The query whose results are shown (or are on their way). */
  activeQuery = $state('');
  /** The query whose results are on screen now. */
  shownQuery = $state('');
  filter = $state<HistoryFilterForm>({ ...emptyFilter });
  status = $state<HistoryStatus>('loading');
  /** Why the history could not be read (status 'error'), in main's words. */
  error = $state<string | null>(null);
  /**
   * Main's code for it: `storage` when the file itself failed (damaged, unreadable) — the screen
   * then says the history cannot be read, never "no calls match".
   */
  errorCode = $state<string | null>(null);
  /** Main refused the search as typed (too short, too long): its words, the list stays as it was. */
  hint = $state<string | null>(null);
  /** Whether the first page of the shown results said there is more. */
  scrollTop = $state(0);
  viewportHeight = $state(480);
  /** The row the keyboard is on (-1: none yet). */
  activeIndex = $state(-1);
  /** Missed calls the agent has not seen (kept by main across reloads); the History tab's badge. */
  unseenMissed = $state(0);
  /** Newer calls arrived while the list was scrolled down (offer to show them). */
  newerAvailable = $state(false);
  exportState = $state.raw<ExportState>({ state: 'idle' });
  /** Set by the view while it is on screen: new missed calls are then seen as they arrive. */
  visible = $state(false);
  readonly detail: HistoryDetailModel;

  /** Bumped whenever rows arrive or leave the page store (which is not reactive itself). */
  private version = $state(0);
  private readonly store: PageStore;
  private readonly typing: TypingDebounce;
  private latestId = 0;
  private seenWanted = false;
  private stops: Array<() => void> = [];
  private started = false;

  constructor(
    private readonly api: ConsoleApi,
    options: HistoryModelOptions = {},
  ) {
    this.paintClock = options.paintClock ?? browserClock;
    this.rowHeight = options.rowHeight ?? 56;
    // Pages of 50: two screens of rows, so a new search's first answer is small (docs/history.md).
    this.pageSize = options.pageSize ?? 50;
    this.overscan = options.overscan ?? 6;
    this.lead = options.lead ?? 12;
    // Half a page ahead: the next page is asked for ~30 rows before it comes into view.
    this.aheadRows = options.aheadRows ?? Math.ceil(this.pageSize / 2);
    this.store = new PageStore({
      pageSize: this.pageSize,
      keep: options.keepPages ?? 8,
      changed: () => this.version++,
      settled: (generation, error) => this.settled(generation, error),
    });
    this.typing = new TypingDebounce((q) => this.search(q), options.typingQuietMs ?? 100, options.timers ?? realTimers);
    this.detail = new HistoryDetailModel(api, (call) => this.store.patch(call));
  }

  /** Reads the first page and the missed count, follows main's pushes; returns the unsubscribe. Safe to call again. */
  start(): () => void {
    if (!this.started) {
      this.started = true;
      const changes = afterPaintQueue<HistoryChanged>((p) => {
        this.unseenMissed = p.missed.unseen;
        if (p.latestId > this.latestId) this.newCalls(p.latestId);
        // Fewer calls than this window has seen: main started a new file (a damaged one was set aside).
        else if (p.latestId < this.latestId) this.replaced(p.latestId);
      }, this.paintClock);
      this.stops.push(
        // After the next paint, in order: a call's history write follows its ringing push, and
        // refreshing the list must not delay that card on screen (docs/performance.md).
        this.api.history.onChanged((p) => changes.push(p)),
        () => changes.dispose(),
        this.api.history.onExportProgress((p) => {
          if (this.exportState.state === 'running') this.exportState = { state: 'running', progress: p };
        }),
      );
      void this.api.history.missed().then((r) => {
        if (r.ok) this.unseenMissed = r.value.unseen;
      });
      this.reload();
    }
    return () => this.dispose();
  }

  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.typing.dispose();
    this.started = false;
  }

  /**
   * Every missed call up to the newest one this window knows counts as seen
   * (main keeps the mark). Before the first page arrived, it waits for it: a
   * call the agent was never shown is never marked.
   */
  markSeen(): void {
    if (this.latestId === 0) {
      this.seenWanted = true;
      return;
    }
    this.seenWanted = false;
    void this.api.history.markSeen({ throughId: this.latestId }).then((r) => {
      if (r.ok) this.unseenMissed = r.value.unseen;
    });
  }

  // ── the list ──────────────────────────────────────────────────────────

  /** Rows known to exist in the shown results. */
  get known(): number {
    void this.version;
    return this.store.known;
  }

  get hasMore(): boolean {
    void this.version;
    return this.store.hasMore;
  }

  /** Results of a newer query or filter are on their way. */
  get pending(): boolean {
    void this.version;
    return this.store.pending;
  }

  readonly window = $derived.by(() =>
    rowWindow({
      scrollTop: this.scrollTop,
      viewportHeight: this.viewportHeight,
      rowHeight: this.rowHeight,
      known: this.known,
      overscan: this.overscan,
      lead: this.lead,
      scrolling: this.scrolling,
    }),
  );

  /** The previous visibleRows by slot (plain, not reactive): an unchanged row keeps its object. */
  private lastRows: VisibleRow[] = [];

  /**
   * The rows to render: index, the slot its element keeps, and summary
   * (undefined while its page is on its way). A row whose index and summary
   * did not change is the same object as before, so scrolling re-renders only
   * the rows that moved in, not every row in the window.
   */
  readonly visibleRows = $derived.by(() => {
    void this.version;
    const slots = windowSlots(this.viewportHeight, this.rowHeight, this.overscan, this.lead);
    const rows: VisibleRow[] = [];
    const next: VisibleRow[] = [];
    for (let i = this.window.start; i < this.window.end; i++) {
      const slot = i % slots;
      const call = this.store.row(i);
      const last = this.lastRows[slot];
      const row = last && last.index === i && last.call === call ? last : { index: i, slot, call };
      rows.push(row);
      next[slot] = row;
    }
    this.lastRows = next;
    return rows;
  });

  /** The list's scrollable height (px). */
  get height(): number {
    return listHeight(this.known, this.hasMore, this.rowHeight, this.pageSize);
  }

  /** True when neither a search nor a filter narrows the list. */
  get unfiltered(): boolean {
    const f = this.filter;
    return this.activeQuery.trim() === '' && !f.direction && !f.outcome && !f.transferred && !f.from && !f.to;
  }

  /** The list scrolled or resized: fetch the pages it now needs (and those just ahead). */
  setViewport(scrollTop: number, viewportHeight: number): void {
    const top = Math.max(0, scrollTop);
    if (top !== this.scrollTop) this.scrolling = top > this.scrollTop ? 1 : -1;
    this.scrollTop = top;
    if (viewportHeight > 0) this.viewportHeight = viewportHeight;
    if (this.scrollTop < this.rowHeight && this.newerAvailable) this.showNewer();
    this.fetchVisible();
  }

  row(index: number): CallSummary | undefined {
    void this.version;
    return this.store.row(index);
  }

  /** A move key on the list: the new active row, or null when the key is not a move. */
  move(key: string): number | null {
    const rows = Math.max(1, Math.floor(this.viewportHeight / this.rowHeight));
    const next = moveIndex(key, this.activeIndex, this.known, rows);
    if (next === null) return null;
    this.activeIndex = next;
    return next;
  }

  /** Pages held now (the memory bench reads it through the view's data attribute). */
  get heldPages(): number {
    void this.version;
    return this.store.heldPages;
  }

  // ── search and filters ────────────────────────────────────────────────

  /** A keystroke in the search box. */
  type(value: string): void {
    this.query = value;
    this.typing.input(value);
  }

  /** Enter in the search box: run what was typed now. */
  submit(): void {
    this.typing.flush();
  }

  setFilter(patch: Partial<HistoryFilterForm>): void {
    this.filter = { ...this.filter, ...patch };
    this.reload();
  }

  clearFilters(): void {
    this.filter = { ...emptyFilter };
    this.reload();
  }

  /** Clears the search and the filters. */
  clearAll(): void {
    this.query = '';
    this.typing.dispose();
    this.activeQuery = '';
    this.clearFilters();
  }

  /** Starts over: the first page of the current search and filters. */
  reload(): void {
    const generation = this.store.reset(this.source(this.activeQuery, toHistoryFilter(this.filter)));
    this.asked[generation] = this.activeQuery;
  }

  private search(query: string): void {
    this.activeQuery = query;
    this.reload();
  }

  /** Which query each generation asked, so the one on screen can be named when it arrives. */
  private asked: Record<number, string> = {};

  private source(query: string, filter: HistoryFilter): PageFetch {
    const q = query.trim();
    const h = this.api.history;
    return (cursor, limit): Promise<Result<HistoryPage>> =>
      q === '' ? h.page({ filter, cursor, limit }) : h.search({ query: q, filter, cursor, limit });
  }

  private settled(generation: number, error: { code: string; message: string } | null): void {
    const query = this.asked[generation];
    for (const g of Object.keys(this.asked).map(Number)) if (g <= generation) delete this.asked[g];
    if (error === null) {
      this.shownQuery = query ?? this.shownQuery;
      this.status = 'ready';
      this.error = null;
      this.errorCode = null;
      this.hint = null;
      this.newerAvailable = false;
      this.scrollTop = 0;
      this.scrolling = 0;
      this.activeIndex = this.known > 0 ? 0 : -1;
      const first = this.store.row(0);
      if (first && this.unfiltered) this.latestId = Math.max(this.latestId, first.id);
      if (this.seenWanted && this.latestId > 0) this.markSeen();
      this.fetchVisible();
      return;
    }
    if (error.code === 'invalid-request' && this.activeQuery.trim() !== '') {
      // The search as typed cannot run (too short, too many words): say why, keep the list as it was.
      this.hint = error.message;
      if (this.status === 'loading' && this.store.shownGeneration === 0) this.status = 'ready';
      return;
    }
    // The file itself failed (damaged, unreadable): said whatever was on screen, never left for an empty result.
    if (error.code === 'storage' || this.store.shownGeneration === 0 || generation === this.store.shownGeneration) {
      this.status = 'error';
      this.error = error.message;
      this.errorCode = error.code;
    }
  }

  private fetchVisible(): void {
    this.store.ensure(pagesFor(this.window, this.pageSize, this.aheadRows, this.store.lastPage));
  }

  private newCalls(latestId: number): void {
    this.latestId = latestId;
    if (this.visible) this.markSeen();
    if (this.scrollTop < this.rowHeight) this.reload();
    else this.newerAvailable = true;
  }

  /** The history file was replaced: what this window held is gone; start over from the new file's top. */
  private replaced(latestId: number): void {
    this.latestId = latestId;
    this.newerAvailable = false;
    this.reload();
  }

  /** Shows the newest calls (the "newer calls" button, or scrolling to the top). */
  showNewer(): void {
    this.newerAvailable = false;
    this.reload();
  }

  // ── actions ───────────────────────────────────────────────────────────

  /** The number a call-back should put in the dialer (null: the call has none). */
  callback(call: CallSummary): string | null {
    return callbackNumber(call);
  }

  /** Exports what the list shows (search and filters) to CSV through main. */
  async exportCsv(): Promise<void> {
    if (this.exportState.state === 'running') return;
    this.exportState = { state: 'running', progress: null };
    const q = this.activeQuery.trim();
    const r = await this.api.history.exportCsv({ filter: toHistoryFilter(this.filter), ...(q !== '' && { query: q }) });
    if (!r.ok) this.exportState = { state: 'failed', message: r.message };
    else if ('cancelled' in r.value) this.exportState = { state: 'cancelled' };
    else this.exportState = { state: 'done', path: r.value.path, rows: r.value.rows };
  }
}
