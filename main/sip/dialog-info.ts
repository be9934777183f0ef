/**
 * Pure parsers for the bodies of presence NOTIFYs: RFC 4235 dialog-info
 * (`application/dialog-info+xml`, the busy-lamp field) and RFC 3863 PIDF
 * (`application/pidf+xml`, with the RFC 4480 activities some servers add).
 *
 * No XML library: these bodies come from the network, so the tiny reader below
 * accepts only what they need (elements, attributes, text, comments, CDATA,
 * the XML declaration) and refuses the rest — a DOCTYPE (entity expansion),
 * unknown entities, unbalanced tags, more than MAX_DEPTH levels or MAX_NODES
 * elements, bodies over MAX_BODY characters. Nothing here throws: every
 * function returns `{ ok: false, error }` and the caller keeps what it knew
 * (docs/architecture.md: main/sip/ absorbs the network's quirks).
 */
import type { Presence } from '../../preload/contract/targets';

export const MAX_BODY = 256 * 1024;
const MAX_DEPTH = 32;
const MAX_NODES = 5000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

interface XmlElement {
  /** Local name, namespace prefix dropped (servers differ in prefixes, never in local names). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string): string | null {
  let bad = false;
  const out = raw.replace(/&([^;&\s]{1,10});/g, (_, name: string) => {
    if (name in ENTITIES) return ENTITIES[name]!;
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : NaN;
    if (Number.isInteger(code) && code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    bad = true;
    return '';
  });
  // A bare `&` that starts no entity is not XML either.
  if (bad || /&(?![^;&\s]{1,10};)/.test(raw)) return null;
  return out;
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);
const NAME = /^[A-Za-z_][\w.:-]*$/;

/** Parses one XML document into a tree of elements; null + reason when it is not one we accept. */
export function parseXml(body: string): Parsed<XmlElement> {
  if (typeof body !== 'string') return { ok: false, error: 'body is not text' };
  if (body.length > MAX_BODY) return { ok: false, error: `body larger than ${MAX_BODY} characters` };
  const src = body.replace(/^\uFEFF/, '');
  const stack: Array<{ el: XmlElement; qname: string }> = [];
  let root: XmlElement | null = null;
  let nodes = 0;
  let i = 0;
  const fail = (error: string): Parsed<XmlElement> => ({ ok: false, error: `${error} (at ${i})` });
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? src.length : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (!top) {
        if (raw.trim()) return fail('text outside the root element');
      } else {
        const text = decode(raw);
        if (text === null) return fail('unknown or malformed entity');
        top.el.text += text;
      }
      i = textEnd;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end === -1) return fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      if (end === -1) return fail('unterminated CDATA');
      const top = stack[stack.length - 1];
      if (!top) return fail('CDATA outside the root element');
      top.el.text += src.slice(i + 9, end);
      i = end + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      if (end === -1) return fail('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (src.startsWith('<!', i)) return fail('DOCTYPE and declarations are refused');
    const gt = findTagEnd(src, i + 1);
    if (gt === -1) return fail('unterminated tag');
    const inner = src.slice(i + 1, gt);
    i = gt + 1;
    if (inner.startsWith('/')) {
      const qname = inner.slice(1).trim();
      const top = stack.pop();
      if (!top || top.qname !== qname) return fail(`unexpected </${qname.slice(0, 40)}>`);
      continue;
    }
    const selfClosing = inner.endsWith('/');
    const tag = parseTag(selfClosing ? inner.slice(0, -1) : inner);
    if (!tag) return fail('malformed tag');
    if (root && stack.length === 0) return fail('more than one root element');
    if (++nodes > MAX_NODES) return fail(`more than ${MAX_NODES} elements`);
    if (stack.length >= MAX_DEPTH) return fail(`nested deeper than ${MAX_DEPTH}`);
    const el: XmlElement = { name: localName(tag.qname), attrs: tag.attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.el.children.push(el);
    else root = el;
    if (!selfClosing) stack.push({ el, qname: tag.qname });
  }
  if (stack.length) return fail(`<${stack[stack.length - 1]!.qname.slice(0, 40)}> is not closed`);
  if (!root) return fail('no root element');
  return { ok: true, value: root };
}

/** The `>` that ends the tag starting at `from`, skipping quoted attribute values. */
function findTagEnd(src: string, from: number): number {
  let quote: string | null = null;
  for (let j = from; j < src.length; j++) {
    const c = src[j];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '<') return -1;
    else if (c === '>') return j;
  }
  return -1;
}

