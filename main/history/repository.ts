/**
 * The call history: the recorder the call service writes through as events
 * happen, and the typed queries the UI reads through. All SQL is prepared
 * statements with bound parameters; the few statements whose WHERE clause
 * depends on which filters are set are assembled from fixed fragments (never
 * from user text) and cached. Every row leaving here is parsed by the
 * contract's schema; every SQLite failure leaves as a ConsoleError.
 */
import { dirname, join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import {
  callDetailSchema,
  callNoteSchema,
  ConsoleError,
  dispositionCode,
  historyFilterSchema,
  holdPeriodSchema,
  transferStepSchema,
  type CallDetail,
  type HistoryCursor,
  type HistoryExportWritten,
  type HistoryExportProgress,
  type HistoryFilter,
  type HistoryPage,
  type MissedCalls,
} from '../../preload/contract';
import { silentLogger, type Logger } from '../logging/logger';
import { openDatabase, type SqliteDatabase } from './database';
import { writeCsvExport } from './export';
import type { CallEndedEvent, CallRecorder, CallStartedEvent, HoldAudio, TransferStepEvent } from './recorder';
import {
  clampLimit,
  digitColumns,
  filterParams,
  filterSql,
  searchSql,
  summaryColumns,
  toSummary,
  type CallRow,
  type Filter,
} from './rows';
import { planSearch } from './search';
import { codeOf, storageError, storageFaultOf } from './storage-faults';
import { transferrerColumns } from './transferrer';

export interface HistoryOptions {
  log?: Logger;
  now?: () => number;
  /** Where exports are written; default `<folder of the database>/exports`. */
  exportDir?: string;
  /** Open for reading only (a file or folder that cannot be written): every write fails as `read-only`. */
  readonly?: boolean;
  /**
   * Mark calls left open as interrupted (default true). False when the same
   * console opens the file again while its calls are up (after a storage
   * fault): those calls are not over.
   */
  recoverOpenCalls?: boolean;
}

export interface PageQuery {
  filter?: HistoryFilter;
  cursor?: HistoryCursor | null;
  limit?: number;
}
export interface SearchQuery extends PageQuery {
  query: string;
}

/** Why an agent status period started (main/agent/machine.ts's words). */
export type AgentStatusCause = 'start' | 'agent' | 'call-ended' | 'call-answered' | 'wrap-up-over';

/** One stored agent status period; `endedAt` null: still open, or the console stopped without closing it. */
export interface AgentStatusPeriod {
  status: 'available' | 'away' | 'wrap-up';
  cause: AgentStatusCause;
  startedAt: number;
  endedAt: number | null;
  extensions: number;
}

/** What changed in the file: a call started or ended (the UI's badge and the top of its list follow). */
export type HistoryChange = { kind: 'started' | 'ended' | 'seen'; id: number };

export interface ExportQuery {
  filter?: HistoryFilter;
  query?: string;
  /** Where to write (a path the agent chose in main's save dialog); default a new file in the export folder. */
  path?: string;
  onProgress?: (progress: HistoryExportProgress) => void;
}

export class HistoryRepository implements CallRecorder {
  /** Calls found open when the database was opened (the console had stopped mid-call), now `interrupted`. */
  readonly recoveredCalls: number;
  readonly path: string;
  /** Opened for reading only: recording waits for a writable file. */
  readonly readonly: boolean;
  private readonly db: SqliteDatabase;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly exportDir: string;
  private readonly cache = new Map<string, Statement>();
  /**
   * callId → row id of calls started by this process and not yet ended, so an
   * event costs no key lookup. Only a shortcut: set once the start's insert
   * has committed, and idOf() falls back to the database.
   */
  private readonly live = new Map<string, number>();
  private readonly listeners = new Set<(change: HistoryChange) => void>();
  private closed = false;

  private readonly stmt: {
    callByKey: Statement<[string], { id: number; ended_at: number | null }>;
    insertCall: Statement;
    answered: Statement;
    end: Statement;
    closeHolds: Statement;
    insertHold: Statement;
    insertStep: Statement;
    insertNote: Statement;
    setDisposition: Statement;
    summary: Statement<[number], CallRow>;
    steps: Statement<[number], Record<string, unknown>>;
    holds: Statement<[number], Record<string, unknown>>;
    notes: Statement<[number], Record<string, unknown>>;
    openCalls: Statement<[], { id: number; last_at: number }>;
    interrupt: Statement;
    deleteBatch: Statement;
    merge: Statement;
    totalChanges: Statement<[], number>;
    seenThrough: Statement<[], number>;
    unseenMissed: Statement<[number], number>;
    markSeen: Statement;
    latestId: Statement<[], number>;
  };

  constructor(path: string, options: HistoryOptions = {}) {
    this.path = path;
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.exportDir = options.exportDir ?? join(dirname(path), 'exports');
    this.readonly = options.readonly ?? false;
    this.db = openDatabase(path, { readonly: this.readonly });
    const db = this.db;
    // A file that fails here (damaged, unwritable) must not stay open behind our back: a connection
    // nobody holds is closed whenever the GC gets to it, and a close checkpoints and removes the WAL
    // by name — by then maybe the WAL of a fresh file that took this one's place.
    try {
      this.stmt = {
        callByKey: db.prepare('SELECT id, ended_at FROM calls WHERE call_key = ? ORDER BY id DESC LIMIT 1'),
        insertCall: db.prepare(`
          INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name, queue, started_at,
                             transferred_by_name, transferred_by_number, transferred_by_uri)
          VALUES (@callId, @direction, @localLine, @number, @digits, @digitsRev, @uri, @name, @queue, @at,
                  @transferredByName, @transferredByNumber, @transferredByUri)`),
        answered: db.prepare('UPDATE calls SET answered_at = coalesce(answered_at, @at) WHERE id = @id AND ended_at IS NULL'),
        end: db.prepare(`
          UPDATE calls SET ended_at = @at, outcome = @outcome, ended_by = @endedBy, sip_code = @sipCode, sip_reason = @sipReason
          WHERE id = @id AND ended_at IS NULL`),
        closeHolds: db.prepare('UPDATE holds SET ended_at = max(@at, started_at) WHERE call_id = @id AND ended_at IS NULL'),
        insertHold: db.prepare('INSERT INTO holds (call_id, started_at, heard, music) VALUES (@id, @at, @heard, @music)'),
        insertStep: db.prepare(`
          INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, detail, at)
          VALUES (@id, @transferId, @step, @mode, @target, @sipCode, @detail, @at)`),
        insertNote: db.prepare('INSERT INTO call_notes (call_id, text, at) VALUES (@id, @text, @at)'),
        setDisposition: db.prepare('UPDATE calls SET disposition = @code WHERE id = @id'),
        summary: db.prepare(`SELECT ${summaryColumns} FROM calls c WHERE c.id = ?`),
        steps: db.prepare(
          'SELECT transfer_id, step, mode, target, sip_code, detail, at FROM transfer_steps WHERE call_id = ? ORDER BY at, id',
        ),
        holds: db.prepare('SELECT started_at, ended_at, heard, music FROM holds WHERE call_id = ? ORDER BY started_at, id'),
        notes: db.prepare('SELECT id, text, at FROM call_notes WHERE call_id = ? ORDER BY at, id'),
        // The last sign of life of a call left open: its end is unknown, so we say "interrupted" at that time.
        openCalls: db.prepare(`
          SELECT c.id, max(c.started_at, coalesce(c.ringing_at, 0), coalesce(c.answered_at, 0),
                           coalesce((SELECT max(at) FROM transfer_steps t WHERE t.call_id = c.id), 0),
                           coalesce((SELECT max(coalesce(h.ended_at, h.started_at)) FROM holds h WHERE h.call_id = c.id), 0)) AS last_at
          FROM calls c WHERE c.ended_at IS NULL`),
        interrupt: db.prepare(`
          UPDATE calls SET ended_at = @at, outcome = 'interrupted', ended_by = 'system',
            sip_reason = 'The console stopped while the call was up'
          WHERE id = @id AND ended_at IS NULL`),
        deleteBatch: db.prepare(`
          DELETE FROM calls WHERE id IN (
            SELECT id FROM calls WHERE started_at < @cutoff AND ended_at IS NOT NULL ORDER BY started_at LIMIT @limit)`),
        // A negative page count merges regardless of level: step by step towards a single segment.
        merge: db.prepare("INSERT INTO call_search (call_search, rank) VALUES ('merge', @pages)"),
        totalChanges: db.prepare('SELECT total_changes()').pluck() as Statement<[], number>,
        seenThrough: db.prepare("SELECT value FROM history_marks WHERE name = 'missed_seen_through'").pluck() as Statement<[], number>,
        // Reads the partial index calls_missed (migrations/0005): only missed rows above the mark.
        unseenMissed: db.prepare("SELECT count(*) FROM calls WHERE outcome = 'missed' AND id > ?").pluck() as Statement<[number], number>,
        // Never moves back, and never past the newest call (a mark ahead of the file would hide calls not yet made).
        markSeen: db.prepare(`
          UPDATE history_marks SET value = max(value, min(@through, (SELECT coalesce(max(id), 0) FROM calls)))
          WHERE name = 'missed_seen_through'`),
        latestId: db.prepare('SELECT coalesce(max(id), 0) FROM calls').pluck() as Statement<[], number>,
      };
      this.recoveredCalls = this.readonly || options.recoverOpenCalls === false ? 0 : this.recoverOpenCalls();
    } catch (e) {
      db.close();
      throw e;
    }
    if (this.recoveredCalls > 0) this.log.warn('history: calls left open by the previous run marked interrupted', { count: this.recoveredCalls });
  }

  // ── recorder ────────────────────────────────────────────────────────────

  /** Whether this call is recorded as still up (a start written before a storage fault is not written twice). */
  hasOpenCall(callId: string): boolean {
    return this.guard('read the history', () => this.stmt.callByKey.get(callId)?.ended_at === null);
  }

  callStarted(e: CallStartedEvent): void {
    this.guard('record the start of a call', () => {
      const open = this.stmt.callByKey.get(e.callId);
      if (open && open.ended_at === null) {
        throw new ConsoleError('invalid-request', `Call ${e.callId} is already recorded as in progress.`);
      }
      const number = e.remote.number ?? null;
      const uri = e.remote.uri ?? null;
      const { lastInsertRowid } = this.stmt.insertCall.run({
        callId: e.callId,
        direction: e.direction,
        localLine: e.localLine,
        number,
        ...digitColumns(number, uri),
        uri,
        name: e.remote.displayName ?? null,
        queue: e.queue ?? null,
        at: e.at,
        // Cleaned and bounded here, so the columns' checks (migrations/0008) never refuse the call's row.
        ...transferrerColumns(e.transferredBy),
      });
      this.live.set(e.callId, Number(lastInsertRowid));
    });
    this.notify({ kind: 'started', id: this.live.get(e.callId) ?? 0 });
  }

  callAnswered(callId: string, at: number): void {
    this.guard('record an answer', () => void this.stmt.answered.run({ id: this.idOf(callId), at }));
  }

  callEnded(e: CallEndedEvent): void {
    let ended = 0;
    this.guard('record the end of a call', () =>
      this.db.transaction(() => {
        const id = this.idOf(e.callId);
        ended = id;
        this.stmt.closeHolds.run({ id, at: e.at });
        const changed = this.stmt.end.run({
          id,
          at: e.at,
          outcome: e.outcome,
          endedBy: e.endedBy,
          sipCode: e.sipCode ?? null,
          sipReason: e.sipReason ?? null,
        }).changes;
        if (changed === 0) this.log.debug('history: end of an already ended call ignored', { callId: e.callId });
        this.live.delete(e.callId);
      })(),
    );
    this.notify({ kind: 'ended', id: ended });
  }

  holdStarted(callId: string, at: number, heard: HoldAudio): void {
    this.guard('record a hold', () =>
      this.db.transaction(() => {
        const id = this.idOf(callId);
        // A new hold while held (e.g. the music changed) closes the previous period.
        this.stmt.closeHolds.run({ id, at });
        this.stmt.insertHold.run({
          id,
          at,
          heard: typeof heard === 'string' ? heard : 'music',
          music: typeof heard === 'string' ? null : heard.music,
        });
      })(),
    );
  }

  holdEnded(callId: string, at: number): void {
    this.guard('record the end of a hold', () => void this.stmt.closeHolds.run({ id: this.idOf(callId), at }));
  }

  transferStep(e: TransferStepEvent): void {
    this.guard('record a transfer step', () =>
      void this.stmt.insertStep.run({
        id: this.idOf(e.callId),
        transferId: e.transferId,
        step: e.step,
        mode: e.mode,
        target: e.target,
        sipCode: e.sipCode ?? null,
        detail: e.detail ?? null,
        at: e.at,
      }),
    );
  }

  // ── agent edits ─────────────────────────────────────────────────────────

  addNote(id: number, text: string): CallDetail {
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.length > 4000) {
      throw new ConsoleError('invalid-request', 'A note is 1 to 4000 characters.');
    }
    this.guard('save the note', () => {
      this.requireCall(id);
      this.stmt.insertNote.run({ id, text: trimmed, at: this.now() });
    });
    return this.get(id);
  }

  setDisposition(id: number, code: string | null): CallDetail {
    const parsed = code === null ? null : dispositionCode.safeParse(code);
    if (parsed && !parsed.success) throw new ConsoleError('invalid-request', parsed.error.issues[0]?.message ?? 'Invalid disposition code');
    this.guard('save the disposition', () => {
      this.requireCall(id);
      this.stmt.setDisposition.run({ id, code: parsed ? parsed.data : null });
    });
    return this.get(id);
  }

  // ── missed calls seen ───────────────────────────────────────────────────

  /** How many missed calls came after the agent's "seen" mark (kept in the file, migrations/0005). */
  missedCalls(): MissedCalls {
    return this.guard('count missed calls', () => {
      const seenThrough = this.stmt.seenThrough.get() ?? 0;
      return { unseen: this.stmt.unseenMissed.get(seenThrough) ?? 0, seenThrough };
    });
  }

  /** Marks missed calls up to `throughId` seen (default: every call so far). The mark only moves forward. */
  markMissedSeen(throughId?: number): MissedCalls {
    this.guard('remember which missed calls were seen', () => {
      this.stmt.markSeen.run({ through: throughId ?? Number.MAX_SAFE_INTEGER });
    });
    // The count moved: the tray and every window follow it.
    this.notify({ kind: 'seen', id: throughId ?? this.latestId() });
    return this.missedCalls();
  }

  /** The newest call's id, 0 for an empty history. */
  latestId(): number {
    return this.guard('read the history', () => this.stmt.latestId.get() ?? 0);
  }

  /** Called after a call's start or end was written; returns the unsubscribe. Cleared on close. */
  onChange(listener: (change: HistoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  // ── agent status (main/agent/, migrations/0006) ─────────────────────────

  /** The period this process opened and has not ended yet (a crash leaves it open, its end unknown). */
  private agentPeriod: number | null = null;

  /** A new status period starts now; the one this run had open ends at the same moment. */
  agentStatusStarted(e: { status: 'available' | 'away' | 'wrap-up'; cause: AgentStatusCause; at: number }): void {
    this.guard('record the agent status', () => {
      this.db.transaction(() => {
        this.endAgentPeriod(e.at);
        const row = this.db
          .prepare('INSERT INTO agent_status (status, cause, started_at) VALUES (@status, @cause, @at)')
          .run({ status: e.status, cause: e.cause, at: e.at });
        this.agentPeriod = Number(row.lastInsertRowid);
      })();
    });
  }

  /** The open wrap-up was extended (its new end is the agent's business; the history counts it). */
  agentWrapUpExtended(_e: { at: number; endsAt: number }): void {
    if (this.agentPeriod === null) return;
    const id = this.agentPeriod;
    this.guard('record the wrap-up extension', () => {
      this.db.prepare("UPDATE agent_status SET extensions = extensions + 1 WHERE id = ? AND status = 'wrap-up'").run(id);
    });
  }

  /** The console stops: the open period ends now. */
  agentStatusEnded(at: number): void {
    this.guard('record the end of the agent status', () => this.endAgentPeriod(at));
  }

  /** Status periods, newest first. */
  agentStatusPeriods(limit = 100): AgentStatusPeriod[] {
    return this.guard('read the agent status', () =>
      this.db
        .prepare('SELECT status, cause, started_at AS startedAt, ended_at AS endedAt, extensions FROM agent_status ORDER BY started_at DESC, id DESC LIMIT ?')
        .all(clampLimit(limit)) as AgentStatusPeriod[],
    );
  }

  private endAgentPeriod(at: number): void {
    if (this.agentPeriod === null) return;
    this.db.prepare('UPDATE agent_status SET ended_at = max(@at, started_at) WHERE id = @id AND ended_at IS NULL').run({ at, id: this.agentPeriod });
    this.agentPeriod = null;
  }

  // ── queries ─────────────────────────────────────────────────────────────

  get(id: number): CallDetail {
    return this.guard('read the call', () => {
      const row = this.requireCall(id);
      const parsed = callDetailSchema.safeParse({
        call: toSummary(row),
        transfers: this.stmt.steps.all(id).map((r) =>
          transferStepSchema.parse({
            transferId: r.transfer_id,
            step: r.step,
            mode: r.mode,
            target: r.target,
            sipCode: r.sip_code,
            detail: r.detail,
            at: r.at,
          }),
        ),
        holds: this.stmt.holds.all(id).map((r) =>
          holdPeriodSchema.parse({ startedAt: r.started_at, endedAt: r.ended_at, heard: r.heard, music: r.music }),
        ),
        notes: this.stmt.notes.all(id).map((r) => callNoteSchema.parse(r)),
      });
      if (!parsed.success) throw new ConsoleError('storage', `Call ${id} in the history has unexpected content.`);
      return parsed.data;
    });
  }

  /** Newest first (start time, then id), keyset-paged: the cursor is the last row of the previous page. */
  page(q: PageQuery = {}): HistoryPage {
    const filter = this.parseFilter(q.filter);
    const limit = clampLimit(q.limit);
    return this.guard('read the history', () => {
      const where = filterSql(filter);
      if (q.cursor) where.push('(c.started_at, c.id) < (@cursorAt, @cursorId)');
      const sql = `SELECT ${summaryColumns} FROM calls c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.started_at DESC, c.id DESC LIMIT @limit`;
      const params = { ...filterParams(filter), limit: limit + 1 } as Record<string, unknown>;
      if (q.cursor) Object.assign(params, { cursorAt: q.cursor.startedAt, cursorId: q.cursor.id });
      return this.pageOf(this.prepared(sql).all(params) as CallRow[], limit);
    });
  }

  /**
   * Search by number (digits only, any formatting) or by words in the name,
   * address (the caller's, and who transferred the call) and notes. Results come newest-recorded first (descending id —
   * calls get their id when they start); the cursor's id continues it.
   */
  search(q: SearchQuery): HistoryPage {
    const plan = planSearch(q.query);
    const filter = this.parseFilter(q.filter);
    const limit = clampLimit(q.limit);
    const s = searchSql(plan);
    const where = [s.where, ...filterSql(filter)];
    if (q.cursor) where.push(`${s.idColumn} < @cursorId`);
    const sql = `SELECT ${summaryColumns} FROM ${s.from} WHERE ${where.join(' AND ')} ORDER BY ${s.order} LIMIT @limit`;
    const params = { ...filterParams(filter), ...s.params, limit: limit + 1 } as Record<string, unknown>;
    if (q.cursor) params.cursorId = q.cursor.id;
    return this.guard(
      'search the history',
      () => this.pageOf(this.prepared(sql).all(params) as CallRow[], limit),
      'invalid-request',
    );
  }

  /**
   * Streams the filtered (and optionally searched) history, newest first, to
   * a CSV file in the export folder (see export.ts).
   */
  async exportCsv(q: ExportQuery = {}): Promise<HistoryExportWritten> {
    const filter = this.parseFilter(q.filter);
    const plan = q.query === undefined ? null : planSearch(q.query);
    const where = filterSql(filter);
    const params: Record<string, unknown> = filterParams(filter);
    let from = 'calls c';
    let order = 'c.started_at DESC, c.id DESC';
    if (plan) {
      const s = searchSql(plan);
      from = s.from;
      where.unshift(s.where);
      Object.assign(params, s.params);
      order = s.order;
    }
    const sql = `SELECT ${summaryColumns},
        (SELECT group_concat(n.text, char(10) ORDER BY n.id) FROM call_notes n WHERE n.call_id = c.id) AS notes_text
      FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`;
    if (this.closed) throw new ConsoleError('unavailable', 'The call history is closed.');
    return writeCsvExport({
      dbPath: this.path,
      exportDir: this.exportDir,
      sql,
      params,
      now: this.now,
      log: this.log,
      ...(q.path !== undefined && { path: q.path }),
      ...(q.onProgress && { onProgress: q.onProgress }),
    });
  }

  // ── retention ───────────────────────────────────────────────────────────

  /** Deletes up to `limit` ended calls that started before `cutoff` (one transaction); returns how many. */
  deleteEndedBefore(cutoff: number, limit: number): number {
    return this.guard('apply retention', () => this.stmt.deleteBatch.run({ cutoff, limit }).changes);
  }

  /**
   * One bounded step of merging the search index's segments (at most `pages`
   * pages written). Every commit adds a small FTS5 segment; automerge keeps
   * their number logarithmic, but searches stay fastest with few segments, so
   * the daily maintenance walks the index towards one segment in small steps.
   * Returns true while there is more to merge
   * (https://www.sqlite.org/fts5.html#the_merge_command).
   */
  mergeSearchIndexStep(pages = 256): boolean {
    return this.guard('tidy the search index', () => {
      const before = this.stmt.totalChanges.get()!;
      this.stmt.merge.run({ pages: -Math.max(16, Math.trunc(pages)) });
      return this.stmt.totalChanges.get()! - before >= 2;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.live.clear();
    this.listeners.clear();
    try {
      // Lets SQLite refresh its planner statistics where they drifted (https://www.sqlite.org/pragma.html#pragma_optimize).
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** Health of the file (tests, diagnostics). */
  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  // ── internals ───────────────────────────────────────────────────────────

  private recoverOpenCalls(): number {
    return this.guard('recover calls left open', () =>
      this.db.transaction(() => {
        const open = this.stmt.openCalls.all();
        for (const c of open) {
          this.stmt.closeHolds.run({ id: c.id, at: c.last_at });
          this.stmt.interrupt.run({ id: c.id, at: c.last_at });
        }
        return open.length;
      })(),
    );
  }

  private notify(change: HistoryChange): void {
    if (change.id <= 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (e) {
        this.log.error('history: a change listener failed', { error: String(e) });
      }
    }
  }

  private idOf(callId: string): number {
    const known = this.live.get(callId);
    if (known !== undefined) return known;
    const row = this.stmt.callByKey.get(callId);
    if (!row) throw new ConsoleError('not-found', `No call ${callId} in the history.`);
    return row.id;
  }

  private requireCall(id: number): CallRow {
    const row = this.stmt.summary.get(id);
    if (!row) throw new ConsoleError('not-found', `No call ${id} in the history.`);
    return row;
  }

  private parseFilter(filter: HistoryFilter | undefined): Filter {
    const parsed = historyFilterSchema.safeParse(filter ?? {});
    if (!parsed.success) throw new ConsoleError('invalid-request', parsed.error.issues[0]?.message ?? 'Invalid filter');
    return parsed.data;
  }

  private pageOf(rows: CallRow[], limit: number): HistoryPage {
    const items = rows.slice(0, limit).map(toSummary);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? { startedAt: last.startedAt, id: last.id } : null };
  }

  private prepared(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /**
   * Turns anything SQLite throws into a typed error (logged), so no raw SQLite
   * exception reaches the UI. A storage fault (full, read-only, damaged, I/O…)
   * says so, with what to do, whatever was being done: a search on a damaged
   * file must not read as "try other words".
   */
  private guard<T>(what: string, fn: () => T, codeForSqlite: 'storage' | 'invalid-request' = 'storage'): T {
    if (this.closed) throw new ConsoleError('unavailable', 'The call history is closed.');
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConsoleError) throw e;
      const code = codeOf(e);
      this.log.error(`history: could not ${what}`, { error: String(e), code });
      const fault = storageFaultOf(e);
      if (fault) throw storageError(fault, what, this.path, dirname(this.path), code);
      if (code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new ConsoleError('invalid-request', `Could not ${what}: the values were refused (${code}).`);
      }
      throw new ConsoleError(
        codeForSqlite,
        codeForSqlite === 'invalid-request' ? `This search could not be run; try other words.` : `Could not ${what} (${code ?? 'error'}).`,
      );
    }
  }
}
