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
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConsoleError } from '../../preload/contract';
import { migrations as allMigrations, type Migration } from './migrations';

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

/** Reads user_version through a read-only connection, so a refused file is byte-identical afterwards. */
function peekVersion(path: string): number {
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    return db.pragma('user_version', { simple: true }) as number;
  } catch (e) {
    throw new ConsoleError('storage', `The call history (${path}) cannot be read: ${(e as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * Runs every migration above the file's version in ONE immediate transaction:
 * either the schema reaches the latest version or it stays where it was.
 */
export function migrate(db: SqliteDatabase, list: readonly Migration[] = allMigrations): { from: number; to: number } {
  const target = latestVersion(list);
  return db
    .transaction(() => {
      const from = db.pragma('user_version', { simple: true }) as number;
      if (from > target) throw new HistoryTooNewError(db.name, from, target);
      for (const m of list) if (m.version > from) m.up(db);
      // PRAGMA takes no bound parameters; `target` is an integer from our own list.
      if (target !== from) db.pragma(`user_version = ${Math.trunc(target)}`);
      return { from, to: target };
    })
    .immediate();
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
