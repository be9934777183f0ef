/**
 * Migration 0008 (who transferred a call): seeded as a version-7 file with
 * calls of every kind, notes, holds and transfer steps, migrated, and checked
 * row by row — every row kept, the three new columns NULL, the search index
 * untouched and still finding every old call; then the columns' checks and
 * the replaced search triggers on new rows.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { transferrerBounds } from '../../../preload/contract';
import { HistoryTooNewError, openDatabase } from '../../../main/history/database';
import { reverseDigits } from '../../../main/history/migrations/0003-number-suffix';
import { HistoryRepository } from '../../../main/history/repository';
import { historyFilePerTest, migrationsUpTo } from './history-fixtures';

const path = historyFilePerTest('history-migration-8-');
const newColumns = ['transferred_by_name', 'transferred_by_number', 'transferred_by_uri'];

/** A version-7 file: an answered call with notes and a hold, a transferred one with steps, a missed one, one left open. */
function seedVersion7(file: string) {
  const db = openDatabase(file, { migrations: migrationsUpTo(7) });
  const call = db.prepare(`
    INSERT INTO calls (call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name,
                       started_at, answered_at, ended_at, outcome, ended_by)
    VALUES (@key, @direction, 'sip:1001@pbx.example.com', @number, @digits, @rev, @uri, @name, @at, @answered, @ended, @outcome, @by)`);
  const add = (c: { key: string; direction: string; number: string | null; uri?: string | null; name: string | null; at: number; answered?: number | null; ended?: number | null; outcome?: string | null; by?: string | null }) => {
    const digits = (c.number ?? '').replace(/\D+/g, '');
    call.run({ uri: null, answered: null, ended: null, outcome: null, by: null, ...c, digits, rev: reverseDigits(digits) });
  };
  add({ key: 'answered', direction: 'incoming', number: '+1 (202) 555-0134', name: 'Ada Lovelace', at: 1_000, answered: 2_000, ended: 60_000, outcome: 'answered', by: 'agent' });
  add({ key: 'transferred', direction: 'incoming', number: '+44 20 7946 0958', name: 'Alan Turing', at: 100_000, answered: 101_000, ended: 140_000, outcome: 'transferred', by: 'agent' });
  add({ key: 'missed', direction: 'incoming', number: null, uri: 'sip:grace@pbx.example.com', name: 'Grace Hopper', at: 200_000, ended: 230_000, outcome: 'missed', by: 'remote' });
  add({ key: 'open', direction: 'outgoing', number: '4420', name: 'Radia Perlman', at: 300_000, answered: 301_000 });
  db.prepare("INSERT INTO call_notes (call_id, text, at) VALUES (1, 'asked about the invoice', 70_000)").run();
  db.prepare("INSERT INTO holds (call_id, started_at, ended_at, heard, music) VALUES (1, 10_000, 20_000, 'music', 'builtin:lounge')").run();
  const step = db.prepare("INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, at) VALUES (2, 't', ?, 'blind', 'sip:2000@pbx', ?)");
  step.run('requested', 110_000);
  step.run('released', 111_000);
  db.close();
}

type Row = Record<string, unknown>;
function snapshot(file: string) {
  const db = openDatabase(file, { readonly: true });
  const all = (sql: string) => db.prepare(sql).all() as Row[];
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      calls: all('SELECT * FROM calls ORDER BY id'),
      steps: all('SELECT * FROM transfer_steps ORDER BY id'),
      holds: all('SELECT * FROM holds ORDER BY id'),
      notes: all('SELECT * FROM call_notes ORDER BY id'),
      search: all('SELECT rowid, digits, name, notes FROM call_search ORDER BY rowid'),
      indexes: all("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"),
      triggers: all("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name"),
    };
  } finally {
    db.close();
  }
}

