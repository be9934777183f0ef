/**
 * The agent's status periods (main/agent/): available, away and wrap-up, each
 * from when it started to when the next one did, with why it started — the
 * agent's choice, the end of the last call (wrap-up), a call answered during
 * wrap-up, the wrap-up's time running out, or the console starting — and how
 * often a wrap-up was extended. `ended_at` stays NULL for the period that was
 * open when a console stopped without saying so (a crash): its end is unknown,
 * and the next run starts its own period rather than guessing one.
 *
 * Independent of `calls`: a status is the agent's, not a call's.
 */
import type { Migration } from './migration';

export const migration0006: Migration = {
  version: 6,
  name: 'agent-status',
  up(db) {
    db.exec(`
      CREATE TABLE agent_status (
        id          INTEGER PRIMARY KEY,
        status      TEXT    NOT NULL CHECK (status IN ('available', 'away', 'wrap-up')),
        cause       TEXT    NOT NULL CHECK (cause IN ('start', 'agent', 'call-ended', 'call-answered', 'wrap-up-over')),
        started_at  INTEGER NOT NULL CHECK (started_at >= 0),
        ended_at    INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at),
        extensions  INTEGER NOT NULL DEFAULT 0 CHECK (extensions >= 0)
      ) STRICT;
      CREATE INDEX agent_status_started ON agent_status (started_at);
    `);
  },
};
