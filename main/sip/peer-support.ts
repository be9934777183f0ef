/**
 * What a far end's phone announces it can do, read from the headers of the
 * messages it sends inside a call: Supported (and Require) option tags
 * (RFC 3261 §20.37, `k` compact), Allow (§20.5) and Allow-Events (RFC 6665,
 * `u` compact). The transfer machine uses it to choose which phone gets the
 * REFER with Replaces (RFC 5589, docs/transfers.md "Which phone swaps the
 * calls"). Pure: messages in, a summary out.
 *
 * A phone that sent us a dialog message without `replaces` among its option
 * tags does not support Replaces (RFC 3891 §6: a UA that does lists it); one
 * we have heard nothing from is unknown. Allow tells about REFER only when
 * present: its absence says nothing (RFC 3261 §20.5).
 */
import type { PeerSupport } from '../calls/transfer/types';

/** The part of a JsSIP IncomingMessage (request or response) read here. */
export interface HeaderSource {
  getHeaders(name: string): string[];
}

export interface Announcement {
  /** A dialog message from the far end was read (its INVITE, a 1xx/2xx, a re-INVITE). */
  seen: boolean;
  optionTags: ReadonlySet<string>;
  /** null until a message carried Allow. */
  methods: ReadonlySet<string> | null;
  events: ReadonlySet<string>;
}

export const emptyAnnouncement: Announcement = { seen: false, optionTags: new Set(), methods: null, events: new Set() };

/** Comma-separated tokens of every header line with one of these names, lower-cased (event packages without parameters). */
function tokens(message: HeaderSource, ...names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    let lines: string[];
    try {
      lines = message.getHeaders(name);
    } catch {
      continue;
    }
    for (const line of lines) {
      for (const token of String(line).split(',')) {
        const word = token.split(';')[0]!.trim().toLowerCase();
        if (word !== '') out.push(word);
      }
    }
  }
  return out;
}

/** The announcement after one more message from the far end. */
export function announcedBy(before: Announcement, message: HeaderSource): Announcement {
  const optionTags = new Set([...before.optionTags, ...tokens(message, 'supported', 'k', 'require')]);
  const allow = tokens(message, 'allow');
  const methods = allow.length > 0 ? new Set([...(before.methods ?? []), ...allow.map((m) => m.toUpperCase())]) : before.methods;
  const events = new Set([...before.events, ...tokens(message, 'allow-events', 'u')]);
  return { seen: true, optionTags, methods, events };
}

/** The summary the transfer machine reads. */
export function supportFrom(a: Announcement): PeerSupport {
  const replaces = a.seen ? a.optionTags.has('replaces') : null;
  // A phone that lists the refer event package can be a REFER's notifier even without Allow.
  const refer = a.methods?.has('REFER') || a.events.has('refer') ? true : a.methods !== null ? false : null;
  return { replaces, refer };
}
