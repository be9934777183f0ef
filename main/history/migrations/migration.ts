import type { Database } from 'better-sqlite3';

/**
 * One schema step. Append-only: a shipped migration is never edited; a change
 * is a new file with the next number. `up` runs inside the migrator's
 * transaction, so it must not manage transactions itself.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
