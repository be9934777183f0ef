/**
 * The account and the addresses the agent types, as the SIP stack takes them.
 * The contract already refuses bad values on save (preload/contract/settings.ts);
 * this is the second line of defence, for what reaches the stack another way:
 * a settings file written by an older console or edited by hand, a dial or
 * transfer target built elsewhere in main. Nothing user-supplied reaches a SIP
 * message unless it fits the grammar the stack serialises it with
 * (RFC 3261 §25.1): JsSIP parses it here, and what it cannot parse is refused
 * with a reason, never thrown out of its constructor or a socket handler.
 */
import { URI } from 'jssip';
import { authorizationUserProblem, ConsoleError, hasControlChars, isSipHost, replaceControlChars, sipAddressProblem, type LineStatus } from '../../preload/contract';

type LineFailure = NonNullable<LineStatus['reason']>;

/** The stored account could not be handed to the SIP stack; `reason` is what the line shows. */
export class LineAccountError extends Error {
  constructor(readonly reason: LineFailure) {
    super(reason.message);
    this.name = 'LineAccountError';
  }
}

/** JsSIP's own parser: undefined for what it refuses, and for what makes it throw (a %FF user part). */
function parseUri(text: string): URI | undefined {
  if (hasControlChars(text)) return undefined;
  try {
    const uri = URI.parse(text) as unknown as URI | undefined;
    // toString() decodes and re-escapes the user part: it must not throw later, inside a REGISTER.
    uri?.toString();
    return uri;
  } catch {
    return undefined;
  }
}

const fix = 'Correct it in Settings → Account.';

/**
 * Why the line cannot be built from this account, or null. Each failure names
 * the field and uses the failure code whose advice fits it: the WebSocket
 * address (unreachable), the SIP address (not-found), the authorization user
 * (wrong-credentials).
 */
export function lineAccountProblem(account: { wsUrl: string; sipUri: string; authorizationUser?: string | undefined }): LineFailure | null {
  let wsHost: string | null = null;
  try {
    const u = new URL(account.wsUrl);
    if (u.protocol === 'ws:' || u.protocol === 'wss:') wsHost = u.hostname;
  } catch {
    wsHost = null;
  }
  if (wsHost === null || !isSipHost(wsHost) || hasControlChars(account.wsUrl) || /\s/.test(account.wsUrl)) {
    return { code: 'unreachable', message: `The stored WebSocket address “${preview(account.wsUrl)}” cannot be used. ${fix}` };
  }
  const addressProblem = sipAddressProblem(account.sipUri);
  if (addressProblem !== null || !parseUri(account.sipUri)?.user) {
    return {
      code: 'not-found',
      message: `The stored SIP address “${preview(account.sipUri)}” cannot be used: ${addressProblem ?? 'the SIP stack does not accept it'}. ${fix}`,
    };
  }
  const user = account.authorizationUser;
  const userProblem = user ? authorizationUserProblem(user) : null;
  if (userProblem !== null) return { code: 'wrong-credentials', message: `${userProblem}. ${fix}` };
  return null;
}

/**
 * The display name as it may go into From and Contact: printable text only.
 * JsSIP quotes it and escapes `"` and `\` (RFC 3261 §25.1 quoted-string) but
 * passes line breaks through, which would start a header of the text's own.
 */
export function sipDisplayName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const clean = replaceControlChars(name, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 128);
  return clean === '' ? undefined : clean;
}

/** A dial target as a parsed SIP URI, without ?headers (they would be ours to add); `invalid-target` otherwise. */
export function dialUri(target: string): URI {
  const uri = parseUri(target);
  if (!uri?.user) throw new ConsoleError('invalid-target', `“${preview(target)}” is not a SIP address the console can call.`);
  uri.clearHeaders();
  // What JsSIP did with the text it was handed before (Utils.normalizeTarget): a sips: target is dialled as sip:,
  // the wss:// connection being what encrypts.
  if (uri.scheme.toLowerCase() === 'sips') uri.scheme = 'sip';
  return uri;
}

/**
 * A Refer-To target as a parsed SIP URI. Its ?headers stay (an attended
 * transfer carries its Replaces there, already %-escaped by
 * main/calls/transfer/replaces.ts); the parser guarantees they are escaped.
 */
export function referUri(target: string): URI {
  const uri = parseUri(target);
  if (!uri?.user) throw new Error(`the transfer target “${preview(target)}” is not a SIP address`);
  return uri;
}

/** What of a value to quote in a message: printable, short. */
function preview(value: string): string {
  const printable = replaceControlChars(value, '�');
  return printable.length > 80 ? `${printable.slice(0, 77)}…` : printable;
}
