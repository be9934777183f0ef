/**
 * SIP messages as the demo switchboard handles them. Parsing is SIP.js's own
 * (its core Parser and Grammar, the same code its user agents run), so the
 * switchboard never reads SIP with a hand-written parser; what this file adds
 * is the small editable form a proxy needs: the header lines in order, each
 * Via and Route value on its own line (a proxy pushes and pops them one at a
 * time), and a writer that puts the message back on the wire with a correct
 * Content-Length.
 */
import { Core, Grammar, type URI } from 'sip.js';

const { IncomingRequestMessage, LoggerFactory, Parser } = Core;

export interface HeaderLine {
  name: string;
  value: string;
}

interface Common {
  /** Header lines in wire order; Via and Route hold one value per line. */
  headers: HeaderLine[];
  body: string;
  callId: string;
  cseq: number;
  /** The CSeq method (for a response: the method it answers). */
  cseqMethod: string;
  fromTag: string | undefined;
  toTag: string | undefined;
  /** The user parts of From and To (numbers, names), when they have one. */
  fromUser: string | undefined;
  toUser: string | undefined;
}

export interface SipRequest extends Common {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends Common {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** SIP.js logs through this; the switchboard has its own log, so SIP.js stays quiet. */
const quiet = (() => {
  const factory = new LoggerFactory();
  factory.builtinEnabled = false;
  return factory.getLogger('demo.switchboard');
})();

/** Splits a header value at the commas between its values (never inside <…> or "…"). */
export function splitValues(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v !== '');
}

/** Headers a proxy handles one value at a time (RFC 3261 §7.3.1 allows folding them into one line). */
const listHeaders = new Set(['via', 'route', 'record-route']);

/** The message in `text`, or null when SIP.js cannot read it (it is then dropped, as a server would). */
export function parseSip(text: string): SipMessage | null {
  const m = Parser.parseMessage(text, quiet);
  if (!m) return null;
  const headers: HeaderLine[] = [];
  for (const [name, entries] of Object.entries(m.headers)) {
    for (const entry of entries) {
      const values = listHeaders.has(name.toLowerCase()) ? splitValues(entry.raw) : [entry.raw];
      for (const value of values) headers.push({ name, value });
    }
  }
  const cseqHeader = m.parseHeader('cseq') as { value: number; method: string } | undefined;
  if (!m.callId || !cseqHeader || !m.from || !m.to) return null;
  const common: Common = {
    headers,
    body: m.body ?? '',
    callId: m.callId,
    cseq: cseqHeader.value,
    cseqMethod: cseqHeader.method,
    fromTag: m.fromTag || undefined,
    toTag: m.toTag || undefined,
    fromUser: m.from.uri.user,
    toUser: m.to.uri.user,
  };
  if (m instanceof IncomingRequestMessage) {
    return { ...common, kind: 'request', method: m.method, uri: m.ruri?.toString() ?? '' };
  }
  const r = m as unknown as { statusCode: number; reasonPhrase: string };
  return { ...common, kind: 'response', status: r.statusCode, reason: r.reasonPhrase };
}

export const parseUri = (text: string): URI | undefined => Grammar.URIParse(text);

/** A Contact (or Route, Refer-To) value: its URI and header parameters, read by SIP.js's grammar. */
export function contactOf(value: string): { uri: URI; expires: number | undefined } | undefined {
  const parsed = Grammar.parse(value, 'Contact') as Array<{ parsed: { uri: URI; getParam(name: string): string | undefined } }> | -1;
  if (parsed === -1 || parsed.length === 0) return undefined;
  const first = parsed[0]!.parsed;
  const expires = first.getParam('expires');
  return { uri: first.uri, expires: expires === undefined || !/^\d+$/.test(expires) ? undefined : Number(expires) };
}

/** The URI inside a name-addr or addr-spec value (`"Ann" <sip:201@x>;tag=1` → sip:201@x). */
export const uriOf = (value: string): URI | undefined => contactOf(value)?.uri;

export const header = (m: SipMessage, name: string): string | undefined =>
  m.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

export const headers = (m: SipMessage, name: string): string[] =>
  m.headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);

export function withoutHeader(lines: readonly HeaderLine[], name: string): HeaderLine[] {
  return lines.filter((h) => h.name.toLowerCase() !== name.toLowerCase());
}

/** The branch of the topmost Via (RFC 3261 §8.1.1.7): what names a transaction. */
export function topBranch(m: SipMessage): string | undefined {
  const via = header(m, 'via');
  if (!via) return undefined;
  const parsed = Grammar.parse(via, 'Via') as { branch?: string } | -1;
  return parsed === -1 ? undefined : parsed.branch;
}

/** The host of the topmost Via: where a user agent over WebSocket says it lives (a random `….invalid`). */
export function topViaHost(m: SipMessage): string | undefined {
  const via = header(m, 'via');
  if (!via) return undefined;
  const parsed = Grammar.parse(via, 'Via') as { host?: string } | -1;
  return parsed === -1 ? undefined : parsed.host?.toLowerCase();
}

/** Writes a message back to text; Content-Length is always recomputed (bytes, not characters). */
export function writeSip(m: SipMessage): string {
  const start = m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
  const lines = withoutHeader(m.headers, 'content-length').map((h) => `${h.name}: ${h.value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(m.body, 'utf8')}`);
  return `${start}\r\n${lines.join('\r\n')}\r\n\r\n${m.body}`;
}

/**
 * A response the switchboard itself sends to `request` (RFC 3261 §8.2.6):
 * Via, From, To, Call-ID and CSeq copied, a To tag added for a final answer
 * that has none (so the caller can tell it from the callee's).
 */
export function responseTo(request: SipRequest, status: number, reason: string, extra: HeaderLine[] = [], toTag?: string): SipResponse {
  const copied = request.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name.toLowerCase()));
  const tag = request.toTag ?? (status >= 200 && status !== 100 ? toTag : undefined);
  const headers = copied.map((h) => (h.name.toLowerCase() === 'to' && tag && !request.toTag ? { name: h.name, value: `${h.value};tag=${tag}` } : h));
  return {
    kind: 'response',
    status,
    reason,
    headers: [...headers, ...extra, { name: 'Server', value: 'AgentConsole-Demo' }],
    body: '',
    callId: request.callId,
    cseq: request.cseq,
    cseqMethod: request.method,
    fromTag: request.fromTag,
    toTag: tag,
    fromUser: request.fromUser,
    toUser: request.toUser,
  };
}
