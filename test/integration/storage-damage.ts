/**
 * Damaging a history file the way a failing disk does, for the storage
 * fault tests: the b-tree pages of a table and its indexes overwritten with
 * garbage, under a connection that is still open.
 *
 * The open connection keeps pages in its cache and only reads the file again
 * when another connection changed it, so the damage is done in steps: another
 * connection checkpoints the WAL into the file, the pages are overwritten,
 * then that connection commits a small change elsewhere — the open one sees
 * the file changed, drops its cache, and its next read of the table finds the
 * damage (SQLITE_CORRUPT).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

export const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Overwrites the root pages of `table` and of every index on it (with
 * `indexesOnly`, of its indexes alone: the rows stay readable by a table scan,
 * so a test can show they were kept); returns the page numbers.
 */
export function damageTable(path: string, table = 'calls', o: { indexesOnly?: boolean } = {}): number[] {
  const db = new Database(path);
  let pages: number[];
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const kinds = o.indexesOnly ? "('index')" : "('table', 'index')";
    pages = (
      db.prepare(`SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND type IN ${kinds} AND rootpage > 1`).all(table) as Array<{ rootpage: number }>
    ).map((r) => r.rootpage);
    const fd = openSync(path, 'r+');
    try {
      for (const page of pages) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
    } finally {
      closeSync(fd);
    }
    // A change the open connection will notice: it drops its cache and reads the damaged pages next.
    db.prepare("UPDATE history_marks SET value = value WHERE name = 'missed_seen_through'").run();
  } finally {
    db.close();
  }
  return pages;
}
