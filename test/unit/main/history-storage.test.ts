/**
 * The history file over the console's life (main/history/storage.ts) on a
 * real file system: a damaged file is moved aside with its WAL (never
 * deleted, never written again) and a fresh one started, a search on a
 * damaged file says so, a file from a newer console is left untouched, and a
 * data folder that cannot hold a file at all is tried again by the probe
 * until it can, when the calls kept meanwhile are written.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/history/database';
import { HistoryStorage } from '../../../main/history/storage';
import { silentLogger } from '../../../main/logging/logger';
import type { RecordingStatus } from '../../../preload/contract';
import { damageTable, sha256 } from '../../integration/storage-damage';
import { until } from '../../support/until';
import { recordCall, tempDir } from './history-fixtures';

const start = (callId: string, at: number) =>
  ({ callId, direction: 'incoming', localLine: 'sip:1001@pbx', remote: { number: '+12025550134', displayName: 'Ada Lovelace' }, at }) as const;

describe('HistoryStorage', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let notices: Array<{ level: string; message: string }>;
  let statuses: RecordingStatus[];
  let storage: HistoryStorage | null;
  const open = (o: { file?: string; capacity?: number } = {}) => {
    storage = new HistoryStorage({
      file: o.file ?? file,
      log: silentLogger,
      now: () => Date.now(),
      notice: (level, message) => notices.push({ level, message }),
      probe: { firstMs: 20, maxMs: 40 },
      ...(o.capacity !== undefined && { capacity: o.capacity }),
    });
    storage.onStatus((s) => statuses.push(s));
    return storage;
  };
  beforeEach(() => {
    tmp = tempDir('history-storage-');
    file = join(tmp.dir, 'history.sqlite3');
    notices = [];
    statuses = [];
    storage = null;
  });
  afterEach(() => {
    storage?.stop();
    tmp.remove();
  });
  const kept = () => readdirSync(tmp.dir).filter((n) => n.startsWith('history-damaged-'));

  it('moves a file that is no database aside untouched, starts a fresh one and says where the old one is', () => {
    writeFileSync(file, 'not a database '.repeat(500));
    const before = sha256(file);
    const s = open();
    expect(kept()).toHaveLength(1);
    const keptFile = join(tmp.dir, kept()[0]!);
    expect(keptFile).toMatch(/history-damaged-\d{4}-\d\d-\d\dT[\d-]+Z\.sqlite3$/);
    expect(sha256(keptFile)).toBe(before);
    expect(notices).toEqual([{ level: 'warning', message: expect.stringContaining(`kept as ${keptFile} — nothing was deleted`) }]);
    expect(s.status()).toMatchObject({ state: 'recording', problem: null, setAside: keptFile });
    recordCall(s.recorder, { callId: 'a', at: 1_000 });
    expect(s.reader.page().items).toMatchObject([{ callId: 'a' }]);
  });

  it('moves a database whose pages are damaged aside together with its WAL, and keeps every byte of both', () => {
    const first = open();
    recordCall(first.recorder, { callId: 'old', at: 1_000, name: 'Grace Hopper' });
    first.stop();
    damageTable(file);
    // Another program still has the file open (a reader): the last transactions stay in the WAL beside it.
    const writer = openDatabase(file);
    writer.prepare("UPDATE history_marks SET value = 0 WHERE name = 'missed_seen_through'").run();
    const reader = new Database(file, { readonly: true });
    reader.prepare('SELECT count(*) FROM history_marks').get(); // it holds the file from its first read on
    writer.close();
    const before = { db: sha256(file), wal: sha256(`${file}-wal`) };
    const s = open();
    reader.close();
    const keptFile = join(tmp.dir, kept().find((n) => n.endsWith('.sqlite3'))!);
    expect(kept().sort()).toEqual([basename(keptFile), `${basename(keptFile)}-shm`, `${basename(keptFile)}-wal`]);
    expect({ db: sha256(keptFile), wal: sha256(`${keptFile}-wal`) }).toEqual(before);
    // What was moved is the damaged file, and SQLite reads it as such.
    expect(() => new Database(keptFile, { readonly: true }).prepare('SELECT count(*) FROM calls').get()).toThrow(/malformed/);
    expect(s.status()).toMatchObject({ state: 'recording', setAside: keptFile });
    expect(notices.at(-1)?.message).toContain(keptFile);
    expect(s.reader.page().items).toEqual([]);
    recordCall(s.recorder, { callId: 'new', at: 2_000 });
    expect(s.reader.page().items).toMatchObject([{ callId: 'new' }]);
  });

  it('a search on a file that became damaged says so (typed storage error), and the call that was up is recorded whole in the new file', () => {
    const s = open();
    recordCall(s.recorder, { callId: 'done', at: 1_000, name: 'Ada Lovelace' });
    s.recorder.callStarted(start('up', 5_000));
    s.recorder.callAnswered('up', 5_100);
    damageTable(file);
    const search = () => s.reader.search({ query: 'Lovelace' });
    expect(search).toThrow(expect.objectContaining({ code: 'storage', message: expect.stringMatching(/damaged.*kept as .*history-damaged-.*nothing was deleted/s) }));
    expect(notices.at(-1)).toMatchObject({ level: 'warning', message: expect.stringContaining('was damaged') });
    expect(statuses.at(-1)).toMatchObject({ state: 'recording', setAside: expect.stringContaining('history-damaged-') });
    // Not "no results, try other words": the next search runs on the new file, which has no old calls.
    expect(search().items).toEqual([]);

    s.recorder.holdStarted('up', 5_200, 'you');
    s.recorder.callEnded({ callId: 'up', at: 6_000, outcome: 'answered', endedBy: 'agent' });
    const rows = s.reader.page().items;
    expect(rows).toMatchObject([{ callId: 'up', startedAt: 5_000, answeredAt: 5_100, endedAt: 6_000, held: true }]);
  });

  it('a write that finds the file damaged moves it aside and writes the event into the new file at once', () => {
    const s = open();
    s.recorder.callStarted(start('up', 5_000));
    damageTable(file);
    s.recorder.callAnswered('up', 5_100);
    s.recorder.callEnded({ callId: 'up', at: 6_000, outcome: 'answered', endedBy: 'remote' });
    expect(kept().filter((n) => n.endsWith('.sqlite3'))).toHaveLength(1);
    expect(s.reader.page().items).toMatchObject([{ callId: 'up', answeredAt: 5_100, endedAt: 6_000 }]);
    expect(s.status()).toMatchObject({ state: 'recording', waitingEvents: 0 });
  });

  it('leaves a file from a newer console untouched, keeps calls in memory and says so', () => {
    const db = openDatabase(file);
    db.pragma('user_version = 99');
    db.close();
    const before = sha256(file);
    const s = open();
    expect(notices).toEqual([{ level: 'error', message: expect.stringMatching(/newer version of the console/) }]);
    recordCall(s.recorder, { callId: 'a', at: 1_000 });
    expect(s.status()).toMatchObject({ state: 'waiting', problem: 'too-new', waitingEvents: 3, waitingCalls: 1, message: expect.stringMatching(/only until the console closes/) });
    expect(() => s.reader.page()).toThrow(expect.objectContaining({ code: 'unavailable' }));
    s.stop();
    storage = null;
    expect(sha256(file)).toBe(before);
    expect(kept()).toEqual([]);
  });

  it('a data folder that cannot hold the file: waits with the reason, and the probe writes the kept calls once it can', async () => {
    // A file where the folder should be: no history file can be made there (ENOTDIR), even as root.
    const folder = join(tmp.dir, 'data');
    writeFileSync(folder, '');
    const s = open({ file: join(folder, 'history.sqlite3') });
    expect(s.status()).toMatchObject({ state: 'waiting', problem: 'cannot-open', folder });
    expect(() => s.reader.page()).toThrow(expect.objectContaining({ code: 'unavailable', message: expect.stringContaining(folder) }));
    recordCall(s.recorder, { callId: 'a', at: 1_000 });
    expect(s.status()).toMatchObject({ waitingEvents: 3, waitingCalls: 1 });

    rmSync(folder);
    mkdirSync(folder);
    const back = await until(() => statuses.find((x) => x.state === 'recording'), { timeoutMs: 3000, what: 'recording again' });
    expect(back).toMatchObject({ problem: null, writtenBack: { calls: 1, events: 3 } });
    expect(s.reader.page().items).toMatchObject([{ callId: 'a', outcome: 'answered' }]);
  });

  it('counts what does not fit in memory and says so in the status', () => {
    const db = openDatabase(file);
    db.pragma('user_version = 99');
    db.close();
    const s = open({ capacity: 2 });
    recordCall(s.recorder, { callId: 'a', at: 1_000 });
    recordCall(s.recorder, { callId: 'b', at: 2_000 });
    expect(s.status()).toMatchObject({ capacity: 2, waitingEvents: 3, lost: { events: 3, calls: 1 } });
  });
});
