/**
 * Seeded account field values for property tests: mostly well-formed values
 * built from the RFC 3261 grammar's own pieces, with hostile pieces (line
 * breaks, NUL, quotes, angle brackets, backslashes, stray parameters, bad
 * hosts and ports, broken %-escapes, non-ASCII) spliced in at random. The
 * same seed gives the same values, so a failing case replays.
 */
import { seededRandom } from './random';

export type AccountFuzzField = 'wsUrl' | 'sipUri' | 'authorizationUser' | 'displayName';

/** What an attacker or a slip of the keyboard puts into a SIP field. */
export const HOSTILE_PIECES = [
  '\r\n',
  '\r\nX-Injected: yes',
  '\n',
  '\u0000',
  '\u0085',
  '\u2028',
  '\t',
  '"',
  '\\',
  '<',
  '>',
  ';',
  ';x="',
  '=',
  '@',
  ':',
  ' ',
  '?h=v',
  '%',
  '%FF',
  '%0D%0A',
  'é',
  '😀',
  ',',
  '..',
  '-',
  '[',
  ']',
  ':99999',
  ':0',
] as const;

const USER_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_.!~*'()&=+$,?/";
const HOST_LABELS = ['pbx', 'sip', 'example', 'com', 'lab', 'a1', 'x-y', 'corp', 'de'];
const PARAMS = [';transport=ws', ';transport=wss', ';ob', ';x', ';x=y', ';user=phone', ';a-b=c.d'];
const NAME_WORDS = ['Agent', 'Anna', 'Müller', 'O\'Brien', 'Support', '(Desk 4)', '李', 'Team-A', '1001', 'Ünal', '"Ace"', 'back\\slash'];

export interface AccountFuzz {
  /** One value for `field`; `hostile` (0–1) is the chance that hostile pieces are spliced in. */
  value(field: AccountFuzzField, hostile?: number): string;
}

export function accountFuzz(seed: number): AccountFuzz {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const repeat = (min: number, max: number, piece: () => string) => Array.from({ length: min + int(max - min + 1) }, piece).join('');

  const host = () =>
    pick([
      () => repeat(1, 3, () => `${pick(HOST_LABELS)}.`) + pick(HOST_LABELS),
      () => pick(HOST_LABELS),
      () => `${int(256)}.${int(256)}.${int(256)}.${int(256)}`,
      () => pick(['[::1]', '[2001:db8::5]', '[fe80::1:2]']),
    ])();
  const port = () => (random() < 0.3 ? `:${1 + int(65535)}` : '');

  const wellFormed: Record<AccountFuzzField, () => string> = {
    wsUrl: () => `${pick(['ws://', 'wss://'])}${host()}${port()}${pick(['', '/', '/ws', '/sip/ws', '/ws?x=1'])}`,
    sipUri: () =>
      `${pick(['sip:', 'sip:', 'sip:', 'sips:', 'SIP:'])}${repeat(1, 12, () => (random() < 0.1 ? pick(['%41', '%2B', '%E2%82%AC']) : pick([...USER_CHARS])))}@${host()}${port()}${repeat(0, 2, () => pick(PARAMS))}`,
    authorizationUser: () => repeat(1, 16, () => pick([...USER_CHARS, '@', ' ', 'é', '#', '<', '>', ';'])).trim() || 'agent',
    displayName: () => repeat(1, 4, () => pick(NAME_WORDS)).trim(),
  };

  return {
    value(field, hostile = 0.5) {
      let v = wellFormed[field]();
      if (random() < hostile) {
        for (let n = 1 + int(3); n > 0; n--) {
          const at = int(v.length + 1);
          v = v.slice(0, at) + pick(HOSTILE_PIECES) + v.slice(at);
        }
      }
      return v;
    },
  };
}
