/**
 * Two more steps of the transfer timeline: `released` (a plain blind let go
 * of the caller on the first progress report, so how it ended is not known
 * yet — a later NOTIFY may still say, and is recorded as `completed` or
 * `failed` after it) and `new-call` (the caller reached the transferee as a
 * brand-new call instead of replacing a leg, because a phone ignored the
 * Replaces it was given). Both were recorded as `completed` before, which
 * claimed more than was known.
 *
 * SQLite cannot widen a CHECK constraint in place, so `transfer_steps` is
 * rebuilt as 0004 rebuilt it (https://www.sqlite.org/lang_altertable.html,
 * "Making Other Kinds Of Table Schema Changes"): new table, every row copied
 * with its id, old table dropped, new one renamed, its index recreated. The
 * migrator runs this with foreign keys off and checks them before the
 * commit (database.ts). Nothing else refers to `transfer_steps`: no trigger,
 * no search entry.
 */
import type { Migration } from './migration';

export const migration0007: Migration = {
  version: 7,
  name: 'released-steps',
  up(db) {
    db.exec(`
      CREATE TABLE transfer_steps_new (
        id          INTEGER PRIMARY KEY,
        call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        transfer_id TEXT    NOT NULL,
        step        TEXT    NOT NULL CHECK (step IN ('requested', 'undone', 'dialing', 'ringing', 'answered', 'completed',
                                                     'failed', 'taken-back', 'cancelled', 'offered', 'declined',
                                                     'released', 'new-call',
                                                     'refer-sent', 'accepted', 'converted-to-blind')),
        mode        TEXT    NOT NULL CHECK (mode IN ('blind', 'safe-blind', 'attended', 'incoming-refer',
                                                     'incoming-replaces', 'transferred-in')),
        target      TEXT    NOT NULL,
        sip_code    INTEGER CHECK (sip_code BETWEEN 100 AND 699),
        detail      TEXT,
        at          INTEGER NOT NULL
      ) STRICT;

      -- Every step and mode version 6 allowed is still allowed: the rows copy unchanged.
      INSERT INTO transfer_steps_new (id, call_id, transfer_id, step, mode, target, sip_code, detail, at)
      SELECT id, call_id, transfer_id, step, mode, target, sip_code, detail, at FROM transfer_steps;

      DROP TABLE transfer_steps;
      ALTER TABLE transfer_steps_new RENAME TO transfer_steps;

      CREATE INDEX transfer_steps_by_call ON transfer_steps (call_id, at);
    `);
  },
};
