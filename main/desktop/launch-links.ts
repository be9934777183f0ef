/**
 * Click-to-dial: a tel: or sip: link (a CRM, a web page, the OS handing the
 * console a link) or `--dial <number>` on the command line becomes a number
 * the console offers to dial — never dials by itself. Everything arriving here
 * comes from outside the console (another program's command line, a web
 * page's link), so it is parsed strictly and refused with a message the agent
 * can read, never half-used:
 *
 * - tel: (RFC 3966): an optional +, digits, * and #, visual separators
 *   (- . ( ) and spaces) dropped; parameters (;ext=, ;phone-context=) are
 *   checked for shape and dropped — a number is dialled on the account's
 *   domain as the agent would type it. Letters (tel:1-800-FLOWERS) are refused.
 * - sip:/sips: user@host[:port][;params]; never `?headers` (a link must not
 *   add Replaces or other headers to our INVITE, RFC 3261 §19.1.1), quotes,
 *   angle brackets, whitespace or an escaped control character.
 * - at most 256 characters (the dialer's limit), a few dozen arguments.
 */

export type ParsedLink = { ok: true; number: string } | { ok: false; message: string };

export interface LaunchItem {
  source: 'link' | 'command-line';
  result: ParsedLink;
}

const MAX_LINK = 256;
/** A hostile launcher could pass thousands of arguments; a real one passes a handful. */
const MAX_ARGS = 64;
const MAX_ARG = 4096;

const CONTROL = /[\u0000-\u001f\u007f]/;
const ESCAPED_CONTROL = /%(?:[01][0-9a-f]|7f)/i;

/** The value as it may appear in a message: printable, short. */
export const shown = (value: string): string => {
  const printable = value.replace(/[\u0000-\u001f\u007f]/g, '');
  return printable.length > 40 ? `${printable.slice(0, 39)}…` : printable;
};

const refuse = (value: string, why: string): ParsedLink => ({ ok: false, message: `The console did not take "${shown(value)}" to dial: ${why}` });

const paramShape = /^[a-z0-9-]+(=[A-Za-z0-9+\-.!~*'()_%]+)?$/i;

/** A telephone number without its scheme (the part of a tel: link before its parameters, or --dial's value). */
function parseNumber(original: string, text: string): ParsedLink {
  const number = text.replace(/[\s\-.()]/g, '');
  if (number === '' || !/[0-9]/.test(number)) return refuse(original, 'there is no number in it.');
  if (/[a-z]/i.test(number)) return refuse(original, 'a phone number has digits only, no letters.');
  if (!/^\+?[0-9*#]+$/.test(number)) return refuse(original, 'a phone number holds digits, * and # (and one leading +).');
  if (number.length > 64) return refuse(original, 'the number is longer than 64 digits.');
  return { ok: true, number };
}

function parseTel(original: string): ParsedLink {
  let rest = original.slice(4);
  if (rest.startsWith('//')) rest = rest.slice(2); // tel://… from some programs
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return refuse(original, 'it is not a valid link (a broken %-escape).');
  }
  if (CONTROL.test(decoded)) return refuse(original, 'it holds control characters.');
  const [number = '', ...params] = decoded.split(';');
  for (const p of params) if (!paramShape.test(p)) return refuse(original, 'its parameters are malformed.');
  return parseNumber(original, number);
}

// As in the transfer targets (preload/contract/transfer.ts): user@host[:port][;params], nothing else.
const sipShape = /^sips?:[^\s@<>"?;:%]*(?:%[0-9a-f]{2}[^\s@<>"?;:%]*)*@(?:\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:;[^\s<>"?]*)?$/i;

function parseSip(original: string): ParsedLink {
  if (original.includes('?')) return refuse(original, 'SIP links with headers (?…) are not taken.');
  if (/[<>"\s]/.test(original) || CONTROL.test(original)) return refuse(original, 'it holds quotes, brackets or spaces.');
  if (ESCAPED_CONTROL.test(original)) return refuse(original, 'it holds an escaped control character.');
  if (!sipShape.test(original)) return refuse(original, 'a SIP link looks like sip:name@host.');
  const colon = original.indexOf(':');
  const user = original.slice(colon + 1, original.indexOf('@'));
  if (user === '') return refuse(original, 'a SIP link names someone before the @.');
  return { ok: true, number: original.slice(0, colon).toLowerCase() + original.slice(colon) };
}

/** One tel:/sip:/sips: link. */
export function parseDialLink(value: string): ParsedLink {
  if (value.length > MAX_LINK) return refuse(value, `it is longer than ${MAX_LINK} characters.`);
  const scheme = /^([a-z]+):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'tel') return parseTel(value);
  if (scheme === 'sip' || scheme === 'sips') return parseSip(value);
  return refuse(value, 'only tel: and sip: links are dialled.');
}

/** `--dial` takes a link or a plain number. */
function parseDialValue(value: string): ParsedLink {
  if (value.length > MAX_LINK) return refuse(value, `it is longer than ${MAX_LINK} characters.`);
  if (/^(tel|sips?):/i.test(value)) return parseDialLink(value);
  if (CONTROL.test(value)) return refuse(value, 'it holds control characters.');
  return parseNumber(value, value);
}

const isLink = (arg: string) => /^(tel|sips?):/i.test(arg);

/**
 * What a command line asks to dial: every tel:/sip: argument (how the OS
 * hands over a clicked link on Windows and Linux) and `--dial <value>` /
 * `--dial=<value>`. Everything else — the executable, Chromium's switches,
 * the app folder — is not ours and is ignored.
 */
export function launchItems(argv: readonly unknown[]): LaunchItem[] {
  const items: LaunchItem[] = [];
  const args = argv.slice(0, MAX_ARGS);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string') continue;
    if (arg.length > MAX_ARG) {
      if (isLink(arg) || arg.startsWith('--dial')) items.push({ source: isLink(arg) ? 'link' : 'command-line', result: refuse(arg, 'it is far too long.') });
      continue;
    }
    if (isLink(arg)) items.push({ source: 'link', result: parseDialLink(arg) });
    else if (arg.startsWith('--dial=')) items.push({ source: 'command-line', result: parseDialValue(arg.slice('--dial='.length)) });
    else if (arg === '--dial') {
      const value = args[i + 1];
      if (typeof value === 'string' && !value.startsWith('--')) {
        items.push({ source: 'command-line', result: parseDialValue(value.slice(0, MAX_ARG + 1)) });
        i++;
      } else items.push({ source: 'command-line', result: { ok: false, message: 'The console was asked to dial (--dial) but given no number.' } });
    }
  }
  return items;
}
