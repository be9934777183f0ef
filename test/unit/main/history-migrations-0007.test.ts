/**
 * Migration 0007 (`released` and `new-call` transfer steps): seeded as a
 * version-6 file with steps of every kind version 6 allowed, migrated, and
 * checked row by row; then the repository records and reads the new steps.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transferModes, transferStepKinds } from '../../../preload/contract';
import { HistoryTooNewError, openDatabase } from '../../../main/history/database';
import { HistoryRepository } from '../../../main/history/repository';
import { historyFilePerTest, migrationsUpTo } from './history-fixtures';

const path = historyFilePerTest('history-migration-7-');
const newSteps = ['released', 'new-call'];
/** Every step version 6 accepted. */
const v6Steps = transferStepKinds.filter((k) => !newSteps.includes(k));

/** A version-6 file: two calls, one with a step of every kind and mode version 6 allowed. */
function seedVersion6(file: string) {
  const db = openDatabase(file, { migrations: migrationsUpTo(6) });
  const call = db.prepare(
    "INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, started_at, answered_at, ended_at, outcome, ended_by) VALUES (?, 'incoming', 'sip:1001@pbx', ?, ?, ?, ?, ?, ?, ?)",
  );
  call.run('blind-1', '2002', '2002', 1_000, 1_100, 9_000, 'transferred', 'agent');
  call.run('open-2', '2003', '2003', 10_000, 10_100, null, null, null);
  const step = db.prepare('INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  v6Steps.forEach((kind, i) =>
    step.run(1, `t${i % 2}`, kind, transferModes[i % transferModes.length], 'sip:2000@pbx', kind === 'failed' ? 486 : null, kind === 'completed' ? 'released after the transferee was dialled' : null, 2_000 + i),
  );
  step.run(2, 't9', 'requested', 'attended', 'sip:3000@pbx', null, null, 10_500);
  db.close();
}

const all = (file: string, sql: string) => {
  const db = openDatabase(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

describe('0007-released-steps (from version 6 with steps of every kind)', () => {
  it('rebuilds transfer_steps keeping every row, id and index, and accepts released and new-call', () => {
    seedVersion6(path());
    const stepsBefore = all(path(), 'SELECT * FROM transfer_steps ORDER BY id');
    const callsBefore = all(path(), 'SELECT * FROM calls ORDER BY id');
    expect(stepsBefore).toHaveLength(v6Steps.length + 1);
    // Version 6 refuses the new words.
    const v6 = openDatabase(path(), { migrations: migrationsUpTo(6) });
    expect(() => v6.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (1, 'x', 'released', 'blind', 't', 1)").run()).toThrow(/CHECK/);
    v6.close();

    const db = openDatabase(path(), { migrations: migrationsUpTo(7) });
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'transfer_steps'").get()).toEqual({ strict: 1 });
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'transfer_steps' AND sql IS NOT NULL").all()).toEqual([
      { name: 'transfer_steps_by_call' },
    ]);
    // Exactly the contract's words now: every step and mode, and nothing else.
    const insert = db.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (2, 'y', ?, ?, 't', 1)");
    for (const kind of transferStepKinds) for (const mode of transferModes) insert.run(kind, mode);
    expect(() => insert.run('exploded', 'blind')).toThrow(/CHECK/);
    expect(() => insert.run('released', 'sideways')).toThrow(/CHECK/);
    // Still hangs off calls: a step for no call is refused, and a call takes its steps with it.
    expect(() => db.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (99, 'x', 'released', 'blind', 't', 1)").run()).toThrow(/FOREIGN KEY/);
    db.prepare("DELETE FROM transfer_steps WHERE transfer_id = 'y'").run();
    db.close();

    expect(all(path(), 'SELECT * FROM transfer_steps ORDER BY id')).toEqual(stepsBefore);
    expect(all(path(), 'SELECT * FROM calls ORDER BY id')).toEqual(callsBefore);
    const cascade = openDatabase(path());
    cascade.prepare('DELETE FROM calls WHERE id = 1').run();
    expect(cascade.prepare('SELECT count(*) AS n FROM transfer_steps').get()).toEqual({ n: 1 });
    cascade.close();
  });

  it('leaves a file the repository records a released blind into, and reads back in order', () => {
    seedVersion6(path());
    const repo = new HistoryRepository(path());
    try {
      expect(repo.recoveredCalls).toBe(1); // open-2 was up when the console stopped
      const old = repo.get(1).transfers.map((t) => t.step);
      expect(old).toEqual(v6Steps);
      repo.callStarted({ callId: 'late', direction: 'incoming', localLine: 'l', remote: { number: '2004', displayName: null }, at: 20_000 });
      const step = (s: 'requested' | 'released' | 'completed' | 'new-call', at: number, sipCode: number | null = null, detail: string | null = null) =>
        repo.transferStep({ callId: 'late', transferId: 'x', step: s, mode: 'blind', target: 'sip:2000@pbx', sipCode, detail, at });
      step('requested', 20_100);
      step('released', 20_200, 100, 'released at NOTIFY 100; outcome not known');
      step('completed', 25_000, 200, 'late');
      step('new-call', 25_100);
      repo.callEnded({ callId: 'late', at: 26_000, outcome: 'transferred', endedBy: 'agent' });
      const detail = repo.get(3);
      expect(detail.transfers.map((t) => [t.step, t.sipCode, t.detail])).toEqual([
        ['requested', null, null],
        ['released', 100, 'released at NOTIFY 100; outcome not known'],
        ['completed', 200, 'late'],
        ['new-call', null, null],
      ]);
      expect(repo.integrityCheck()).toBe('ok');
    } finally {
      repo.close();
    }
  });

  it('is refused, untouched, by a console that only knows version 6', () => {
    openDatabase(path(), { migrations: migrationsUpTo(7) }).close();
    const sha = () => createHash('sha256').update(readFileSync(path())).digest('hex');
    const before = sha();
    expect(() => openDatabase(path(), { migrations: migrationsUpTo(6) })).toThrow(HistoryTooNewError);
    expect(sha()).toBe(before);
  });
});
