/**
 * Full-text search over the digits of the remote number, the remote name and
 * address, and the agent's notes — one FTS5 row per call (rowid = calls.id).
 * The trigram tokenizer (SQLite ≥ 3.34) matches any substring of 3+
 * characters, which is what a person typing part of a number or a name
 * expects; case and diacritics are folded. Triggers keep it in step with the
 * tables so no code path can forget to, and existing calls are backfilled.
 */
import type { Migration } from './migration';

export const migration0002: Migration = {
  version: 2,
  name: 'search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE call_search USING fts5 (
        digits, name, notes,
        tokenize = 'trigram remove_diacritics 1'
      );

      CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
        INSERT INTO call_search (rowid, digits, name, notes)
        VALUES (new.id, new.remote_digits, concat_ws(' ', new.remote_name, new.remote_uri), '');
      END;
      CREATE TRIGGER calls_search_update AFTER UPDATE OF remote_digits, remote_name, remote_uri ON calls BEGIN
        UPDATE call_search SET digits = new.remote_digits, name = concat_ws(' ', new.remote_name, new.remote_uri)
        WHERE rowid = new.id;
      END;
      CREATE TRIGGER calls_search_delete AFTER DELETE ON calls BEGIN
        DELETE FROM call_search WHERE rowid = old.id;
      END;
      CREATE TRIGGER call_notes_search_insert AFTER INSERT ON call_notes BEGIN
        UPDATE call_search
        SET notes = (SELECT group_concat(text, char(10) ORDER BY id) FROM call_notes WHERE call_id = new.call_id)
        WHERE rowid = new.call_id;
      END;

      INSERT INTO call_search (rowid, digits, name, notes)
      SELECT c.id, c.remote_digits, concat_ws(' ', c.remote_name, c.remote_uri),
             coalesce((SELECT group_concat(n.text, char(10) ORDER BY n.id) FROM call_notes n WHERE n.call_id = c.id), '')
      FROM calls c;
    `);
  },
};
