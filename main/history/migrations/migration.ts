import type { Database } from 'better-sqlite3';

/**
 * One schema step. Append-only: a shipped migration is never edited; a change
 * is a new file with the next number. `up` runs inside the migrator's
 * transaction, so it must not manage transactions itself. Foreign keys are
 * off while it runs (a table can be dropped and rebuilt without cascading to
 * its children) and checked before the commit.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
