/**
 * The call service's own event feed: what happened to a call, in the agent's
 * words, for the services that build on calls (transfers today; the desktop
 * shell's notifications and hotkeys next). They subscribe here, never to the
 * UI's `calls:changed` channel: the UI snapshot and these events are both
 * derived from the call machine's state, so no service learns a fact second
 * hand. Events are delivered after the change is stored and published, in the
 * order they happened, never from inside another listener (see service.ts).
 */
import type { CallDirection, CallState, EndedBy, HoldHeard, RemoteParty } from './machine';

export type CallFact =
  /** We placed a call (an INVITE went out). */
  | { type: 'placed'; callId: string; at: number; remote: RemoteParty }
  /**
   * An INVITE arrived. `replaces`: the id of our call it replaces (RFC 3891);
   * `referredBy`: who transferred this caller to us (RFC 3892).
   */
  | { type: 'arrived'; callId: string; at: number; remote: RemoteParty; replaces: string | null; referredBy: string | null }
  /** Outgoing: the far end rings (first 18x). */
  | { type: 'ringing'; callId: string; at: number }
  | { type: 'answered'; callId: string; at: number; direction: CallDirection }
  /** The agent (or a transfer) asked for a hold; `held` or `holdFailed` follows. */
  | { type: 'holdRequested'; callId: string; at: number }
  /** The hold settled: the re-INVITE was answered and the caller hears `heard`. */
  | { type: 'held'; callId: string; at: number; heard: HoldHeard }
  /** Back from hold: the microphone is on the leg and the re-INVITE was answered. */
  | { type: 'resumed'; callId: string; at: number }
  /** A hold or resume settled without the change (the far end refused, or it timed out). */
  | { type: 'holdFailed'; callId: string; at: number; wanted: 'hold' | 'resume' }
  /** An INVITE with Replaces named this call; `by` is the new call. */
  | { type: 'replaced'; callId: string; at: number; by: string }
  | { type: 'ended'; callId: string; at: number; by: EndedBy; reason: string; code: number | null; answered: boolean }
  /** The call's card was dismissed: its id will not be seen again. */
  | { type: 'removed'; callId: string; at: number };

export type CallFactType = CallFact['type'];

/** The facts one transition of the call machine produced, compared before → after. Pure. */
export function factsBetween(before: CallState, after: CallState, at: number): CallFact[] {
  const callId = after.id;
  const facts: CallFact[] = [];
  const rings = (s: CallState) => s.phase === 'ringing' || s.phase === 'early-media';
  if (after.direction === 'outgoing' && rings(after) && !rings(before)) facts.push({ type: 'ringing', callId, at });
  if (after.phase === 'established' && before.phase !== 'established') {
    facts.push({ type: 'answered', callId, at, direction: after.direction });
  }
  if (before.holdPending === null && after.holdPending === 'hold' && !after.hold.local) facts.push({ type: 'holdRequested', callId, at });
  if (before.holdPending === 'hold' && after.holdPending === null && after.phase === 'established') {
    facts.push(
      after.hold.local
        ? { type: 'held', callId, at, heard: after.holdMusic !== null ? { music: after.holdMusic } : 'silence' }
        : { type: 'holdFailed', callId, at, wanted: 'hold' },
    );
  }
  if (before.holdPending === 'unhold' && after.holdPending === 'hold') facts.push({ type: 'holdFailed', callId, at, wanted: 'resume' });
  if (before.hold.local && !after.hold.local && after.phase === 'established') facts.push({ type: 'resumed', callId, at });
  if (after.phase === 'ended' && before.phase !== 'ended' && after.ended) {
    const { by, reason, code } = after.ended;
    facts.push({ type: 'ended', callId, at, by, reason, code, answered: after.answeredAt !== null });
  }
  return facts;
}
