/**
 * Number search on a B-tree instead of trigrams. Phone digits are a
 * ten-letter alphabet, so every digit trigram sits in a huge share of rows
 * and an FTS5 phrase over them reads long doclists (measured: 20–50 ms per
 * search at 1M calls). Agents type a whole number or its last digits, so we
 * index the digits reversed: "ends with 5550134" becomes the range scan
 * `remote_digits_rev >= '4310555' AND < '4310555:'`.
 * The repository writes the column; the backfill reverses existing rows.
 */
import type { Migration } from './migration';

export const reverseDigits = (digits: string): string => digits.split('').reverse().join('');

export const migration0003: Migration = {
  version: 3,
  name: 'number-suffix',
  up(db) {
    db.exec(`ALTER TABLE calls ADD COLUMN remote_digits_rev TEXT NOT NULL DEFAULT ''`);
    // A connection-local SQL function for the backfill: one UPDATE, nothing held in memory.
    db.function('history_reverse_digits', { deterministic: true }, (v: unknown) => reverseDigits(String(v)));
    db.exec(`UPDATE calls SET remote_digits_rev = history_reverse_digits(remote_digits) WHERE remote_digits <> ''`);
    db.exec('CREATE INDEX calls_by_digits_rev ON calls (remote_digits_rev)');
  },
};