describe('0008-transferred-by (from version 7 with rows of every kind)', () => {
  it('adds three NULL columns to every existing call and keeps every row, index and search entry', () => {
    seedVersion7(path());
    const before = snapshot(path());
    expect(before.version).toBe(7);
    expect(before.calls).toHaveLength(4);

    const db = openDatabase(path(), { migrations: migrationsUpTo(8) });
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'calls'").get()).toEqual({ strict: 1 });
    const columns = (db.prepare("SELECT name, type, \"notnull\" FROM pragma_table_info('calls')").all() as Array<{ name: string; type: string; notnull: number }>).slice(-3);
    expect(columns).toEqual(newColumns.map((name) => ({ name, type: 'TEXT', notnull: 0 })));
    db.prepare("INSERT INTO call_search (call_search, rank) VALUES ('integrity-check', 1)").run();
    db.close();

    const after = snapshot(path());
    expect(after.calls).toEqual(before.calls.map((c) => ({ ...c, transferred_by_name: null, transferred_by_number: null, transferred_by_uri: null })));
    expect(after.steps).toEqual(before.steps);
    expect(after.holds).toEqual(before.holds);
    expect(after.notes).toEqual(before.notes);
    expect(after.search).toEqual(before.search); // nothing re-indexed: existing calls have no transferrer
    expect(after.indexes).toEqual(before.indexes);
    expect(after.triggers).toEqual(before.triggers); // the same triggers by name, replaced in place
  });

  it('leaves a file the repository reads, searches and records a transferred call into', () => {
    seedVersion7(path());
    const repo = new HistoryRepository(path());
    try {
      expect(repo.recoveredCalls).toBe(1); // "open" was up when the console stopped
      const search = (query: string) => repo.search({ query }).items.map((c) => c.callId);
      // Old calls: read with no transferrer, found as before.
      for (const c of repo.page().items) expect('transferredBy' in c).toBe(false);
      expect(search('lovelace')).toEqual(['answered']);
      expect(search('invoice')).toEqual(['answered']);
      expect(search('grace@pbx')).toEqual(['missed']);
      expect(search('555-0134')).toEqual(['answered']);
      expect(repo.get(2).transfers.map((t) => t.step)).toEqual(['requested', 'released']);

      // A new call transferred by Anna Berg: stored, read back, and found by her name and address.
      repo.callStarted({
        callId: 'via-anna',
        direction: 'incoming',
        localLine: 'sip:1001@pbx.example.com',
        remote: { number: '+1 202 555 0177', uri: 'sip:+12025550177@pbx.example.com', displayName: 'Barbara Liskov' },
        transferredBy: { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' },
        at: 400_000,
      });
      repo.callEnded({ callId: 'via-anna', at: 401_000, outcome: 'missed', endedBy: 'remote' });
      expect(repo.get(5).call.transferredBy).toEqual({ number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' });
      expect(search('Berg')).toEqual(['via-anna']);
      expect(search('anna berg')).toEqual(['via-anna']);
      expect(search('liskov')).toEqual(['via-anna']);
      expect(search('2001@pbx')).toEqual(['via-anna']);
      // Numbers stay the caller's: the transferrer's extension is not the call's number.
      expect(repo.search({ query: '2001' }).items).toEqual([]);
      expect(search('555-0177')).toEqual(['via-anna']);
      // Retention takes the call and its search entry with it.
      expect(repo.deleteEndedBefore(500_000, 10)).toBe(5);
      expect(search('Berg')).toEqual([]);
      expect(repo.integrityCheck()).toBe('ok');
    } finally {
      repo.close();
    }
  });

  it('checks the new columns: the bounds of the contract, no empty text, no control characters', () => {
    const db = openDatabase(path(), { migrations: migrationsUpTo(8) });
    const insert = db.prepare(
      "INSERT INTO calls (call_key, direction, local_line, started_at, transferred_by_name, transferred_by_number, transferred_by_uri) VALUES ('k', 'incoming', 'l', 1, ?, ?, ?)",
    );
    const bounds = [transferrerBounds.displayName, transferrerBounds.number, transferrerBounds.uri];
    bounds.forEach((max, i) => {
      const values = (v: string | null): Array<string | null> => bounds.map((_, j) => (j === i ? v : null));
      insert.run(...values('ä'.repeat(max))); // characters, not bytes
      expect(() => insert.run(...values('x'.repeat(max + 1)))).toThrow(/CHECK/);
      expect(() => insert.run(...values(''))).toThrow(/CHECK/);
      for (const bad of ['Anna\r\nX-Injected: yes', 'tab\there', 'nul\u0000byte', 'del\u007f', 'bell\u0007']) {
        expect(() => insert.run(...values(bad)), JSON.stringify(bad)).toThrow(/CHECK/);
      }
    });
    insert.run(null, null, null);
    insert.run('Anna Berg', '2001', 'sip:2001@pbx.example.com');
    expect(db.prepare('SELECT count(*) AS n FROM calls').get()).toEqual({ n: 5 });
    db.close();
  });

  it('keeps the search entry in step when the transferrer of a row changes', () => {
    const db = openDatabase(path(), { migrations: migrationsUpTo(8) });
    db.prepare("INSERT INTO calls (call_key, direction, local_line, remote_name, started_at, transferred_by_name) VALUES ('k', 'incoming', 'l', 'Ada', 1, 'Anna Berg')").run();
    const name = () => db.prepare('SELECT name FROM call_search WHERE rowid = 1').get();
    expect(name()).toEqual({ name: 'Ada Anna Berg' });
    db.prepare("UPDATE calls SET transferred_by_name = 'Bob Lee', transferred_by_uri = 'sip:2002@pbx' WHERE id = 1").run();
    expect(name()).toEqual({ name: 'Ada Bob Lee sip:2002@pbx' });
    db.close();
  });

  it('is refused, untouched, by a console that only knows version 7', () => {
    openDatabase(path(), { migrations: migrationsUpTo(8) }).close();
    const sha = () => createHash('sha256').update(readFileSync(path())).digest('hex');
    const before = sha();
    expect(() => openDatabase(path(), { migrations: migrationsUpTo(7) })).toThrow(HistoryTooNewError);
    expect(sha()).toBe(before);
  });
});
