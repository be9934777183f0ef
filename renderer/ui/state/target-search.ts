/**
 * What the agent can transfer to, as one flat list of entries (queues,
 * colleagues, recent numbers, a number or SIP address typed in), and the one
 * search over it that the targets panel and the keyboard picker share.
 *
 * A typed string becomes a raw target only when it looks like a number or a
 * SIP address; anything else (a colleague's name) only searches, so the agent
 * never meets main's "enter a number" refusal for typing a name. Main still
 * validates every target it is sent (preload/contract/transfer.ts).
 */
import type { CallSummary, Presence, QueueInfo, TargetsView, TransferTargetInput } from '../../../preload/contract';

export type TargetEntry =
  | { kind: 'queue'; key: string; name: string; address: string | null; queue: QueueInfo }
  | { kind: 'colleague'; key: string; name: string; address: string; presence: Presence }
  /** A number the agent talked to lately (from history). `name` is the caller's display name, or the number. */
  | { kind: 'recent'; key: string; name: string; address: string; at: number }
  /** Typed in, or a starred address no queue or colleague carries. */
  | { kind: 'number' | 'uri'; key: string; name: string; address: string };

/*
 * The renderer imports only types from the contract, so these mirror its
 * `phoneLike` and `sipUriLike` patterns. They decide what *looks like* a
 * target; main's schema stays the judge of what is one.
 */
