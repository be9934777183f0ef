/**
 * The recorder the call service writes through, against a real history file
 * whose writes a test can make fail with SQLite's own codes: events are kept
 * in order while the storage refuses them, written once when it is back, a
 * call started meanwhile becomes one whole row, memory is bounded and what
 * did not fit is counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyRecorder } from '../../../main/calls/call/history';
import type { HistoryRepository } from '../../../main/history/repository';
import { ResilientRecorder, type RecorderTarget, type WritableHistory } from '../../../main/history/resilient-recorder';
import { silentLogger } from '../../../main/logging/logger';
import { openRepo, recordCall, tempDir } from './history-fixtures';

const sqliteError = (code: string) => Object.assign(new Error(code === 'SQLITE_FULL' ? 'database or disk is full' : code), { code });

/** A target over a real repository; `fault` set: every write throws it before touching the file. */
class Target implements RecorderTarget {
  fault: string | null = null;
  /** Throw after the write committed (a failure SQLite reported after the commit). */
  failAfterCommit = false;
  opening = 1;
  failures: string[] = [];
  recoveries = 0;
  constructor(public repo: HistoryRepository) {}
  writable() {
    const repo = this.repo;
    const guard =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (this.fault && !this.failAfterCommit) throw sqliteError(this.fault);
        fn(...a);
        if (this.fault && this.failAfterCommit) throw sqliteError(this.fault);
      };
    const history: WritableHistory = {
      hasOpenCall: (id) => repo.hasOpenCall(id),
      callStarted: guard((e) => repo.callStarted(e)),
      callAnswered: guard((id, at) => repo.callAnswered(id, at)),
      callEnded: guard((e) => repo.callEnded(e)),
      holdStarted: guard((id, at, heard) => repo.holdStarted(id, at, heard)),
      holdEnded: guard((id, at) => repo.holdEnded(id, at)),
      transferStep: guard((e) => repo.transferStep(e)),
    };
    return { history, opening: this.opening };
  }
  failed(error: unknown) {
    this.failures.push((error as { code: string }).code);
    return false;
  }
  recovered() {
    this.recoveries++;
  }
}

const start = (callId: string, at: number) =>
  ({ callId, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '+12025550134', displayName: 'Ada' }, at }) as const;

