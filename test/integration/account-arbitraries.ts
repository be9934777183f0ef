/**
 * fast-check arbitraries for every account field `account:save` takes, shared
 * by the in-process property tests (test/integration/sip-account-properties.test.ts)
 * and the lab's (test/lab/console-account-properties.test.ts). Each field
 * draws from three sources: values built from the RFC 3261 grammar's own
 * pieces (so most are legal and the stack is exercised), the same with
 * hostile pieces spliced in (line breaks, NUL, quotes, angle brackets,
 * stray parameters, bad ports, broken %-escapes, non-ASCII), and any text at
 * all. fast-check shrinks a failure to its smallest case and prints its seed.
 */
import fc from 'fast-check';
import { HOSTILE_PIECES } from '../support/account-fuzz';

export type AccountField = 'wsUrl' | 'sipUri' | 'authorizationUser' | 'password' | 'displayName';

/** Inserts each piece at its (wrapped) position, in order. */
const splice = (value: string, pieces: Array<[string, number]>) =>
  pieces.reduce((acc, [piece, at]) => {
    const i = at % (acc.length + 1);
    return acc.slice(0, i) + piece + acc.slice(i);
  }, value);

const hostile = fc.constantFrom(...HOSTILE_PIECES);
/** `base` with 1–3 hostile pieces spliced in. */
export const withHostile = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, fc.array(fc.tuple(hostile, fc.nat()), { minLength: 1, maxLength: 3 })).map(([v, pieces]) => splice(v, pieces));

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
export const hostArb = fc.oneof(
  { weight: 3, arbitrary: fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.')) },
  { weight: 1, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6().map((ip) => `[${ip}]`) },
);
const portArb = fc.option(fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`), { nil: '' });
/** RFC 3261 user part: unreserved, the user-unreserved marks, and %-escapes. */
export const userPartArb = fc
  .array(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.!~*\'()&=+$,;?/') }, { weight: 1, arbitrary: fc.constantFrom('%41', '%2B', '%E2%82%AC', '%20') }), {
    minLength: 1,
    maxLength: 12,
  })
  .map((c) => c.join(''));
const uriParams = fc.array(fc.constantFrom(';transport=ws', ';transport=wss', ';ob', ';x', ';x=y', ';user=phone', ';a-b=c.d'), { maxLength: 2 }).map((p) => p.join(''));

/** A SIP address of record on `host` (any host when absent). */
export const sipUriArb = (host: fc.Arbitrary<string> = fc.tuple(hostArb, portArb).map(([h, p]) => h + p)) =>
  fc.tuple(fc.constantFrom('sip:', 'sip:', 'sips:', 'SIP:'), userPartArb, host, uriParams).map(([s, u, h, p]) => `${s}${u}@${h}${p}`);

const wsUrlArb = fc
  .tuple(fc.constantFrom('ws://', 'wss://', 'WSS://'), hostArb, portArb, fc.constantFrom('', '/', '/ws', '/sip/ws', '/ws?x=1', '/a%20b'))
  .map(([s, h, p, path]) => `${s}${h}${p}${path}`);
const authUserArb = fc.string({ unit: fc.constantFrom(...'abcdefgxyz0123456789-_.@+ é#<>;'), minLength: 1, maxLength: 16 });
const displayNameArb = fc
  .array(fc.constantFrom('Agent', 'Anna', 'Müller', "O'Brien", 'Support', '(Desk 4)', '李', 'Team-A', '1001', '"Ace"', 'back\\slash'), { minLength: 1, maxLength: 4 })
  .map((w) => w.join(' '));
const passwordArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });

const wellFormed: Record<AccountField, fc.Arbitrary<string>> = {
  wsUrl: wsUrlArb,
  sipUri: sipUriArb(),
  authorizationUser: authUserArb,
  password: passwordArb,
  displayName: displayNameArb,
};

/** Values for `field`: well-formed, well-formed with hostile pieces, or any text (controls and all). */
export function fieldArb(field: AccountField, wellFormedValue: fc.Arbitrary<string> = wellFormed[field]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: wellFormedValue },
    { weight: 4, arbitrary: withHostile(wellFormedValue) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
}

export const ACCOUNT_FIELDS: AccountField[] = ['wsUrl', 'sipUri', 'authorizationUser', 'password', 'displayName'];
