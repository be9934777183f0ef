import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callDirections, ConsoleError, endedByValues, transferModes, transferStepKinds } from '../../../preload/contract';
import { HistoryTooNewError, latestVersion, migrate, openDatabase } from '../../../main/history/database';
import { migrations, type Migration } from '../../../main/history/migrations';
import { reverseDigits } from '../../../main/history/migrations/0003-number-suffix';
import { HistoryRepository } from '../../../main/history/repository';
import { historyFilePerTest, migrationsUpTo } from './history-fixtures';

const path = historyFilePerTest('history-migrations-');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('the migration list', () => {
  it('is numbered 1..n without gaps, one per file', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(latestVersion()).toBe(migrations.length);
    const files = readdirSync(join(import.meta.dirname, '../../../main/history/migrations')).filter((f) => /^\d{4}-/.test(f));
    expect(files.map((f) => Number(f.slice(0, 4)))).toEqual(migrations.map((m) => m.version));
  });
});

describe('0001-calls (from an empty file)', () => {
  it('creates STRICT tables whose enums, open/ended invariant and foreign keys are enforced', () => {
    const db = openDatabase(path(), { migrations: migrationsUpTo(1) });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    expect(tables).toEqual([
      { name: 'call_notes', strict: 1 },
      { name: 'calls', strict: 1 },
      { name: 'holds', strict: 1 },
      { name: 'transfer_steps', strict: 1 },
    ]);
    const insert = db.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_digits, started_at, answered_at, ended_at, outcome) VALUES ('k', @direction, 'l', '1', 10, 20, @ended, @outcome)",
    );
    insert.run({ direction: 'inbound', ended: 80, outcome: 'answered' });
    expect(db.prepare('SELECT duration_ms FROM calls').get()).toEqual({ duration_ms: 60 });
    expect(() => insert.run({ direction: 'sideways', ended: 80, outcome: 'answered' })).toThrow(/CHECK/);
    expect(() => insert.run({ direction: 'inbound', ended: 80, outcome: null })).toThrow(/CHECK/); // half-ended
    expect(() => insert.run({ direction: 'inbound', ended: null, outcome: 'answered' })).toThrow(/CHECK/);
    // STRICT: a text where an integer belongs is refused, not silently stored.
    expect(() => db.prepare("UPDATE calls SET started_at = 'yesterday'").run()).toThrow(/cannot store TEXT value in INTEGER/);
    expect(() => db.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (999, 'x', 1)").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO holds (call_id, started_at, heard, music) VALUES (1, 1, 'music', 'lounge')").run();
    expect(() => db.prepare("INSERT INTO holds (call_id, started_at, heard) VALUES (1, 1, 'music')").run()).toThrow(/CHECK/);
    db.prepare('DELETE FROM calls').run();
    expect(db.prepare('SELECT count(*) AS n FROM holds').get()).toEqual({ n: 0 }); // cascades
    db.close();
  });
});

describe('0002-search (from version 1 with calls and notes in it)', () => {
  it('indexes the existing calls and notes so they are found by number, name and note', () => {
    const v1 = openDatabase(path(), { migrations: migrationsUpTo(1) });
    const call = v1.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_name, started_at) VALUES (?, 'inbound', 'l', ?, ?, ?, ?)",
    );
    call.run('old-1', '+1 (202) 555-0134', '12025550134', 'Ada Lovelace', 1000);
    call.run('old-2', null, '4420', 'Grace Hopper', 2000);
    v1.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (2, 'asked about the invoice', 3000)").run();
    v1.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (2, 'called back', 4000)").run();
    v1.close();

    const repo = new HistoryRepository(path());
    const search = (query: string) => repo.search({ query }).items.map((c) => c.callId);
    // Both calls were open in version 1: reopening marks them interrupted, and they keep their data.
    expect(repo.recoveredCalls).toBe(2);
    expect(search('2025550134')).toEqual(['old-1']);
    expect(search('lovelace')).toEqual(['old-1']);
    expect(search('invoice')).toEqual(['old-2']);
    expect(search('called back')).toEqual(['old-2']);
    expect(repo.get(2).notes.map((n) => n.text)).toEqual(['asked about the invoice', 'called back']);
    repo.close();
    const db = openDatabase(path());
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT count(*) AS n FROM call_search').get()).toEqual({ n: 2 });
    db.close();
  });
});