describe('ResilientRecorder', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: HistoryRepository;
  let target: Target;
  let changes: number;
  let rec: ResilientRecorder;
  const make = (capacity?: number) => {
    rec = new ResilientRecorder(target, { capacity, now: () => 5_000, log: silentLogger, changed: () => changes++ });
    return rec;
  };
  beforeEach(() => {
    tmp = tempDir('history-resilient-');
    repo = openRepo(tmp.dir);
    target = new Target(repo);
    changes = 0;
    make();
  });
  afterEach(() => {
    target.repo.close();
    tmp.remove();
  });

  it('writes through at once while the storage is fine, with nothing kept and no status change', () => {
    recordCall(rec, { callId: 'a', at: 1_000, number: '+1 202 555 0134' });
    expect(rec.counts()).toMatchObject({ waitingEvents: 0, waitingCalls: 0, lost: { events: 0, calls: 0 }, writtenBack: null });
    expect(changes).toBe(0);
    expect(repo.page().items).toMatchObject([{ callId: 'a', outcome: 'answered' }]);
  });

  it('keeps a call started while the disk is full, in order, and writes it as one whole row once space is back', () => {
    // One call already up when the disk fills.
    rec.callStarted(start('before', 900));
    target.fault = 'SQLITE_FULL';
    rec.callAnswered('before', 950);
    rec.callStarted(start('during', 1_000));
    // The answer and end of a call whose start still waits: they stay behind it.
    rec.callAnswered('during', 1_100);
    rec.holdStarted('during', 1_200, { music: 'Lounge' });
    rec.holdEnded('during', 1_300);
    rec.transferStep({ callId: 'during', transferId: 't1', step: 'requested', mode: 'blind', target: 'sip:2000@pbx', at: 1_400 });
    expect(rec.counts()).toMatchObject({ waitingEvents: 6, waitingCalls: 2 });
    expect(target.failures.every((c) => c === 'SQLITE_FULL')).toBe(true);
    expect(repo.page().items.map((c) => c.callId)).toEqual(['before']);

    // Space is back: the next event writes everything before it, then itself.
    target.fault = null;
    rec.callEnded({ callId: 'during', at: 1_500, outcome: 'answered', endedBy: 'remote' });
    expect(rec.counts()).toMatchObject({ waitingEvents: 0, waitingCalls: 0, writtenBack: { calls: 2, events: 7, at: 5_000 } });
    expect(target.recoveries).toBeGreaterThan(0);
    const during = repo.page().items.find((c) => c.callId === 'during')!;
    expect(during).toMatchObject({ startedAt: 1_000, answeredAt: 1_100, endedAt: 1_500, outcome: 'answered', transferTarget: 'sip:2000@pbx' });
    expect(repo.get(during.id).holds).toEqual([{ startedAt: 1_200, endedAt: 1_300, heard: 'music', music: 'Lounge' }]);
    expect(repo.page().items.find((c) => c.callId === 'before')).toMatchObject({ answeredAt: 950, endedAt: null });
    expect(repo.page().items).toHaveLength(2);
  });

  it('flush() (the probe) writes what waits without a new event', () => {
    target.fault = 'SQLITE_READONLY';
    recordCall(rec, { callId: 'a', at: 1_000 });
    expect(rec.flush()).toBe(false);
    target.fault = null;
    expect(rec.flush()).toBe(true);
    expect(repo.page().items).toMatchObject([{ callId: 'a', outcome: 'answered' }]);
    expect(rec.counts().writtenBack).toMatchObject({ calls: 1, events: 3 });
  });

  it('writes a start that failed after it committed only once', () => {
    target.fault = 'SQLITE_IOERR_WRITE';
    target.failAfterCommit = true;
    rec.callStarted(start('x', 1_000));
    target.fault = null;
    target.failAfterCommit = false;
    rec.callEnded({ callId: 'x', at: 2_000, outcome: 'missed', endedBy: 'remote' });
    expect(repo.page().items).toMatchObject([{ callId: 'x', outcome: 'missed' }]);
  });

  it('drops an event that is wrong rather than the disk (an unknown call): nothing waits for it', () => {
    rec.callAnswered('nobody', 1);
    expect(rec.counts().waitingEvents).toBe(0);
    expect(changes).toBe(0);
  });

  it('is bounded: past the capacity new calls are not kept at all, kept calls keep their end, and both are counted', () => {
    make(4);
    target.fault = 'SQLITE_FULL';
    rec.callStarted(start('kept', 1_000));
    rec.callAnswered('kept', 1_100);
    rec.holdStarted('kept', 1_200, 'you');
    rec.holdEnded('kept', 1_300); // the 4th: memory is full now
    rec.transferStep({ callId: 'kept', transferId: 't', step: 'requested', mode: 'blind', target: 'sip:2@pbx', at: 1_350 }); // lost
    rec.callStarted(start('dropped', 1_400)); // lost, and so is the rest of it
    rec.callAnswered('dropped', 1_500);
    rec.callEnded({ callId: 'kept', at: 1_600, outcome: 'answered', endedBy: 'agent' }); // kept past the bound
    rec.callEnded({ callId: 'dropped', at: 1_700, outcome: 'answered', endedBy: 'agent' });
    expect(rec.counts()).toMatchObject({ waitingEvents: 5, capacity: 4, lost: { events: 4, calls: 2 } });

    target.fault = null;
    expect(rec.flush()).toBe(true);
    // One whole row for the kept call; no row at all for the one that did not fit.
    expect(repo.page().items).toMatchObject([{ callId: 'kept', answeredAt: 1_100, endedAt: 1_600, held: true, transferTarget: null }]);
    // A later call of the dropped one's id is not affected: it starts afresh.
    rec.callStarted(start('next', 2_000));
    expect(repo.page().items.map((c) => c.callId)).toEqual(['next', 'kept']);
    expect(rec.counts().lost).toEqual({ events: 4, calls: 2 });
  });

  it('starts a call again in a file that replaced the one its start went to, so the new file holds it whole', () => {
    rec.callStarted(start('up', 1_000));
    rec.callAnswered('up', 1_100);
    // The file was damaged and replaced by a fresh one (the storage bumps the opening).
    const fresh = tempDir('history-resilient-fresh-');
    const old = target.repo;
    target.repo = openRepo(fresh.dir);
    target.opening = 2;
    rec.holdStarted('up', 1_200, 'silence');
    rec.callEnded({ callId: 'up', at: 1_500, outcome: 'answered', endedBy: 'remote' });
    const row = target.repo.page().items;
    expect(row).toMatchObject([{ callId: 'up', startedAt: 1_000, answeredAt: 1_100, endedAt: 1_500, held: true }]);
    old.close();
    target.repo.close();
    target.repo = openRepo(fresh.dir);
    fresh.remove();
  });

  it('after a reopening of the same file, a call is not started twice', () => {
    rec.callStarted(start('up', 1_000));
    target.opening = 2;
    rec.callEnded({ callId: 'up', at: 1_500, outcome: 'missed', endedBy: 'remote' });
    expect(repo.page().items).toHaveLength(1);
  });

  it('keeps who transferred a call through the whole chain: waiting in memory, written back, and started again in a replacement file', () => {
    // The call service's port in front, as the core wires it.
    const calls = historyRecorder(rec, () => 'sip:1001@pbx');
    const anna = { number: '2001', uri: 'sip:2001@pbx', displayName: 'Anna Berg' };
    const caller = { number: '2002', uri: 'sip:2002@pbx', displayName: 'Caller' };
    target.fault = 'SQLITE_FULL';
    calls.callStarted({ callId: 'waited', direction: 'incoming', remote: caller, at: 1_000, transferredBy: anna });
    calls.callEnded({ callId: 'waited', at: 1_500, reason: 'Canceled', by: 'remote', code: 487, answered: false });
    expect(rec.counts()).toMatchObject({ waitingEvents: 2, waitingCalls: 1 });
    target.fault = null;
    expect(rec.flush()).toBe(true);
    expect(repo.page().items).toMatchObject([{ callId: 'waited', outcome: 'missed', transferredBy: anna }]);

    // A call up when the file is replaced: its start is written again into the new file, transferrer included.
    calls.callStarted({ callId: 'up', direction: 'incoming', remote: caller, at: 2_000, transferredBy: anna });
    calls.callAnswered({ callId: 'up', at: 2_100 });
    const fresh = tempDir('history-resilient-fresh-');
    const old = target.repo;
    target.repo = openRepo(fresh.dir);
    target.opening = 2;
    calls.callEnded({ callId: 'up', at: 2_500, reason: 'Bye', by: 'remote', code: null, answered: true });
    expect(target.repo.page().items).toEqual([expect.objectContaining({ callId: 'up', answeredAt: 2_100, outcome: 'answered', transferredBy: anna })]);
    expect(target.repo.search({ query: 'anna' }).items.map((c) => c.callId)).toEqual(['up']);
    old.close();
    target.repo.close();
    target.repo = openRepo(fresh.dir);
    fresh.remove();
  });

  it('abandon() forgets what waits and says how much', () => {
    target.fault = 'SQLITE_FULL';
    recordCall(rec, { callId: 'a', at: 1_000 });
    expect(rec.abandon()).toBe(3);
    expect(rec.counts().waitingEvents).toBe(0);
  });
});
