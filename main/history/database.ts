/**
 * Opening the history database: refuse a file from a newer console without
 * touching it, then WAL + foreign keys and the pending migrations in one
 * transaction against `PRAGMA user_version` (the Signal Desktop pattern).
 *
 * Durability: WAL with synchronous=NORMAL survives a killed process (every
 * committed transaction is in the WAL before the commit returns); a power cut
 * may lose the last few transactions but never corrupts the file
 * (https://www.sqlite.org/wal.html#durability).
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConsoleError } from '../../preload/contract';
import { migrations as allMigrations, type Migration } from './migrations';
import { HistoryStorageError, storageFaultOf } from './storage-faults';

export type SqliteDatabase = Database.Database;

export const latestVersion = (list: readonly Migration[] = allMigrations): number => list.at(-1)?.version ?? 0;

/** The file was written by a newer console: we cannot know its schema, so we do not touch it. */
export class HistoryTooNewError extends ConsoleError {
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      'storage',
      `The call history (${path}) was written by a newer version of the console (schema ${fileVersion}; this version reads up to ${supportedVersion}). ` +
        'It was left untouched; update the console to see it. New calls are not recorded until then.',
    );
    this.name = 'HistoryTooNewError';
  }
}

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The file's user_version, read without changing anything on disk. With no
 * WAL beside it, the header says it all (offset 60, big-endian —
 * https://www.sqlite.org/fileformat.html#the_database_header), and reading
 * the bytes creates no -wal/-shm files. With a WAL present, newer pages may
 * live there, so we ask SQLite through a read-only connection.
 */
function peekVersion(path: string): number {
  const wal = `${path}-wal`;
  if (!existsSync(wal) || statSync(wal).size === 0) {
    const header = Buffer.alloc(100);
    const fd = openSync(path, 'r');
    let read: number;
    try {
      read = readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
    if (read === 0) return 0; // an empty file is an empty database
    if (read < 100 || !header.subarray(0, 16).equals(sqliteMagic)) {
      throw new HistoryStorageError('damaged', `The call history (${path}) is not a database file; it was left untouched.`, 'SQLITE_NOTADB');
    }
    return header.readUInt32BE(60);
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.pragma('user_version', { simple: true }) as number;
  } catch (e) {
    throw new HistoryStorageError(
      storageFaultOf(e) ?? 'unknown',
      `The call history (${path}) cannot be read: ${(e as Error).message}`,
      (e as { code?: string }).code ?? null,
    );
  } finally {
    db?.close();
  }
}

/**
 * Runs every migration above the file's version in ONE immediate transaction:
 * either the schema reaches the latest version or it stays where it was.
 *
 * Foreign keys are switched off around that transaction and checked inside it
 * before the commit, as https://www.sqlite.org/lang_altertable.html ("Making
 * Other Kinds Of Table Schema Changes") prescribes: a migration that rebuilds
 * `calls` drops the old table, and with foreign keys on that drop would
 * cascade-delete every row hanging off it. The pragma is a no-op inside a
 * transaction, hence outside; a migration that leaves a dangling reference
 * fails the check and rolls back.
 */
export function migrate(db: SqliteDatabase, list: readonly Migration[] = allMigrations): { from: number; to: number } {
  const target = latestVersion(list);
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  if (foreignKeys) db.pragma('foreign_keys = OFF');
  try {
    return db
      .transaction(() => {
        const from = db.pragma('user_version', { simple: true }) as number;
        if (from > target) throw new HistoryTooNewError(db.name, from, target);
        for (const m of list) if (m.version > from) m.up(db);
        if (target !== from) {
          const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
          if (broken.length > 0) {
            const first = broken[0]!;
            throw new ConsoleError(
              'storage',
              `The call history (${db.name}) could not be upgraded: ${broken.length} row(s) point at missing rows ` +
                `(first: ${first.table} row ${first.rowid} → ${first.parent}). It was left at schema ${from}.`,
            );
          }
          // PRAGMA takes no bound parameters; `target` is an integer from our own list.
          db.pragma(`user_version = ${Math.trunc(target)}`);
        }
        return { from, to: target };
      })
      .immediate();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
}

export interface OpenOptions {
  /** Stop at this list (tests seed older versions with a prefix of the real list). */
  migrations?: readonly Migration[];
  readonly?: boolean;
}

export function openDatabase(path: string, options: OpenOptions = {}): SqliteDatabase {
  const list = options.migrations ?? allMigrations;
  if (existsSync(path)) {
    const version = peekVersion(path);
    if (version > latestVersion(list)) throw new HistoryTooNewError(path, version, latestVersion(list));
  } else if (options.readonly) {
    throw new ConsoleError('not-found', `No call history at ${path}`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path, { readonly: options.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // 32 MB of page cache (default 2 MB): a million-call file keeps its hot index pages in memory.
    db.pragma('cache_size = -32000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db, list);
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
