/**
 * Which missed calls the agent has seen, kept in the file so a reload or a
 * restart does not light the badge again. One small key/value table of the
 * history's own marks (today only `missed_seen_through`: every missed call
 * with an id at or below it has been seen — ids grow in the order calls
 * start), and a partial index on missed calls, so counting the unseen ones
 * reads only missed rows above the mark, never the whole table.
 *
 * A file that already holds calls starts with every existing call seen: they
 * were there before the console could show a badge, and a first start must
 * not greet the agent with thousands of "new" missed calls.
 */
import type { Migration } from './migration';

export const migration0005: Migration = {
  version: 5,
  name: 'missed-seen',
  up(db) {
    db.exec(`
      CREATE TABLE history_marks (
        name  TEXT    PRIMARY KEY CHECK (name IN ('missed_seen_through')),
        value INTEGER NOT NULL CHECK (value >= 0)
      ) STRICT;
      INSERT INTO history_marks (name, value) SELECT 'missed_seen_through', coalesce(max(id), 0) FROM calls;
      CREATE INDEX calls_missed ON calls (id) WHERE outcome = 'missed';
    `);
  },
};
