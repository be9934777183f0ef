import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleError } from '../../../preload/contract';
import { HistoryTooNewError, latestVersion, migrate, openDatabase } from '../../../main/history/database';
import { migrations, type Migration } from '../../../main/history/migrations';
import { HistoryRepository } from '../../../main/history/repository';
import { tempDir } from './history-fixtures';

let tmp: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  tmp = tempDir('history-migrations-');
  path = join(tmp.dir, 'history.sqlite3');
});
afterEach(() => tmp.remove());

const upTo = (version: number) => migrations.filter((m) => m.version <= version);
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
    const db = openDatabase(path, { migrations: upTo(1) });
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
    const v1 = openDatabase(path, { migrations: upTo(1) });
    const call = v1.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_name, started_at) VALUES (?, 'inbound', 'l', ?, ?, ?, ?)",
    );
    call.run('old-1', '+1 (202) 555-0134', '12025550134', 'Ada Lovelace', 1000);
    call.run('old-2', null, '4420', 'Grace Hopper', 2000);
    v1.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (2, 'asked about the invoice', 3000)").run();
    v1.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (2, 'called back', 4000)").run();
    v1.close();

    const repo = new HistoryRepository(path);
    const search = (query: string) => repo.search({ query }).items.map((c) => c.callId);
    // Both calls were open in version 1: reopening marks them interrupted, and they keep their data.
    expect(repo.recoveredCalls).toBe(2);
    expect(search('2025550134')).toEqual(['old-1']);
    expect(search('lovelace')).toEqual(['old-1']);
    expect(search('invoice')).toEqual(['old-2']);
    expect(search('called back')).toEqual(['old-2']);
    expect(repo.get(2).notes.map((n) => n.text)).toEqual(['asked about the invoice', 'called back']);
    repo.close();
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare('SELECT count(*) AS n FROM call_search').get()).toEqual({ n: 2 });
    db.close();
  });
});

describe('0003-number-suffix (from version 2 with calls in it)', () => {
  it('backfills the reversed digits so existing calls are found by the end of their number', () => {
    const v2 = openDatabase(path, { migrations: upTo(2) });
    const call = v2.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, started_at, ended_at, outcome) VALUES (?, 'outbound', 'l', ?, ?, ?, ?, 'answered')",
    );
    call.run('a', '+1 (202) 555-0134', '12025550134', 1000, 2000);
    call.run('b', '(202) 555-0177', '2025550177', 3000, 4000);
    call.run('c', null, '', 5000, 6000); // no number at all
    v2.close();

    const db = openDatabase(path, { migrations: upTo(3) });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT call_key, remote_digits_rev FROM calls ORDER BY id').all()).toEqual([
      { call_key: 'a', remote_digits_rev: '43105552021' },
      { call_key: 'b', remote_digits_rev: '7710555202' },
      { call_key: 'c', remote_digits_rev: '' },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'calls_by_digits_rev'").get()).toEqual({ n: 1 });
    db.close();

    const repo = new HistoryRepository(path);
    const search = (query: string) => repo.search({ query }).items.map((c) => c.callId);
    expect(search('555-0134')).toEqual(['a']);
    expect(search('+1 202 555 0177')).toEqual(['b']);
    expect(search('0134')).toEqual(['a']);
    repo.close();
  });
});

describe('running migrations', () => {
  it('runs all pending ones in one transaction: a failing one leaves the file at its old version', () => {
    openDatabase(path, { migrations: upTo(1) }).close();
    const broken: Migration = {
      version: migrations.length + 1,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('disk on fire');
      },
    };
    expect(() => openDatabase(path, { migrations: [...migrations, broken] })).toThrow('disk on fire');
    const db = openDatabase(path, { migrations: upTo(1) });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('half_done', 'call_search')").get()).toEqual({ n: 0 });
    expect(migrate(db, upTo(1))).toEqual({ from: 1, to: 1 });
    db.close();
  });

  it('refuses a database from a newer console with a typed error and leaves the file byte-identical', () => {
    const db = openDatabase(path);
    db.prepare("INSERT INTO calls (call_key, direction, local_line, started_at) VALUES ('k', 'inbound', 'l', 1)").run();
    db.pragma('user_version = 99');
    db.close();
    const before = sha(path);
    const filesBefore = readdirSync(tmp.dir).sort();

    let error: unknown;
    try {
      new HistoryRepository(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryTooNewError);
    expect(error).toBeInstanceOf(ConsoleError);
    expect(error).toMatchObject({ code: 'storage', fileVersion: 99, supportedVersion: latestVersion() });
    expect((error as Error).message).toMatch(/newer version of the console.*left untouched/);
    expect(sha(path)).toBe(before);
    expect(readdirSync(tmp.dir).sort()).toEqual(filesBefore);
    // Asking again changes nothing either.
    expect(() => openDatabase(path)).toThrow(HistoryTooNewError);
    expect(sha(path)).toBe(before);
  });

  it('also refuses (untouched) a newer database whose latest pages are still in its WAL', () => {
    const writer = openDatabase(path);
    writer.pragma('wal_autocheckpoint = 0'); // keep the version bump in the WAL, not the main file
    writer.pragma('user_version = 42');
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    const before = sha(path);
    expect(() => new HistoryRepository(path)).toThrow(HistoryTooNewError);
    expect(sha(path)).toBe(before);
    writer.close();
  });

  it('refuses a file that is not a database with a typed error and leaves it alone', () => {
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    const before = sha(path);
    expect(() => new HistoryRepository(path)).toThrow(ConsoleError);
    expect(sha(path)).toBe(before);
  });
});
