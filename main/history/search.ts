/**
 * Turns what the agent typed into an FTS5 MATCH expression in which every
 * piece of user input is a quoted literal phrase: FTS5's own syntax (AND, OR,
 * NOT, NEAR, `*`, `^`, `:`, parentheses) and LIKE's `%`/`_` mean nothing inside
 * a phrase, and `"` is escaped by doubling it
 * (https://www.sqlite.org/fts5.html#fts5_strings). A number (digits in any
 * formatting) is not an FTS query at all: it matches the END of the stored
 * digits through a B-tree (see migrations/0003), so the whole number with or
 * without country code, or its last 3+ digits, finds the call.
 * Pure: no database here.
 */
import { ConsoleError, searchQueryMaxLength } from '../../preload/contract';
import { digitsOf } from './digits';
import { reverseDigits } from './migrations/0003-number-suffix';

export type SearchPlan =
  | {
      kind: 'number';
      digits: string;
      /** The typed digits reversed: stored numbers ENDING with them are a range on calls.remote_digits_rev. */
      reversed: string;
      /**
       * Reversed tails of the typed digits (7+ long): stored numbers that are a tail of what was typed,
       * e.g. the call carried `2025550134` and the agent typed `+1 202 555 0134`.
       */
      reversedTails: string[];
    }
  | { kind: 'text'; terms: string[]; match: string };

/** Shortest stored number we match as the tail of a longer typed one (a national number without its country code). */
export const minWholeNumberDigits = 7;

/** The trigram tokenizer cannot match fewer than 3 characters. */
export const minTermLength = 3;
export const maxTerms = 12;

/** Digits with the punctuation people write numbers with — and nothing else. */
const numberLike = /^[\d\s+().\-/]+$/;

const phrase = (s: string) => `"${s.replaceAll('"', '""')}"`;
const codePoints = (s: string) => [...s].length;

export function planSearch(raw: string): SearchPlan {
  if (raw.length > searchQueryMaxLength) {
    throw new ConsoleError('invalid-request', `A search is limited to ${searchQueryMaxLength} characters.`);
  }
  // Control characters (NUL included) would end or confuse the expression; they carry no meaning in a search.
  const query = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (numberLike.test(query)) {
    const digits = digitsOf(query);
    if (digits.length < minTermLength) {
      throw new ConsoleError('invalid-request', `Type at least ${minTermLength} digits to search for a number.`);
    }
    const reversed = reverseDigits(digits);
    const reversedTails: string[] = [];
    for (let n = minWholeNumberDigits; n < digits.length; n++) reversedTails.push(reversed.slice(0, n));
    return { kind: 'number', digits, reversed, reversedTails };
  }
  const terms = query.split(/\s+/).filter((t) => codePoints(t) >= minTermLength);
  if (terms.length === 0) {
    throw new ConsoleError('invalid-request', `Type at least ${minTermLength} characters to search.`);
  }
  if (terms.length > maxTerms) {
    throw new ConsoleError('invalid-request', `A search can combine at most ${maxTerms} words.`);
  }
  return { kind: 'text', terms, match: terms.map(phrase).join(' AND ') };
}