describe('0003-number-suffix (from version 2 with calls in it)', () => {
  it('backfills the reversed digits so existing calls are found by the end of their number', () => {
    const v2 = openDatabase(path(), { migrations: migrationsUpTo(2) });
    const call = v2.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, started_at, ended_at, outcome) VALUES (?, 'outbound', 'l', ?, ?, ?, ?, 'answered')",
    );
    call.run('a', '+1 (202) 555-0134', '12025550134', 1000, 2000);
    call.run('b', '(202) 555-0177', '2025550177', 3000, 4000);
    call.run('c', null, '', 5000, 6000); // no number at all
    v2.close();

    const db = openDatabase(path(), { migrations: migrationsUpTo(3) });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT call_key, remote_digits_rev FROM calls ORDER BY id').all()).toEqual([
      { call_key: 'a', remote_digits_rev: '43105552021' },
      { call_key: 'b', remote_digits_rev: '7710555202' },
      { call_key: 'c', remote_digits_rev: '' },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'calls_by_digits_rev'").get()).toEqual({ n: 1 });
    db.close();

    const repo = new HistoryRepository(path());
    const search = (query: string) => repo.search({ query }).items.map((c) => c.callId);
    expect(search('555-0134')).toEqual(['a']);
    expect(search('+1 202 555 0177')).toEqual(['b']);
    expect(search('0134')).toEqual(['a']);
    repo.close();
  });
});

/** A version-3 file with a row of every kind, in the words version 3 stored. */
function seedVersion3(file: string): void {
  const db = openDatabase(file, { migrations: migrationsUpTo(3) });
  const call = db.prepare(`
    INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name, queue,
                       started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason, ended_by, disposition)
    VALUES (@key, @direction, 'sip:1001@pbx.example.com', @number, @digits, @rev, @uri, @name, @queue,
            @at, @ringing, @answered, @ended, @outcome, @code, @reason, @by, @disposition)`);
  const base = { number: null, uri: null, name: null, queue: null, ringing: null, answered: null, ended: null, outcome: null, code: null, reason: null, by: null, disposition: null };
  const add = (c: { [K in keyof typeof base]?: string | number } & { key: string; direction: string; at: number; digits?: string }) => {
    const digits = c.digits ?? '';
    call.run({ ...base, ...c, digits, rev: reverseDigits(digits) });
  };
  add({ key: 'in-answered', direction: 'inbound', at: 1_000, number: '+1 (202) 555-0134', digits: '12025550134', name: 'Ada Lovelace', queue: 'support', ringing: 1_100, answered: 2_000, ended: 62_000, outcome: 'answered', by: 'local', disposition: 'resolved' });
  add({ key: 'out-busy', direction: 'outbound', at: 100_000, number: '(202) 555-0177', digits: '2025550177', name: 'Grace Hopper', ended: 104_000, outcome: 'busy', code: 486, reason: 'Busy Here', by: 'remote' });
  add({ key: 'in-interrupted', direction: 'inbound', at: 200_000, uri: 'sip:+12025550199@pbx.example.com', digits: '12025550199', name: 'José Álvarez', answered: 201_000, ended: 230_000, outcome: 'interrupted', reason: 'The console stopped while the call was up', by: 'system' });
  add({ key: 'in-transferred', direction: 'inbound', at: 300_000, number: '+44 20 7946 0958', digits: '442079460958', name: 'Alan Turing', answered: 301_000, ended: 340_000, outcome: 'transferred', code: 200, by: 'local' });
  add({ key: 'out-open', direction: 'outbound', at: 400_000, number: '4420', digits: '4420', name: 'Radia Perlman', answered: 401_000 }); // up when the console stopped

  const hold = db.prepare('INSERT INTO holds (call_id, started_at, ended_at, heard, music) VALUES (?, ?, ?, ?, ?)');
  hold.run(1, 10_000, 20_000, 'music', 'builtin:lounge');
  hold.run(1, 30_000, 35_000, 'you', null);
  hold.run(5, 405_000, null, 'silence', null);
  const note = db.prepare('INSERT INTO call_notes (call_id, text, at) VALUES (?, ?, ?)');
  note.run(1, 'asked about the invoice', 70_000);
  note.run(1, 'called back', 80_000);
  note.run(4, 'escalated to billing', 350_000);
  // Every step and mode version 3 allowed, as one long timeline on the transferred call.
  const step = db.prepare('INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, detail, at) VALUES (4, ?, ?, ?, ?, ?, ?, ?)');
  oldSteps.forEach((kind, i) => step.run(`t${i % 3}`, kind, oldModes[i % oldModes.length], 'sip:2000@pbx', kind === 'failed' ? 486 : null, kind === 'failed' ? 'Busy Here' : null, 310_000 + i));
  db.close();
}
const oldSteps = ['requested', 'dialing', 'ringing', 'answered', 'refer-sent', 'accepted', 'completed', 'failed', 'taken-back', 'cancelled', 'undone', 'converted-to-blind'];
const oldModes = ['blind', 'safe-blind', 'attended'];

