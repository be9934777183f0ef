/**
 * Who transferred an incoming call to the agent, as the call card named them
 * when the call arrived (its INVITE's Referred-By, or the party of the call
 * it replaced): a display name, a number (the SIP user part) and a SIP URI,
 * each NULL when not known. Calls recorded before this version, calls that
 * did not arrive by transfer and outgoing calls have all three NULL.
 *
 * The values come from another party's SIP headers, so the columns check
 * what the repository already makes sure of before it writes (./transferrer.ts):
 * a bounded length (the contract's `transferrerBounds`), not empty, and no
 * control characters or NUL — a header-injection attempt is stored as the
 * plain text it is, or not at all, never as line breaks.
 *
 * Search: the name and the URI join the words the `name` column of the
 * search index holds, so a call is found by who transferred it. Only the two
 * triggers that fill that column are replaced; the FTS table itself is not
 * touched and needs no rebuild, because every existing row has nothing to add.
 * Number search (migrations/0003) stays the remote party's.
 */
import type { Migration } from './migration';

/** NULL, or 1..max characters with no C0 control character, DEL or NUL in them. */
const boundedText = (column: string, max: number) =>
  `${column} TEXT CHECK (${column} IS NULL OR (length(${column}) BETWEEN 1 AND ${max}` +
  ` AND instr(${column}, char(0)) = 0 AND ${column} NOT GLOB ('*[' || char(1) || '-' || char(31) || char(127) || ']*')))`;

export const migration0008: Migration = {
  version: 8,
  name: 'transferred-by',
  up(db) {
    db.exec(`
      ALTER TABLE calls ADD COLUMN ${boundedText('transferred_by_name', 128)};
      ALTER TABLE calls ADD COLUMN ${boundedText('transferred_by_number', 256)};
      ALTER TABLE calls ADD COLUMN ${boundedText('transferred_by_uri', 1024)};

      DROP TRIGGER calls_search_insert;
      DROP TRIGGER calls_search_update;
      CREATE TRIGGER calls_search_insert AFTER INSERT ON calls BEGIN
        INSERT INTO call_search (rowid, digits, name, notes)
        VALUES (new.id, new.remote_digits,
                concat_ws(' ', new.remote_name, new.remote_uri, new.transferred_by_name, new.transferred_by_uri), '');
      END;
      CREATE TRIGGER calls_search_update
      AFTER UPDATE OF remote_digits, remote_name, remote_uri, transferred_by_name, transferred_by_uri ON calls BEGIN
        UPDATE call_search
        SET digits = new.remote_digits,
            name = concat_ws(' ', new.remote_name, new.remote_uri, new.transferred_by_name, new.transferred_by_uri)
        WHERE rowid = new.id;
      END;
    `);
  },
};
