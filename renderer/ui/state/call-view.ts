/**
 * How a call reads on its card, and which cards the calls column shows.
 * Pure: the wording comes from the catalogue, the facts from main's snapshots;
 * nothing here decides what may be done (that is `allowedActions`).
 */
import type { CallSnapshot, TransferSnapshot } from '../../../preload/contract';
import { formatClock, t } from '../i18n/index.svelte';

export const partyName = (c: CallSnapshot) => c.remote.displayName ?? c.remote.number;

/** "Transferred to you by Bob Lee" on a call that arrived by transfer (main says who); null otherwise. */
export function transferredByLine(c: CallSnapshot): string | null {
  const by = c.transferredBy;
  return by ? t('calls.transferredBy', { name: by.displayName ?? by.number }) : null;
}

export function describeCall(c: CallSnapshot): string {
  if (c.state === 'ringing' && c.direction === 'incoming') return t(c.ring === 'soft' ? 'calls.phase.waiting' : 'calls.phase.incoming');
  if (c.state === 'established') {
    if (c.holdPending) return t('calls.phase.holdChanging');
    if (c.hold.local && c.hold.remote) return t('calls.phase.heldBoth');
    if (c.hold.local) return t('calls.phase.held');
    if (c.hold.remote) return t('calls.phase.heldByThem');
    return t(c.muted ? 'calls.phase.muted' : 'calls.phase.connected');
  }
  if (c.state === 'ended') return c.ended?.reason ?? t('calls.phase.ended');
  const key = ({ trying: 'calls.phase.trying', ringing: 'calls.phase.ringing', 'early-media': 'calls.phase.earlyMedia', answering: 'calls.phase.answering' } as const)[
    c.state
  ];
  return t(key);
}

/**
 * What the other party hears from us, when that is not simply the agent — named, because during a
 * consult the held party may be the transferee, not the caller: "On hold 0:42 · Bob Lee hears music: Lounge".
 */
export function callerHears(c: CallSnapshot, now: number): string | null {
  if (c.state !== 'established') return null;
  const what =
    c.holdAudio === 'you' ? t('calls.hears.you') : c.holdAudio === 'silence' ? t('calls.hears.silence') : t('calls.hears.music', { track: c.holdAudio.music });
  const name = partyName(c);
  if (c.hold.local && c.heldSince !== null) return t('calls.hears.held', { time: formatClock(now - c.heldSince), what, name });
  return c.holdAudio === 'you' ? null : t('calls.hears.now', { what, name });
}

/** One card in the calls column: a call, and the consult leg of its attended transfer shown with it. */
export interface CallGroup {
  call: CallSnapshot;
  transfer: TransferSnapshot | null;
  consult: CallSnapshot | null;
}

/**
 * Cards in the order calls arrived; a live consult leg is shown inside its
 * caller's card instead of as a card of its own, so both legs of a consult
 * read together.
 */
export function groupCalls(calls: readonly CallSnapshot[], transfers: Readonly<Record<string, TransferSnapshot>>): CallGroup[] {
  const consultOf = new Map<string, string>();
  for (const c of calls) {
    const k = transfers[c.id]?.legs.consult;
    if (k?.callId && k.state !== 'ended' && transfers[c.id]?.phase !== 'done') consultOf.set(k.callId, c.id);
  }
  const byId = new Map(calls.map((c) => [c.id, c]));
  return calls
    .filter((c) => !(consultOf.has(c.id) && byId.has(consultOf.get(c.id)!)))
    .map((c) => {
      const transfer = transfers[c.id] ?? null;
      const consultId = transfer?.legs.consult?.callId;
      const consult = consultId && consultOf.get(consultId) === c.id ? (byId.get(consultId) ?? null) : null;
      return { call: c, transfer, consult };
    });
}

/**
 * The call keyboard commands act on: in the focused card, the leg the agent
 * talks on (during a consult that is the consult, so E hangs it up and — as
 * the seed has it — completes the transfer); else the call the agent talks
 * on, else the one ringing.
 */
export function currentCall(groups: readonly CallGroup[], focusedId: string | null): CallSnapshot | null {
  const live = (c: CallSnapshot | null | undefined): c is CallSnapshot => !!c && c.state !== 'ended';
  const talking = (c: CallSnapshot | null | undefined) => live(c) && c.state === 'established' && !c.hold.local;
  const focused = groups.find((g) => g.call.id === focusedId);
  if (focused) {
    if (talking(focused.consult)) return focused.consult;
    if (live(focused.call)) return focused.call;
  }
  const legs = groups.flatMap((g) => [g.call, ...(g.consult ? [g.consult] : [])]).filter(live);
  return (
    legs.find((c) => talking(c)) ??
    legs.find((c) => c.state === 'ringing' && c.direction === 'incoming') ??
    legs.find((c) => c.state !== 'established') ??
    legs[0] ??
    null
  );
}

/** The card (its caller's call id) a leg belongs to. */
export const cardOf = (groups: readonly CallGroup[], callId: string) =>
  groups.find((g) => g.call.id === callId || g.consult?.id === callId)?.call.id ?? null;

/** Incoming calls ringing now, oldest first: what must be visible from every view. */
export const ringingCalls = (calls: readonly CallSnapshot[]) => calls.filter((c) => c.state === 'ringing' && c.direction === 'incoming');
