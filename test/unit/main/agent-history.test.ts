/**
 * Agent status in the history: migration 0006 from a version-5 file with calls
 * in it (calls untouched, the new table STRICT with its enums enforced), and
 * the repository recording one period per status — the previous one closed at
 * the same moment, extensions counted, the open one closed on stop, and one a
 * crash left open kept with an unknown end.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/history/database';
import { migrations } from '../../../main/history/migrations';
import { HistoryRepository } from '../../../main/history/repository';
import { tempDir } from './history-fixtures';

let tmp: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  tmp = tempDir('agent-history-');
  path = join(tmp.dir, 'history.sqlite3');
});
afterEach(() => tmp.remove());

describe('0006-agent-status (from version 5 with calls in it)', () => {
  it('adds a STRICT agent_status table and leaves the calls as they were', () => {
    // A file as the console before this migration wrote it, with an ended call and an open one.
    const v5 = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 5) });
    expect(v5.pragma('user_version', { simple: true })).toBe(5);
    const call = v5.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_digits, started_at, answered_at, ended_at, outcome) VALUES (@key, 'incoming', 'sip:1001@pbx', '2001', 10, 20, @ended, @outcome)",
    );
    call.run({ key: 'c1', ended: 80, outcome: 'answered' });
    call.run({ key: 'c2', ended: null, outcome: null });
    const callsBefore = v5.prepare('SELECT * FROM calls ORDER BY id').all();
    expect(callsBefore).toHaveLength(2);
    v5.close();

    const db = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 6) });
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(db.prepare('SELECT * FROM calls ORDER BY id').all()).toEqual(callsBefore);
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'agent_status'").get()).toEqual({ strict: 1 });
    const insert = db.prepare('INSERT INTO agent_status (status, cause, started_at, ended_at) VALUES (@status, @cause, @started, @ended)');
    insert.run({ status: 'wrap-up', cause: 'call-ended', started: 10, ended: 20 });
    expect(() => insert.run({ status: 'busy', cause: 'agent', started: 10, ended: null })).toThrow(/CHECK/);
    expect(() => insert.run({ status: 'away', cause: 'lunch', started: 10, ended: null })).toThrow(/CHECK/);
    expect(() => insert.run({ status: 'away', cause: 'agent', started: 10, ended: 5 })).toThrow(/CHECK/);
    expect(() => insert.run({ status: 'away', cause: 'agent', started: 'noon', ended: null })).toThrow(/cannot store TEXT/);
    db.close();
  });
});

describe('the repository as the agent status recorder', () => {
  it('stores one period per status, each closed when the next starts; extensions counted; closed on stop', () => {
    const repo = new HistoryRepository(path);
    repo.agentStatusStarted({ status: 'available', cause: 'start', at: 1000 });
    repo.agentStatusStarted({ status: 'wrap-up', cause: 'call-ended', at: 5000 });
    repo.agentWrapUpExtended({ at: 6000, endsAt: 65_000 });
    repo.agentWrapUpExtended({ at: 7000, endsAt: 95_000 });
    repo.agentStatusStarted({ status: 'away', cause: 'agent', at: 9000 });
    repo.agentStatusEnded(12_000);
    expect(repo.agentStatusPeriods()).toEqual([
      { status: 'away', cause: 'agent', startedAt: 9000, endedAt: 12_000, extensions: 0 },
      { status: 'wrap-up', cause: 'call-ended', startedAt: 5000, endedAt: 9000, extensions: 2 },
      { status: 'available', cause: 'start', startedAt: 1000, endedAt: 5000, extensions: 0 },
    ]);
    repo.close();
  });

  it('a period a crash left open keeps an unknown end; the next run starts its own', () => {
    const first = new HistoryRepository(path);
    first.agentStatusStarted({ status: 'away', cause: 'agent', at: 1000 });
    first.close(); // no agentStatusEnded: the process died
    const next = new HistoryRepository(path);
    next.agentStatusStarted({ status: 'available', cause: 'start', at: 50_000 });
    expect(next.agentStatusPeriods()).toEqual([
      { status: 'available', cause: 'start', startedAt: 50_000, endedAt: null, extensions: 0 },
      { status: 'away', cause: 'agent', startedAt: 1000, endedAt: null, extensions: 0 },
    ]);
    next.close();
  });
});
