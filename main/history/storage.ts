/**
 * The history file over the console's life: opened at start, opened again
 * when the storage comes back, replaced when it is damaged — and whether
 * calls are being recorded, pushed to the agent as it changes (docs/history.md,
 * "When the history cannot be written").
 *
 * - A file that cannot be written (read-only folder, full disk, I/O errors)
 *   is still opened for reading where it can be, so the agent keeps the
 *   history screen; calls wait in the recorder's memory and a back-off probe
 *   (1 s doubling to a minute) tries again, as does every new call event.
 * - A file SQLite reports as damaged (SQLITE_CORRUPT, SQLITE_NOTADB) is never
 *   written again, and never deleted: it is closed and moved aside, with its
 *   WAL, under a dated name beside it, and a fresh file takes its place.
 *   SQLite reports damage only when it found the file inconsistent, and a
 *   damaged file can lose the next write or give wrong answers; the kept file
 *   can be examined or repaired with the sqlite3 tool. The agent is told where.
 * - A file from a newer console is left untouched, for this run.
 */
import { existsSync, renameSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ConsoleError, type RecordingProblem, type RecordingStatus } from '../../preload/contract';
import type { Logger } from '../logging/logger';
import { HistoryTooNewError } from './database';
import { HistoryRepository, type HistoryChange } from './repository';
import { ResilientRecorder, type RecorderTarget, type WritableHistory } from './resilient-recorder';
import { codeOf, diagnose, faultSentence, HistoryStorageError, readOnly, storageFaultOf, type StorageFault } from './storage-faults';

/** What the history channels read; the storage hands them to whichever file is open. */
export type HistoryReader = Pick<
  HistoryRepository,
  'page' | 'search' | 'get' | 'addNote' | 'setDisposition' | 'exportCsv' | 'missedCalls' | 'markMissedSeen' | 'latestId' | 'onChange'
>;
/** Where the agent's status periods go (main/agent/service.ts). */
export type AgentHistory = Pick<HistoryRepository, 'agentStatusStarted' | 'agentWrapUpExtended' | 'agentStatusEnded'>;
/** What retention prunes. */
export type PrunableHistory = Pick<HistoryRepository, 'deleteEndedBefore' | 'mergeSearchIndexStep'>;

export interface HistoryStorageOptions {
  file: string;
  log: Logger;
  now: () => number;
  notice: (level: 'info' | 'warning' | 'error', message: string) => void;
  /** Events kept in memory at most while nothing can be written. */
  capacity?: number;
  /** The back-off probe: first delay, doubling up to the longest. */
  probe?: { firstMs?: number; maxMs?: number };
}

export class HistoryStorage implements RecorderTarget {
  readonly file: string;
  readonly folder: string;
  readonly recorder: ResilientRecorder;
  private repo: HistoryRepository | null = null;
  /** Bumped at every opening: the recorder starts a call again in a file that does not have it. */
  private opening = 0;
  private problem: RecordingProblem | null = null;
  private problemCode: string | null = null;
  private since: number | null = null;
  private setAsidePath: string | null = null;
  /** A damaged file that could not be moved aside: never written again. */
  private damagedInPlace = false;
  /** The first writable opening of this run marks calls a crash left open; later ones must not. */
  private openedWritable = false;
  private readonly firstMs: number;
  private readonly maxMs: number;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastReopen = 0;
  private stopped = false;
  private readonly statusListeners = new Set<(status: RecordingStatus) => void>();
  private readonly changeListeners = new Set<(change: HistoryChange) => void>();
  private offRepo: (() => void) | null = null;
  private published = '';

  constructor(private readonly o: HistoryStorageOptions) {
    this.file = o.file;
    this.folder = dirname(o.file);
    this.firstMs = o.probe?.firstMs ?? 1000;
    this.maxMs = o.probe?.maxMs ?? 60_000;
    this.delay = this.firstMs;
    this.recorder = new ResilientRecorder(this, { capacity: o.capacity, now: o.now, log: o.log, changed: () => this.publish() });
    this.reopen();
    this.published = JSON.stringify(this.status());
  }

  /** The open file (null: none could be opened); it may be open for reading only. */
  get current(): HistoryRepository | null {
    return this.repo;
  }