type Row = Record<string, unknown>;
function snapshot(file: string) {
  const db = openDatabase(file, { readonly: true });
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  const normal = (sql: unknown) => String(sql).replace(/\s+/g, ' ');
  const result = {
    version: db.pragma('user_version', { simple: true }) as number,
    calls: all('SELECT * FROM calls ORDER BY id'),
    steps: all('SELECT * FROM transfer_steps ORDER BY id'),
    holds: all('SELECT * FROM holds ORDER BY id'),
    notes: all('SELECT * FROM call_notes ORDER BY id'),
    search: all('SELECT rowid, digits, name, notes FROM call_search ORDER BY rowid'),
    // Indexes and triggers as the file holds them (whitespace aside): what 0001–0003 set up.
    schema: all("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name").map(
      (r) => ({ ...r, sql: normal(r.sql) }),
    ),
    strict: all("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name IN ('calls', 'transfer_steps', 'holds', 'call_notes') ORDER BY name"),
  };
  db.close();
  return result;
}

describe('0004-service-words (from version 3 with rows of every kind)', () => {
  it("rebuilds calls and transfer steps in the services' words, keeping every row, index, trigger and search entry", () => {
    seedVersion3(path());
    const before = snapshot(path());
    expect(before.version).toBe(3);
    expect(before.calls).toHaveLength(5);
    expect(before.steps).toHaveLength(oldSteps.length);

    const db = openDatabase(path(), { migrations: migrationsUpTo(4) });
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    // Foreign keys were off only around the migration.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const after = snapshot(path());

    const word: Record<string, string> = { inbound: 'incoming', outbound: 'outgoing', local: 'agent' };
    expect(after.calls).toEqual(
      before.calls.map((c) => ({ ...c, direction: word[String(c.direction)], ended_by: c.ended_by === null ? null : (word[String(c.ended_by)] ?? c.ended_by) })),
    );
    expect(after.calls.map((c) => [c.call_key, c.direction, c.ended_by])).toEqual([
      ['in-answered', 'incoming', 'agent'],
      ['out-busy', 'outgoing', 'remote'],
      ['in-interrupted', 'incoming', 'system'],
      ['in-transferred', 'incoming', 'agent'],
      ['out-open', 'outgoing', null],
    ]);
    expect(after.steps).toEqual(before.steps);
    expect(after.holds).toEqual(before.holds);
    expect(after.notes).toEqual(before.notes);
    expect(after.search).toEqual(before.search);
    expect(after.schema).toEqual(before.schema);
    expect(after.strict).toEqual(before.strict);
  });

  it('leaves a file the repository reads, searches and keeps recording into', () => {
    seedVersion3(path());
    const repo = new HistoryRepository(path());
    try {
      expect(repo.recoveredCalls).toBe(1); // out-open, up when the console stopped
      const ids = (items: Array<{ callId: string }>) => items.map((c) => c.callId);
      const search = (query: string) => ids(repo.search({ query }).items);
      expect(search('2025550134')).toEqual(['in-answered']);
      expect(search('555-0177')).toEqual(['out-busy']);
      expect(search('2025550199')).toEqual(['in-interrupted']);
      expect(search('lovelace')).toEqual(['in-answered']);
      expect(search('alvarez')).toEqual(['in-interrupted']);
      expect(search('invoice')).toEqual(['in-answered']);
      expect(search('billing')).toEqual(['in-transferred']);
      expect(search('perlman')).toEqual(['out-open']);
      expect(ids(repo.page({ filter: { direction: 'outgoing' } }).items)).toEqual(['out-open', 'out-busy']);
      expect(ids(repo.page({ filter: { direction: 'incoming', transferred: true } }).items)).toEqual(['in-transferred']);

      const transferred = repo.get(4);
      expect(transferred.call).toMatchObject({ direction: 'incoming', endedBy: 'agent', outcome: 'transferred', noteCount: 1 });
      expect(transferred.transfers.map((t) => [t.step, t.mode])).toEqual(oldSteps.map((kind, i) => [kind, oldModes[i % oldModes.length]]));
      expect(repo.get(1).holds.map((h) => h.heard)).toEqual(['music', 'you']);
      expect(repo.get(5)).toMatchObject({ call: { outcome: 'interrupted', endedBy: 'system' }, holds: [{ heard: 'silence', endedAt: 405_000 }] });

      // New rows go through the rebuilt table and its recreated triggers.
      repo.callStarted({ callId: 'new', direction: 'incoming', localLine: 'l', remote: { number: '+1 (202) 555-0100', displayName: 'Barbara Liskov' }, at: 500_000 });
      repo.transferStep({ callId: 'new', transferId: 'x', step: 'offered', mode: 'incoming-refer', target: 'sip:2000@pbx', at: 500_100 });
      repo.transferStep({ callId: 'new', transferId: 'x', step: 'declined', mode: 'incoming-refer', target: 'sip:2000@pbx', at: 500_200 });
      repo.callEnded({ callId: 'new', at: 500_300, outcome: 'missed', endedBy: 'agent' });
      expect(search('liskov')).toEqual(['new']);
      expect(search('555-0100')).toEqual(['new']);
      expect(repo.get(6).transfers.map((t) => t.step)).toEqual(['offered', 'declined']);
      // The delete trigger and the cascades work on the rebuilt tables: retention takes a call and all it had.
      expect(repo.deleteEndedBefore(250_000, 10)).toBe(3);
      expect(search('invoice')).toEqual([]);
      expect(search('lovelace')).toEqual([]);
      expect(repo.integrityCheck()).toBe('ok');
    } finally {
      repo.close();
    }
    const db = openDatabase(path());
    db.prepare("INSERT INTO call_search (call_search, rank) VALUES ('integrity-check', 1)").run();
    expect(db.prepare('SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM call_search) AS indexed').get()).toEqual({ calls: 3, indexed: 3 });
    expect(db.prepare('SELECT (SELECT count(*) FROM holds) AS holds, (SELECT count(*) FROM call_notes) AS notes, (SELECT count(*) FROM transfer_steps) AS steps').get()).toEqual({
      holds: 1,
      notes: 1,
      steps: oldSteps.length + 2,
    });
    expect(() => db.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (999, 'x', 'offered', 'blind', 't', 1)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it("accepts exactly the contract's words once it has run, and refuses the old ones", () => {
    const db = openDatabase(path(), { migrations: migrationsUpTo(4) });
    const call = db.prepare("INSERT INTO calls (call_key, direction, local_line, started_at, ended_at, outcome, ended_by) VALUES ('k', ?, 'l', 1, 2, 'failed', ?)");
    for (const direction of callDirections) for (const by of endedByValues) call.run(direction, by);
    expect(() => call.run('inbound', 'remote')).toThrow(/CHECK/);
    expect(() => call.run('outbound', 'remote')).toThrow(/CHECK/);
    expect(() => call.run('incoming', 'local')).toThrow(/CHECK/);
    const step = db.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (1, 'x', ?, ?, 't', 1)");
    // The words version 4 knew: `released` and `new-call` came with version 7.
    const v4Steps = transferStepKinds.filter((k) => k !== 'released' && k !== 'new-call');
    for (const kind of v4Steps) for (const mode of transferModes) step.run(kind, mode);
    expect(() => step.run('released', 'blind')).toThrow(/CHECK/);
    expect(() => step.run('exploded', 'blind')).toThrow(/CHECK/);
    expect(() => step.run('offered', 'sideways')).toThrow(/CHECK/);
    db.close();
  });

  it('rolls back and leaves the file at version 3 when a row points at a call that is not there', () => {
    seedVersion3(path());
    const raw = openDatabase(path(), { migrations: migrationsUpTo(3) });
    raw.pragma('foreign_keys = OFF'); // how such a row could get in: a tool writing without foreign keys
    raw.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (77, 'orphan', 1)").run();
    raw.close();
    const before = snapshot(path());

    const db = openDatabase(path(), { migrations: migrationsUpTo(3) });
    let error: unknown;
    try {
      migrate(db, migrationsUpTo(4));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'storage', message: expect.stringMatching(/1 row\(s\) point at missing rows.*call_notes.*schema 3/) });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1); // switched back on after the failure too
    db.close();
    expect(snapshot(path())).toEqual(before);
  });

  it('is refused, untouched, by a console that only knows version 3', () => {
    openDatabase(path(), { migrations: migrationsUpTo(4) }).close();
    const before = sha(path());
    expect(() => openDatabase(path(), { migrations: migrationsUpTo(3) })).toThrow(HistoryTooNewError);
    expect(sha(path())).toBe(before);
  });
});

describe('running migrations', () => {
  it('runs all pending ones in one transaction: a failing one leaves the file at its old version', () => {
    openDatabase(path(), { migrations: migrationsUpTo(1) }).close();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('disk on fire');
      },
    };
    expect(() => openDatabase(path(), { migrations: [...migrations, broken] })).toThrow('disk on fire');
    const db = openDatabase(path(), { migrations: migrationsUpTo(1) });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('half_done', 'call_search')").get()).toEqual({ n: 0 });
    expect(migrate(db, migrationsUpTo(1))).toEqual({ from: 1, to: 1 });
    db.close();
  });

  it('refuses a database from a newer console with a typed error and leaves the file byte-identical', () => {
    const db = openDatabase(path());
    db.prepare("INSERT INTO calls (call_key, direction, local_line, started_at) VALUES ('k', 'incoming', 'l', 1)").run();
    db.pragma('user_version = 99');
    db.close();
    const before = sha(path());
    const filesBefore = readdirSync(dirname(path())).sort();

    let error: unknown;
    try {
      new HistoryRepository(path());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryTooNewError);
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'storage', fileVersion: 99, supportedVersion: latestVersion() });
    expect((error as Error).message).toMatch(/newer version of the console.*left untouched/);
    expect(sha(path())).toBe(before);
    expect(readdirSync(dirname(path())).sort()).toEqual(filesBefore);
    // Asking again changes nothing either.
    expect(() => openDatabase(path())).toThrow(HistoryTooNewError);
    expect(sha(path())).toBe(before);
  });

  it('also refuses (untouched) a newer database whose latest pages are still in its WAL', () => {
    const writer = openDatabase(path());
    writer.pragma('wal_autocheckpoint = 0'); // keep the version bump in the WAL, not the main file
    writer.pragma('user_version = 42');
    expect(statSync(`${path()}-wal`).size).toBeGreaterThan(0);
    const before = sha(path());
    expect(() => new HistoryRepository(path())).toThrow(HistoryTooNewError);
    expect(sha(path())).toBe(before);
    writer.close();
  });

  it('refuses a file that is not a database with a typed error and leaves it alone', () => {
    writeFileSync(path(), 'this is not sqlite '.repeat(100));
    const before = sha(path());
    expect(() => new HistoryRepository(path())).toThrow(ConsoleError);
    expect(sha(path())).toBe(before);
  });
});
