/**
 * Requests JsSIP 3.13.8 would drop without a word, answer wrongly or choke on,
 * answered here before it sees them (RFC 3261 §8.2, RFC 6665 §4.1.3):
 *
 * - A header its grammar refuses (an unparseable Refer-To, Event, Contact, …):
 *   JsSIP's parser drops the whole message and sends nothing, so the sender
 *   retransmits until its own timer gives up. We answer 400 naming the header.
 * - A CSeq whose method is not the request's (§8.1.1.5: they MUST match):
 *   JsSIP does not look. 400.
 * - A NOTIFY without Event: JsSIP answers 400 and then throws reading the
 *   missing header, out of the socket's data handler. 400, and it never gets there.
 * - A NOTIFY outside any dialog: JsSIP emits it and answers 200, though no
 *   subscription of ours ever creates one (ours always carry our tag). 481.
 *
 * Responses are stateless, built from the request's own Via, From, To, Call-ID
 * and CSeq as JsSIP's sanity check builds its own; a request without them
 * cannot be answered and is dropped, as JsSIP would. Never an ACK (§17.1.1.3).
 * A NOTIFY inside a call that matches no subscription is the session adapter's
 * (main/sip/session.ts), which knows the call's REFER subscriptions; one with
 * a To tag for a call that has ended passes here too, so that the line can
 * answer it for a REFER subscription that outlived the call
 * (main/sip/refer-usages.ts) — or JsSIP 481 when none did.
 */
import { Grammar } from 'jssip';

/** How JsSIP's parser (jssip/lib/Parser.js) reads each header: lower-case name and compact form → grammar rule. */
const PARSED_HEADERS: Record<string, { rule: string; name: string }> = {
  via: { rule: 'Via', name: 'Via' },
  v: { rule: 'Via', name: 'Via' },
  from: { rule: 'From', name: 'From' },
  f: { rule: 'From', name: 'From' },
  to: { rule: 'To', name: 'To' },
  t: { rule: 'To', name: 'To' },
  'record-route': { rule: 'Record_Route', name: 'Record-Route' },
  'call-id': { rule: 'Call_ID', name: 'Call-ID' },
  i: { rule: 'Call_ID', name: 'Call-ID' },
  contact: { rule: 'Contact', name: 'Contact' },
  m: { rule: 'Contact', name: 'Contact' },
  'content-length': { rule: 'Content_Length', name: 'Content-Length' },
  l: { rule: 'Content_Length', name: 'Content-Length' },
  'content-type': { rule: 'Content_Type', name: 'Content-Type' },
  c: { rule: 'Content_Type', name: 'Content-Type' },
  cseq: { rule: 'CSeq', name: 'CSeq' },
  'max-forwards': { rule: 'Max_Forwards', name: 'Max-Forwards' },
  'session-expires': { rule: 'Session_Expires', name: 'Session-Expires' },
  x: { rule: 'Session_Expires', name: 'Session-Expires' },
  'refer-to': { rule: 'Refer_To', name: 'Refer-To' },
  r: { rule: 'Refer_To', name: 'Refer-To' },
  replaces: { rule: 'Replaces', name: 'Replaces' },
  event: { rule: 'Event', name: 'Event' },
  o: { rule: 'Event', name: 'Event' },
};

export interface ScreenVerdict {
  /** The response to send (CRLF-terminated SIP text), null when the request cannot be answered. */
  response: string | null;
  code: number;
  reason: string;
  method: string;
  /** What the log says about it (never the request's raw text). */
  why: string;
}

interface Header {
  key: string;
  value: string;
}

/** The request's header lines, folded continuation lines joined (RFC 3261 §7.3.1); null for a response or non-SIP. */
function splitRequest(text: string): { method: string; headers: Header[] } | null {
  const end = text.indexOf('\r\n\r\n');
  const head = (end === -1 ? text : text.slice(0, end)).split('\r\n');
  const start = /^([A-Za-z]+) \S+ SIP\/2\.0$/.exec(head[0] ?? '');
  if (!start) return null;
  const headers: Header[] = [];
  for (const line of head.slice(1)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers.at(-1)!.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // JsSIP's parser refuses it too; without a name there is nothing to report
    headers.push({ key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return { method: start[1]!, headers };
}

const first = (headers: Header[], ...keys: string[]) => headers.find((h) => keys.includes(h.key))?.value;

function statelessResponse(headers: Header[], code: number, reason: string): string | null {
  const vias = headers.filter((h) => h.key === 'via' || h.key === 'v').map((h) => h.value);
  const from = first(headers, 'from', 'f');
  const to = first(headers, 'to', 't');
  const callId = first(headers, 'call-id', 'i');
  const cseq = first(headers, 'cseq');
  if (vias.length === 0 || from === undefined || to === undefined || callId === undefined || cseq === undefined) return null;
  // A final response names a dialog side: the To gets our tag unless the request already carried one.
  const toTagged = /;\s*tag=/i.test(to) ? to : `${to};tag=${Math.random().toString(36).slice(2, 12)}`;
  return [
    `SIP/2.0 ${code} ${reason}`,
    ...vias.map((v) => `Via: ${v}`),
    `From: ${from}`,
    `To: ${toTagged}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/**
 * The verdict on one incoming message: null to hand it to JsSIP as it is
 * (responses, keep-alives, and every request JsSIP handles correctly).
 */
export function screenRequest(text: string): ScreenVerdict | null {
  const request = splitRequest(text);
  if (!request) return null;
  const { method, headers } = request;
  const refuse = (code: number, reason: string, why: string): ScreenVerdict => ({
    // Nothing answers an ACK (RFC 3261 §17.1.1.3): it is dropped, and logged.
    response: method === 'ACK' ? null : statelessResponse(headers, code, reason),
    code,
    reason,
    method,
    why,
  });

  let sawVia = false;
  for (const h of headers) {
    const parsed = PARSED_HEADERS[h.key];
    if (!parsed) continue;
    // JsSIP parses every line of these headers as it meets it, except Via: only the first, the others are carried as text.
    if (parsed.rule === 'Via') {
      if (sawVia) continue;
      sawVia = true;
    }
    if (Grammar.parse(h.value, parsed.rule) === -1) return refuse(400, `Bad ${parsed.name} header`, `its ${parsed.name} header cannot be parsed`);
  }

  const cseq = first(headers, 'cseq');
  const cseqMethod = cseq === undefined ? null : (/^\d+\s+(\S+)$/.exec(cseq)?.[1] ?? null);
  if (cseqMethod !== null && cseqMethod !== method) {
    return refuse(400, 'CSeq method does not match', `its CSeq names ${cseqMethod.slice(0, 20)}, not ${method}`);
  }

  if (method === 'NOTIFY') {
    if (first(headers, 'event', 'o') === undefined) return refuse(400, 'Missing Event header', 'a NOTIFY without an Event header');
    const to = first(headers, 'to', 't') ?? '';
    if (!/;\s*tag=/i.test(to)) return refuse(481, 'Subscription does not exist', 'a NOTIFY outside any dialog, for no subscription of ours');
  }
  return null;
}