  /** Why the history cannot be read, for the channels that answer `unavailable`. */
  get unavailable(): string {
    return this.problem ? `The call history is not available: ${faultSentence(this.problem, this.file, this.folder)}.` : 'The call history is not available.';
  }

  // ── the recorder's target ───────────────────────────────────────────────

  writable(): { history: WritableHistory; opening: number } | null {
    if (this.stopped || this.problem === 'too-new') return null;
    // Every new event is a chance to find the storage back: open again, at most once per probe interval
    // (never a damaged file still in place: only the probe touches it, to move it aside).
    if ((!this.repo || this.repo.readonly) && !this.damagedInPlace && this.o.now() - this.lastReopen >= this.firstMs) this.reopen();
    if (!this.repo || this.repo.readonly || this.damagedInPlace) return null;
    return { history: this.repo, opening: this.opening };
  }

  failed(error: unknown): boolean {
    const fault = diagnose(storageFaultOf(error) ?? 'unknown', this.file, this.folder);
    if (fault === 'damaged') return this.replaceDamaged(error);
    // The recorder publishes once it has kept the event: the agent's first sight of it already counts it.
    this.enterFault(fault, codeOf(error), false);
    return false;
  }

  // ── what the rest of main uses ──────────────────────────────────────────

  status(): RecordingStatus {
    const counts = this.recorder.counts();
    const waiting = this.problem !== null || counts.waitingEvents > 0;
    return {
      state: waiting ? 'waiting' : 'recording',
      problem: waiting ? (this.problem ?? 'unknown') : null,
      message: waiting ? this.message() : null,
      file: this.file,
      folder: this.folder,
      since: waiting ? this.since : null,
      ...counts,
      setAside: this.setAsidePath,
    };
  }

