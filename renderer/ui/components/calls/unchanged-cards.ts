/**
 * Every calls:changed push carries the whole list, each snapshot a fresh
 * object even when nothing about that call changed (an ended card lingering
 * while a new call rings). Handed to the cards as they come, every card would
 * recompute its wording and timers for nothing before the new card is
 * painted; keeping the previous object for an unchanged card lets Svelte skip
 * it. Pure: plain data in, the same facts out.
 */
import type { CallGroup } from '../../state/call-view';

/** Structural equality of JSON-like data (what crosses the IPC contract). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !sameData(ra[k], rb[k])) return false;
  return true;
}

const sameGroup = (a: CallGroup, b: CallGroup) => sameData(a.call, b.call) && sameData(a.consult, b.consult) && sameData(a.transfer, b.transfer);

/**
 * `next`, with each card that equals its previous version replaced by that previous object; `previous`
 * itself when nothing changed at all (same cards, same order).
 */
export function keepUnchangedCards(previous: readonly CallGroup[], next: readonly CallGroup[]): readonly CallGroup[] {
  const before = new Map(previous.map((g) => [g.call.id, g]));
  let changed = previous.length !== next.length;
  const out = next.map((g, i) => {
    const old = before.get(g.call.id);
    const kept = old && sameGroup(old, g) ? old : g;
    if (kept !== previous[i]) changed = true;
    return kept;
  });
  return changed ? out : previous;
}