function parseTag(inner: string): { qname: string; attrs: Record<string, string> } | null {
  const m = /^([^\s/>]+)([\s\S]*)$/.exec(inner);
  if (!m || !NAME.test(m[1]!)) return null;
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  const rest = m[2]!;
  const attr = /\s+([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/y;
  const end = rest.trimEnd().length;
  while (attr.lastIndex < end) {
    const a = attr.exec(rest);
    if (!a || !NAME.test(a[1]!)) return null;
    const value = decode(a[3] ?? a[4] ?? '');
    if (value === null) return null;
    const name = a[1]!;
    // Namespace declarations are not data; the parsers match local names.
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) attrs[localName(name)] = value;
  }
  return { qname: m[1]!, attrs };
}

const childrenNamed = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const descendantsNamed = (el: XmlElement, name: string): XmlElement[] =>
  el.children.flatMap((c) => (c.name === name ? [c, ...descendantsNamed(c, name)] : descendantsNamed(c, name)));

// --- RFC 4235 dialog-info ------------------------------------------------------------------------

export const dialogStates = ['trying', 'proceeding', 'early', 'confirmed', 'terminated'] as const;
export type DialogState = (typeof dialogStates)[number];

export interface DialogEntry {
  id: string;
  state: DialogState;
  direction: 'initiator' | 'recipient' | null;
}

export interface DialogInfo {
  /** Increments with every NOTIFY of one subscription; null where the server sent none. */
  version: number | null;
  /** full: these are all the entity's dialogs; partial: only the ones that changed. */
  full: boolean;
  entity: string | null;
  dialogs: DialogEntry[];
  /** Dialog elements left out (no id, an unknown state): reported, not fatal. */
  skipped: number;
}

export function parseDialogInfo(body: string): Parsed<DialogInfo> {
  const xml = parseXml(body);
  if (!xml.ok) return xml;
  const root = xml.value;
  if (root.name !== 'dialog-info') return { ok: false, error: `root element is <${root.name.slice(0, 40)}>, not <dialog-info>` };
  let version: number | null = null;
  if (root.attrs.version !== undefined) {
    if (!/^\d{1,15}$/.test(root.attrs.version.trim())) return { ok: false, error: 'version is not a number' };
    version = Number(root.attrs.version.trim());
  }
  const stateAttr = root.attrs.state?.trim();
  if (stateAttr !== undefined && stateAttr !== 'full' && stateAttr !== 'partial') {
    return { ok: false, error: 'state is neither full nor partial' };
  }
  const dialogs: DialogEntry[] = [];
  let skipped = 0;
  for (const d of childrenNamed(root, 'dialog')) {
    const id = d.attrs.id?.trim() || d.attrs['call-id']?.trim();
    const stateText = childrenNamed(d, 'state')[0]?.text.trim().toLowerCase();
    const state = dialogStates.find((s) => s === stateText);
    if (!id || !state) {
      skipped++;
      continue;
    }
    const dir = d.attrs.direction?.trim();
    dialogs.push({ id, state, direction: dir === 'initiator' || dir === 'recipient' ? dir : null });
  }
  return {
    ok: true,
    // RFC 4235 requires the state attribute; a body without one is read as a complete list.
    value: { version, full: stateAttr !== 'partial', entity: root.attrs.entity?.trim() || null, dialogs, skipped },
  };
}

/** One subscription's knowledge of an entity's dialogs: the last version applied and the live dialogs. */
export interface DialogBook {
  version: number | null;
  dialogs: ReadonlyMap<string, DialogState>;
}

export const emptyBook: DialogBook = { version: null, dialogs: new Map() };

/**
 * Applies a NOTIFY to what the subscription knew. A version not above the last
 * applied one is a retransmission or arrived out of order: ignored (`stale`).
 * A full document replaces the dialogs; a partial one updates those it names,
 * and a terminated dialog is forgotten either way.
 */
export function applyDialogInfo(book: DialogBook, info: DialogInfo): { book: DialogBook; stale: boolean } {
  if (info.version !== null && book.version !== null && info.version <= book.version) return { book, stale: true };
  const dialogs = new Map(info.full ? [] : book.dialogs);
  for (const d of info.dialogs) {
    if (d.state === 'terminated') dialogs.delete(d.id);
    else dialogs.set(d.id, d.state);
  }
  return { book: { version: info.version ?? book.version, dialogs }, stale: false };
}

/** The busy-lamp colour of an entity: an answered call makes it busy, an unanswered one ringing, none available. */
export function presenceOfDialogs(book: DialogBook): Extract<Presence, 'available' | 'ringing' | 'busy'> {
  const states = [...book.dialogs.values()];
  if (states.includes('confirmed')) return 'busy';
  // trying/proceeding/early: a call being set up, in either direction, not yet answered.
  if (states.length) return 'ringing';
  return 'available';
}

// --- RFC 3863 PIDF -------------------------------------------------------------------------------

export interface PidfInfo {
  /** open if any tuple is open, closed if all are, null where no tuple says. */
  basic: 'open' | 'closed' | null;
  away: boolean;
  onThePhone: boolean;
}

const AWAY_ACTIVITIES = new Set(['away', 'vacation', 'holiday', 'meal', 'sleeping', 'travel', 'steering', 'permanent-absence', 'appointment', 'meeting']);
const AWAY_NOTE = /\b(away|be right back|brb|out to lunch|lunch|break|not available|unavailable|absent|dnd|do not disturb)\b/i;

export function parsePidf(body: string): Parsed<PidfInfo> {
  const xml = parseXml(body);
  if (!xml.ok) return xml;
  const root = xml.value;
  if (root.name !== 'presence') return { ok: false, error: `root element is <${root.name.slice(0, 40)}>, not <presence>` };
  const basics = descendantsNamed(root, 'basic').map((b) => b.text.trim().toLowerCase());
  const basic = basics.includes('open') ? 'open' : basics.includes('closed') ? 'closed' : null;
  const activities = descendantsNamed(root, 'activities').flatMap((a) => a.children.map((c) => c.name.toLowerCase()));
  const notes = descendantsNamed(root, 'note').map((n) => n.text);
  return {
    ok: true,
    value: {
      basic,
      away: activities.some((a) => AWAY_ACTIVITIES.has(a)) || notes.some((n) => AWAY_NOTE.test(n)),
      onThePhone: activities.includes('on-the-phone') || activities.includes('busy'),
    },
  };
}

/** What a PIDF document says of a colleague, on its own. */
export function presenceOfPidf(info: PidfInfo): Presence {
  if (info.basic === 'closed') return 'offline';
  if (info.onThePhone) return 'busy';
  if (info.away) return 'away';
  return info.basic === 'open' ? 'available' : 'unknown';
}
