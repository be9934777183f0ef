/**
 * What the agent typed (or a `tel:`/`sip:` link handed to the console) → one
 * dialable target. Pure. Garbage is refused with a typed reason the UI shows
 * as is; nothing is silently "fixed" into a different number.
 *
 * Accepted:
 *   - phone numbers with spaces, dashes, dots and parentheses, optional leading
 *     `+` (E.164, ITU-T E.164: at most 15 digits) or `00` international prefix
 *   - extensions (2–8 digits), star codes (`*97`, `#21#`) for PBX features
 *   - `sip:`/`sips:` URIs (user part optional for bare hosts is NOT accepted: we dial a party)
 *   - `tel:` URIs (RFC 3966), visual separators removed, parameters dropped
 *   - `user@host` (treated as sip:)
 */

export type DialTargetKind = 'e164' | 'number' | 'extension' | 'feature-code' | 'sip-uri';

export interface DialTarget {
  kind: DialTargetKind;
  /** What goes into the INVITE Request-URI: a full sip: URI, or the user part to put on the account's domain. */
  uri: string;
  /** The digits/user part shown to the agent and stored in history. */
  display: string;
}

export type DialErrorCode = 'empty' | 'too-long' | 'invalid-characters' | 'too-short' | 'too-many-digits' | 'invalid-uri';

export class InvalidDialTarget extends Error {
  constructor(
    readonly code: DialErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidDialTarget';
  }
}

const MAX_INPUT = 256;
// RFC 3261 §25.1 user part (unreserved / escaped / user-unreserved) — conservative subset.
const sipUser = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
const hostPart = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)(:\d{1,5})?$/;

/** Normalise `input`; `domain` is the account's SIP domain for numbers and extensions. */
export function normaliseDialTarget(input: string, domain: string): DialTarget {
  const raw = input.trim();
  if (raw === '') throw new InvalidDialTarget('empty', 'Enter a number, an extension or a SIP address.');
  if (raw.length > MAX_INPUT) throw new InvalidDialTarget('too-long', `That is longer than ${MAX_INPUT} characters; check what was pasted.`);

  const lower = raw.toLowerCase();
  if (lower.startsWith('sip:') || lower.startsWith('sips:')) return sipUri(raw);
  if (lower.startsWith('tel:')) return telUri(raw.slice(4), domain);
  if (raw.includes('@')) return sipUri(`sip:${raw}`);
  return phone(raw, domain);
}

function sipUri(raw: string): DialTarget {
  const m = /^(sips?):([^@\s]+)@([^;?\s]+)([;?].*)?$/i.exec(raw);
  const bad = () => new InvalidDialTarget('invalid-uri', `"${raw}" is not a SIP address like sip:1001@pbx.example.com.`);
  if (!m) throw bad();
  const [, scheme, user, host, rest] = m as unknown as [string, string, string, string, string | undefined];
  if (!sipUser.test(user) || !hostPart.test(host)) throw bad();
  if (rest && /\s/.test(rest)) throw bad();
  return { kind: 'sip-uri', uri: `${scheme.toLowerCase()}:${user}@${host}${rest ?? ''}`, display: user };
}

function telUri(body: string, domain: string): DialTarget {
  // RFC 3966: parameters follow ';' — drop them (phone-context etc. are not meaningful to our PBX).
  const number = decodeURIComponentSafe(body.split(';')[0] ?? '');
  if (number === '') throw new InvalidDialTarget('invalid-uri', 'The tel: link carries no number.');
  return phone(number, domain);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InvalidDialTarget('invalid-uri', `"${s}" is not a valid tel: number.`);
  }
}

function phone(raw: string, domain: string): DialTarget {
  // Star/hash feature codes: *97, #21#, *72 1002 — kept as typed minus separators.
  if (/^[*#]/.test(raw)) {
    const code = raw.replace(/[\s\-.()]/g, '');
    if (!/^[*#][0-9*#]{1,15}$/.test(code)) {
      throw new InvalidDialTarget('invalid-characters', `"${raw}" is not a feature code (only digits, * and #).`);
    }
    return { kind: 'feature-code', uri: userUri(escapeUser(code), domain), display: code };
  }
  const stripped = raw.replace(/[\s\-.()\u00a0]/g, '');
  if (!/^\+?[0-9]+$/.test(stripped)) {
    const offending = [...raw].find((c) => !/[0-9\s\-.()+\u00a0]/.test(c)) ?? '+';
    throw new InvalidDialTarget(
      'invalid-characters',
      `"${raw}" contains "${offending}"; a number may hold digits, spaces, dashes, parentheses and one leading +.`,
    );
  }
  let international = stripped.startsWith('+');
  let digits = international ? stripped.slice(1) : stripped;
  if (!international && digits.startsWith('00') && digits.length > 8) {
    // 00 is the ITU international prefix: same party as +.
    international = true;
    digits = digits.slice(2);
  }
  if (international) {
    if (digits.length < 3) throw new InvalidDialTarget('too-short', `"${raw}" is too short for an international number.`);
    if (digits.length > 15) throw new InvalidDialTarget('too-many-digits', `"${raw}" has ${digits.length} digits; E.164 numbers have at most 15.`);
    if (digits.startsWith('0')) throw new InvalidDialTarget('invalid-characters', `"${raw}": no country code starts with 0.`);
    return { kind: 'e164', uri: userUri(`+${digits}`, domain), display: `+${digits}` };
  }
  if (digits.length < 2) throw new InvalidDialTarget('too-short', `"${raw}" is too short to dial.`);
  if (digits.length > 20) throw new InvalidDialTarget('too-many-digits', `"${raw}" has ${digits.length} digits; that is not a phone number.`);
  return { kind: digits.length <= 8 ? 'extension' : 'number', uri: userUri(digits, domain), display: digits };
}

const escapeUser = (u: string) => u.replace(/#/g, '%23');
const userUri = (user: string, domain: string) => `sip:${user}@${domain}`;

/** The party as shown for a SIP URI we received: user part, display name when given. */
export function describeRemote(uri: string, displayName: string | null | undefined) {
  const m = /^sips?:([^@]+)@/i.exec(uri);
  let number = m ? m[1] : uri;
  try {
    number = decodeURIComponent(number);
  } catch {
    /* keep as received */
  }
  return { number, uri, displayName: displayName && displayName.trim() !== '' ? displayName.trim() : null };
}