  onStatus(listener: (status: RecordingStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  /** The history screen's reads and edits, on whichever file is open. */
  readonly reader: HistoryReader = {
    page: (q) => this.read((r) => r.page(q)),
    search: (q) => this.read((r) => r.search(q)),
    get: (id) => this.read((r) => r.get(id)),
    addNote: (id, text) => this.read((r) => r.addNote(id, text)),
    setDisposition: (id, code) => this.read((r) => r.setDisposition(id, code)),
    missedCalls: () => this.read((r) => r.missedCalls()),
    markMissedSeen: (through) => this.read((r) => r.markMissedSeen(through)),
    latestId: () => this.read((r) => r.latestId()),
    exportCsv: async (q) => {
      const repo = this.readable();
      try {
        return await repo.exportCsv(q);
      } catch (e) {
        throw this.readFailed(e);
      }
    },
    onChange: (listener) => {
      this.changeListeners.add(listener);
      return () => void this.changeListeners.delete(listener);
    },
  };

  readonly agent: AgentHistory = {
    agentStatusStarted: (e) => this.writableRepo().agentStatusStarted(e),
    agentWrapUpExtended: (e) => this.writableRepo().agentWrapUpExtended(e),
    agentStatusEnded: (at) => this.writableRepo().agentStatusEnded(at),
  };

  readonly prunable: PrunableHistory = {
    deleteEndedBefore: (cutoff, limit) => this.writableRepo().deleteEndedBefore(cutoff, limit),
    mergeSearchIndexStep: (pages) => this.writableRepo().mergeSearchIndexStep(pages),
  };

  /** Tries the storage again now (what the probe does). */
  retry(): void {
    if (this.stopped) return;
    if (this.damagedInPlace) this.replaceDamaged(null);
    // A full disk or a busy file needs only another try; anything else a fresh connection (one SQLite
    // opened read-only stays so, a moved file stays moved).
    else if (!this.repo || this.repo.readonly || (this.problem !== 'disk-full' && this.problem !== 'busy')) this.reopen();
    if (this.writable() && this.recorder.flush()) this.recovered();
    else if (this.problem) this.schedule();
  }

  /** The recorder wrote with nothing left waiting: recording again. */
  recovered(): void {
    if (this.problem === null || this.problem === 'too-new' || this.recorder.waiting > 0) return;
    this.o.log.info('history: recording again', { problem: this.problem });
    this.problem = null;
    this.problemCode = null;
    this.since = null;
    this.delay = this.firstMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.publish();
  }

  stop(): void {
    if (this.stopped) return;
    // A last chance for what waits, then whatever is left is named in the log.
    if (this.recorder.waiting > 0 && this.writable()) this.recorder.flush();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.recorder.abandon();
    this.closeRepo();
    this.statusListeners.clear();
    this.changeListeners.clear();
  }

  // ── internals ───────────────────────────────────────────────────────────

  private read<T>(fn: (repo: HistoryRepository) => T): T {
    const repo = this.readable();
    try {
      return fn(repo);
    } catch (e) {
      throw this.readFailed(e);
    }
  }

  private readable(): HistoryRepository {
    if (!this.repo) throw new ConsoleError('unavailable', this.unavailable);
    return this.repo;
  }

  private writableRepo(): HistoryRepository {
    const w = this.writable();
    if (!w) throw new ConsoleError('unavailable', this.unavailable);
    return this.repo!;
  }

  /** A read found the file damaged: it is set aside at once, and the agent reads why the answer is missing. */
  private readFailed(e: unknown): unknown {
    if (storageFaultOf(e) !== 'damaged') return e;
    const code = codeOf(e);
    const replaced = this.replaceDamaged(e);
    return new HistoryStorageError(
      'damaged',
      replaced
        ? `The call history file was damaged${code ? ` (${code})` : ''}, so this could not be read. It was kept as ${this.setAsidePath} ` +
            '(nothing was deleted) and a new, empty history was started; calls are recorded there from now on.'
        : `The call history file ${this.file} is damaged${code ? ` (${code})` : ''}, so this could not be read, and it could not be moved aside. ` +
            'Calls are kept in memory meanwhile; restart the console.',
      code,
    );
  }

  /** Opens the file for writing, else for reading only; sets the problem when it cannot be written. */
  private reopen(): void {
    this.lastReopen = this.o.now();
    try {
      const repo = new HistoryRepository(this.file, { log: this.o.log, now: this.o.now, recoverOpenCalls: !this.openedWritable });
      if (readOnly(this.file, this.folder)) {
        // SQLite opened it read-only without a word: say so now, not at the first call.
        repo.close();
        throw new HistoryStorageError('read-only', `${this.file} cannot be written.`);
      }
      this.useRepo(repo);
      return;
    } catch (e) {
      if (e instanceof HistoryTooNewError) {
        if (this.problem !== 'too-new') this.o.notice('error', e.message);
        this.problem = 'too-new';
        this.since ??= this.o.now();
        this.o.log.error('history: not opened', { error: String(e) });
        return this.publish();
      }
      const fault = diagnose(storageFaultOf(e) ?? 'unknown', this.file, this.folder);
      this.o.log.error('history: not opened for writing', { error: String(e), fault });
      if (fault === 'damaged') {
        this.replaceDamaged(e);
        return;
      }
      this.enterFault(fault, codeOf(e));
    }
    // Reads can go on where the file can be read (a read-only folder, a full disk): the agent keeps the history screen.
    if (this.repo?.readonly || !existsSync(this.file)) return;
    try {
      this.useRepo(new HistoryRepository(this.file, { log: this.o.log, now: this.o.now, readonly: true }));
    } catch (e) {
      this.o.log.warn('history: not opened for reading either', { error: String(e) });
    }
  }

  private useRepo(repo: HistoryRepository): void {
    this.closeRepo();
    this.repo = repo;
    this.opening++;
    if (!repo.readonly) this.openedWritable = true;
    this.offRepo = repo.onChange((change) => {
      for (const l of [...this.changeListeners]) l(change);
    });
    if (repo.recoveredCalls > 0) {
      this.o.notice(
        'info',
        `${repo.recoveredCalls} call(s) were still up when the console last stopped; they are marked "interrupted" in the history.`,
      );
    }
  }

  private closeRepo(): void {
    this.offRepo?.();
    this.offRepo = null;
    const repo = this.repo;
    this.repo = null;
    try {
      repo?.close();
    } catch (e) {
      // A damaged or unwritable file may refuse the last tidy-up; the connection is closed all the same.
      this.o.log.warn('history: closing the file failed', { error: String(e) });
    }
  }

  /**
   * The file is damaged: close it, move it (and its WAL) aside, start a fresh
   * one. True when a fresh file is open. A file that cannot be moved stays
   * where it is and is not written again; the probe tries the move later.
   */
  private replaceDamaged(error: unknown): boolean {
    const code = error === null ? this.problemCode : codeOf(error);
    this.closeRepo();
    const kept = this.keptName();
    try {
      moveWithWal(this.file, kept);
    } catch (e) {
      this.o.log.error('history: damaged file could not be moved aside', { error: String(e) });
      if (!this.damagedInPlace) {
        this.o.notice(
          'error',
          `The call history file ${this.file} is damaged and could not be moved aside (${codeOf(e) ?? String(e)}). ` +
            'Calls are kept in memory meanwhile and the console keeps trying; if this stays, make the folder writable and restart the console.',
        );
      }
      this.damagedInPlace = true;
      this.enterFault('damaged', code);
      return false;
    }
    this.damagedInPlace = false;
    this.setAsidePath = kept;
    this.o.log.error('history: damaged file moved aside; a new one was started', { kept, code });
    this.o.notice(
      'warning',
      `The call history file was damaged${code ? ` (${code})` : ''}. It was kept as ${kept} — nothing was deleted — and a new history was started: ` +
        'calls are recorded there from now on. The kept file can be examined or repaired with the sqlite3 tool (.recover).',
    );
    try {
      this.useRepo(new HistoryRepository(this.file, { log: this.o.log, now: this.o.now, recoverOpenCalls: false }));
    } catch (e) {
      this.o.log.error('history: a new file could not be started', { error: String(e) });
      this.enterFault(diagnose(storageFaultOf(e) ?? 'unknown', this.file, this.folder), codeOf(e));
      return false;
    }
    if (this.recorder.waiting === 0 && this.problem === 'damaged') this.recovered();
    this.publish();
    return true;
  }

  private keptName(): string {
    const ext = extname(this.file);
    const stem = basename(this.file, ext);
    const stamp = new Date(this.o.now()).toISOString().replace(/[:.]/g, '-');
    let kept = join(this.folder, `${stem}-damaged-${stamp}${ext}`);
    for (let n = 2; existsSync(kept); n++) kept = join(this.folder, `${stem}-damaged-${stamp}-${n}${ext}`);
    return kept;
  }

  private enterFault(fault: StorageFault, code: string | null, publish = true): void {
    if (this.problem !== fault) {
      this.o.log.error('history: calls are not being recorded', { fault, code });
      this.problem = fault;
      this.problemCode = code;
    }
    this.since ??= this.o.now();
    this.schedule();
    if (publish) this.publish();
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.problem === 'too-new') return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.retry();
    }, delay);
    this.timer.unref?.();
  }

  private message(): string {
    const problem = this.problem ?? 'unknown';
    const kept =
      problem === 'too-new'
        ? 'Calls of this session are kept only until the console closes.'
        : 'Calls are kept in memory and written as soon as it can.';
    return `Calls are not being recorded: ${faultSentence(problem, this.file, this.folder)}. ${kept}`;
  }

  private publish(): void {
    if (this.stopped) return;
    const status = this.status();
    const text = JSON.stringify(status);
    if (text === this.published) return;
    this.published = text;
    for (const l of [...this.statusListeners]) l(status);
  }
}

/**
 * Moves a SQLite file and its -wal and -shm to a new name, all or nothing: a
 * WAL left behind would be replayed into the fresh file that takes the old
 * name, and a WAL parted from its file loses the file's last transactions.
 */
function moveWithWal(from: string, to: string): void {
  const moved: Array<[string, string]> = [];
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      if (suffix !== '' && !existsSync(from + suffix)) continue;
      renameSync(from + suffix, to + suffix);
      moved.push([from + suffix, to + suffix]);
    }
  } catch (e) {
    for (const [a, b] of moved.reverse()) {
      try {
        renameSync(b, a);
      } catch {
        // Both names are ours; what could not be moved back is still under the kept name, never deleted.
      }
    }
    throw e;
  }
}
