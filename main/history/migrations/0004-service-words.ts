/**
 * History takes the call and transfer services' own words instead of
 * translating them on the way to disk: directions `incoming`/`outgoing`
 * (were inbound/outbound), ended by `agent`/`remote`/`system` (local became
 * agent), every step of the transfer machine (`offered` and `declined` were
 * missing, so the service renamed them) and every transfer mode it has
 * (incoming-refer, incoming-replaces and transferred-in were folded into
 * blind/attended). `converted-to-blind`, written by earlier versions, stays
 * allowed so the rows that hold it stay readable.
 *
 * SQLite cannot change a CHECK constraint in place, so `calls` and
 * `transfer_steps` are rebuilt the way https://www.sqlite.org/lang_altertable.html
 * ("Making Other Kinds Of Table Schema Changes") describes: new table, copy
 * every row (ids kept), drop the old one, rename the new one, then the indexes
 * and triggers 0001–0003 created, recreated as they were. The migrator runs
 * this with foreign keys off and checks them before committing (database.ts):
 * with them on, dropping `calls` would cascade-delete every hold, note and
 * transfer step.
 *
 * The search index (`call_search`, rowid = calls.id) is left as it is: ids do
 * not change, and the triggers that keep it in step are dropped first so
 * neither the copy nor the drop touches it.
 */
import type { Migration } from './migration';

export const migration0004: Migration = {
  version: 4,
  name: 'service-words',
  up(db) {
    db.exec(`
      DROP TRIGGER calls_search_insert;
      DROP TRIGGER calls_search_update;
      DROP TRIGGER calls_search_delete;

      CREATE TABLE calls_new (
        id            INTEGER PRIMARY KEY,
        call_key      TEXT    NOT NULL,
        direction     TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        local_line    TEXT    NOT NULL,
        remote_number TEXT,
        remote_digits TEXT    NOT NULL DEFAULT '',
        remote_uri    TEXT,
        remote_name   TEXT,
        queue         TEXT,
        started_at    INTEGER NOT NULL,
        ringing_at    INTEGER,
        answered_at   INTEGER,
        ended_at      INTEGER,
        duration_ms   INTEGER GENERATED ALWAYS AS (
                        CASE WHEN answered_at IS NOT NULL AND ended_at IS NOT NULL
                             THEN max(ended_at - answered_at, 0) END) VIRTUAL,
        outcome       TEXT CHECK (outcome IN ('answered', 'missed', 'declined', 'busy', 'no-answer',
                                              'cancelled', 'failed', 'transferred', 'interrupted')),
        sip_code      INTEGER CHECK (sip_code BETWEEN 100 AND 699),
        sip_reason    TEXT,
        ended_by      TEXT CHECK (ended_by IN ('agent', 'remote', 'system')),
        disposition   TEXT,
        -- Where 0003 appended it, so the column order is the one version 3 had.
        remote_digits_rev TEXT NOT NULL DEFAULT '',
        -- A call is either open (no end, no outcome) or ended (both): never half of it.
        CHECK ((ended_at IS NULL) = (outcome IS NULL))
      ) STRICT;

      -- An unknown old word is copied as it is, so the new CHECK refuses it and the whole migration rolls back.
      INSERT INTO calls_new (id, call_key, direction, local_line, remote_number, remote_digits, remote_uri, remote_name, queue,
                             started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason, ended_by,
                             disposition, remote_digits_rev)
      SELECT id, call_key,
             CASE direction WHEN 'inbound' THEN 'incoming' WHEN 'outbound' THEN 'outgoing' ELSE direction END,
             local_line, remote_number, remote_digits, remote_uri, remote_name, queue,
             started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason,
             CASE ended_by WHEN 'local' THEN 'agent' ELSE ended_by END,
             disposition, remote_digits_rev
      FROM calls;

      DROP TABLE calls;
      ALTER TABLE calls_new RENAME TO calls;

      CREATE INDEX calls_by_start ON calls (started_at, id);
      CREATE INDEX calls_by_key ON calls (call_key, id);
      CREATE INDEX calls_open ON calls (id) WHERE ended_at IS NULL;
      CREATE INDEX calls_by_digits_rev ON calls (remote_digits_rev);

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

      CREATE TABLE transfer_steps_new (
        id          INTEGER PRIMARY KEY,
        call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        transfer_id TEXT    NOT NULL,
        step        TEXT    NOT NULL CHECK (step IN ('requested', 'undone', 'dialing', 'ringing', 'answered', 'completed',
                                                     'failed', 'taken-back', 'cancelled', 'offered', 'declined',
                                                     'refer-sent', 'accepted', 'converted-to-blind')),
        mode        TEXT    NOT NULL CHECK (mode IN ('blind', 'safe-blind', 'attended', 'incoming-refer',
                                                     'incoming-replaces', 'transferred-in')),
        target      TEXT    NOT NULL,
        sip_code    INTEGER CHECK (sip_code BETWEEN 100 AND 699),
        detail      TEXT,
        at          INTEGER NOT NULL
      ) STRICT;

      -- Every step and mode version 3 allowed is still allowed: the rows copy unchanged.
      INSERT INTO transfer_steps_new (id, call_id, transfer_id, step, mode, target, sip_code, detail, at)
      SELECT id, call_id, transfer_id, step, mode, target, sip_code, detail, at FROM transfer_steps;

      DROP TABLE transfer_steps;
      ALTER TABLE transfer_steps_new RENAME TO transfer_steps;

      CREATE INDEX transfer_steps_by_call ON transfer_steps (call_id, at);
    `);
  },
};