const phoneLike = /^(\+?[\s\-.()]*[0-9][0-9\s\-.()]*|[*#][0-9*#\s]*)$/;
const sipUriLike = /^sips?:[^\s@<>"?]+@[^\s<>"?]+$/i;
/** `2002@pbx.example.com` typed without a scheme: the agent means a SIP address. */
const bareAddress = /^[^\s@<>"?:]+@[A-Za-z0-9.\-[\]:]+$/;

/** The typed text as a number or SIP-address target, or null when it is a name to search for. */
export function rawTarget(text: string): Extract<TransferTargetInput, { kind: 'number' | 'uri' }> | null {
  const t = text.trim();
  if (t === '') return null;
  if (sipUriLike.test(t)) return { kind: 'uri', uri: t };
  if (bareAddress.test(t)) return { kind: 'uri', uri: `sip:${t}` };
  if (phoneLike.test(t)) return { kind: 'number', number: t };
  return null;
}

/** What goes into transfer:blind / transfer:attended for an entry; null when it cannot take a transfer (a queue without an address). */
export function targetOf(entry: TargetEntry): TransferTargetInput | null {
  switch (entry.kind) {
    case 'queue':
      return entry.address === null ? null : { kind: 'queue', name: entry.name, address: entry.address };
    case 'colleague':
      return { kind: 'colleague', name: entry.name, address: entry.address };
    case 'recent':
    case 'number':
    case 'uri':
      return rawTarget(entry.address);
  }
}

/** An entry for a raw address (typed in, or starred and known to nobody else). */
export function rawEntry(text: string): TargetEntry | null {
  const raw = rawTarget(text);
  if (!raw) return null;
  const address = raw.kind === 'uri' ? raw.uri : raw.number;
  return { kind: raw.kind, key: `${raw.kind}:${address}`, name: address, address };
}

/** Digits (and + * #) only: "+49 (30) 1234" and "+49301234" are the same number. */
const digitsOf = (s: string) => s.replace(/[^0-9+*#]/g, '');

/** Two addresses name the same target: equal text, or, for numbers, equal digits. */
export function sameAddress(a: string, b: string): boolean {
  if (a.trim().toLowerCase() === b.trim().toLowerCase()) return true;
  return phoneLike.test(a.trim()) && phoneLike.test(b.trim()) && digitsOf(a) === digitsOf(b);
}

/**
 * The distinct numbers of the latest calls, newest first, as entries. Calls
 * that carried neither a usable number nor a SIP address are skipped.
 */
export function recentEntries(calls: readonly CallSummary[], limit = 8): TargetEntry[] {
  const out: TargetEntry[] = [];
  for (const c of calls) {
    const address = c.remote.number ?? c.remote.uri;
    if (address === null || rawTarget(address) === null) continue;
    if (out.some((e) => sameAddress(e.address ?? '', address))) continue;
    out.push({ kind: 'recent', key: `recent:${address}`, name: c.remote.displayName ?? address, address, at: c.startedAt });
    if (out.length >= limit) break;
  }
  return out;
}

/** Queues, colleagues and recent numbers, one entry per address (a recent number a colleague owns is that colleague). */
export function allEntries(view: TargetsView | null, recents: readonly TargetEntry[]): TargetEntry[] {
  const queues: TargetEntry[] = (view?.queues ?? []).map((q) => ({ kind: 'queue', key: `queue:${q.id}`, name: q.name, address: q.address, queue: q }));
  const colleagues: TargetEntry[] = (view?.colleagues ?? []).map((c) => ({
    kind: 'colleague',
    key: `colleague:${c.id}`,
    name: c.name,
    address: c.address,
    presence: c.presence,
  }));
  const known = [...queues, ...colleagues];
  const owned = (address: string) => known.some((e) => e.address !== null && sameAddress(e.address, address));
  return [...known, ...recents.filter((r) => r.address !== null && !owned(r.address))];
}

/** The starred addresses as entries: the queue or colleague that carries the address, else the address itself. */
export function favouriteEntries(favourites: readonly string[], entries: readonly TargetEntry[]): TargetEntry[] {
  const out: TargetEntry[] = [];
  for (const address of favourites) {
    const known = entries.find((e) => e.address !== null && sameAddress(e.address, address));
    const entry = known ?? rawEntry(address);
    if (entry && !out.some((e) => e.key === entry.key)) out.push(entry);
  }
  return out;
}

/** How well `entry` matches the lower-cased query; 0 = not at all. */
function score(entry: TargetEntry, q: string): number {
  const name = entry.name.toLowerCase();
  const address = (entry.address ?? '').toLowerCase();
  const words = name.split(/[\s\-_.,()]+/).filter(Boolean);
  const qWords = q.split(/\s+/).filter(Boolean);
  const qDigits = digitsOf(q);
  const numeric = phoneLike.test(q) && qDigits.length > 0;
  if (name === q) return 100;
  if (address === q || (numeric && digitsOf(address) === qDigits)) return 95;
  if (name.startsWith(q)) return 80;
  if (words.some((w) => w.startsWith(q))) return 70;
  if (qWords.length > 1 && qWords.every((qw) => words.some((w) => w.startsWith(qw)))) return 65;
  if (address.startsWith(q) || (numeric && digitsOf(address).startsWith(qDigits))) return 60;
  if (address.replace(/^sips?:/, '').startsWith(q)) return 55;
  if (name.includes(q)) return 40;
  if (address.includes(q) || (numeric && qDigits.length >= 3 && digitsOf(address).includes(qDigits))) return 30;
  return 0;
}

/** Among equal matches: colleagues who can take a call first, then queues, then the rest. */
const rank = (e: TargetEntry): number => {
  if (e.kind === 'colleague') return e.presence === 'available' ? 0 : e.presence === 'unknown' ? 2 : 3;
  if (e.kind === 'queue') return e.address === null ? 4 : 1;
  return 2;
};

export interface SearchOptions {
  /** Starred addresses rank above equal matches. */
  favourites?: readonly string[];
  limit?: number;
}

/**
 * The entries matching `query`, best first. A query that looks like a number
 * or SIP address which no entry carries comes first as a raw target, so Enter
 * on a bare number transfers to that number.
 */
export function searchTargets(query: string, entries: readonly TargetEntry[], options: SearchOptions = {}): TargetEntry[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const starred = (e: TargetEntry) => e.address !== null && (options.favourites ?? []).some((f) => sameAddress(f, e.address ?? ''));
  const found = entries
    .map((entry) => ({ entry, score: score(entry, q) + (starred(entry) ? 5 : 0) }))
    .filter((m) => m.score > 5)
    .sort((a, b) => b.score - a.score || rank(a.entry) - rank(b.entry) || a.entry.name.localeCompare(b.entry.name))
    .map((m) => m.entry);
  const raw = rawEntry(query);
  const exact = raw && found.some((e) => e.address !== null && sameAddress(e.address, raw.address ?? ''));
  const list = raw && !exact ? [raw, ...found] : found;
  return list.slice(0, options.limit ?? 50);
}
