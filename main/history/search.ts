/**
 * Turns what the agent typed into an FTS5 MATCH expression in which every
 * piece of user input is a quoted literal phrase: FTS5's own syntax (AND, OR,
 * NOT, NEAR, `*`, `^`, `:`, parentheses) and LIKE's `%`/`_` mean nothing inside
 * a phrase, and `"` is escaped by doubling it
 * (https://www.sqlite.org/fts5.html#fts5_strings). Pure: no database here.
 */
import { ConsoleError, searchQueryMaxLength } from '../../preload/contract';
import { digitsOf } from './digits';

export type SearchPlan = { kind: 'number'; digits: string; match: string } | { kind: 'text'; terms: string[]; match: string };

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
    return { kind: 'number', digits, match: `digits : ${phrase(digits)}` };
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
