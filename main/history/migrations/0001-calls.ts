/**
 * The call record and what hangs off it. Text enums are readable and checked
 * (CHECK … IN) so a bad value fails the write instead of poisoning the UI.
 * A call row is written when the call starts and updated as it progresses:
 * `ended_at IS NULL` means "still up" — or, after a crash, "interrupted".
 */
import type { Migration } from './migration';

export const migration0001: Migration = {
  version: 1,
  name: 'calls',
  up(db) {
    db.exec(`
      CREATE TABLE calls (
        id            INTEGER PRIMARY KEY,
        call_key      TEXT    NOT NULL,
        direction     TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
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
        ended_by      TEXT CHECK (ended_by IN ('local', 'remote', 'system')),
        disposition   TEXT,
        -- A call is either open (no end, no outcome) or ended (both): never half of it.
        CHECK ((ended_at IS NULL) = (outcome IS NULL))
      ) STRICT;
      -- Newest-first paging and date ranges (keyset on (started_at, id)); retention.
      CREATE INDEX calls_by_start ON calls (started_at, id);
      -- The call service's ids need only be unique among live calls (a counter restarts
      -- with the app), so events find "the newest row with this key".
      CREATE INDEX calls_by_key ON calls (call_key, id);
      -- Finding calls left open by a crash without scanning.
      CREATE INDEX calls_open ON calls (id) WHERE ended_at IS NULL;

      CREATE TABLE transfer_steps (
        id          INTEGER PRIMARY KEY,
        call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        transfer_id TEXT    NOT NULL,
        step        TEXT    NOT NULL CHECK (step IN ('requested', 'dialing', 'ringing', 'answered', 'refer-sent',
                                                     'accepted', 'completed', 'failed', 'taken-back', 'cancelled',
                                                     'undone', 'converted-to-blind')),
        mode        TEXT    NOT NULL CHECK (mode IN ('blind', 'safe-blind', 'attended')),
        target      TEXT    NOT NULL,
        sip_code    INTEGER CHECK (sip_code BETWEEN 100 AND 699),
        detail      TEXT,
        at          INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX transfer_steps_by_call ON transfer_steps (call_id, at);

      CREATE TABLE holds (
        id         INTEGER PRIMARY KEY,
        call_id    INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        started_at INTEGER NOT NULL,
        ended_at   INTEGER,
        heard      TEXT    NOT NULL CHECK (heard IN ('you', 'silence', 'music')),
        music      TEXT,
        CHECK ((heard = 'music') = (music IS NOT NULL))
      ) STRICT;
      CREATE INDEX holds_by_call ON holds (call_id, started_at);

      CREATE TABLE call_notes (
        id      INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        text    TEXT    NOT NULL,
        at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX call_notes_by_call ON call_notes (call_id, at);
    `);
  },
};
