/**
 * Rules across the agent's calls (pure, no I/O). The per-call machine knows
 * one call; these decide what several calls do to each other:
 *   - up to MAX_CALLS live calls at once (the issue asks for at least 4);
 *   - call waiting: an INVITE arriving while the agent is on a call rings SOFT,
 *     alone it rings LOUD;
 *   - answering, dialling or swapping to a call first holds every other
 *     established call that is not held: at most one call is ever unheld
 *     ("talking"), so the agent never talks to two parties by accident;
 *   - `swap` appears on a held call when another call is the talking one.
 * Plans are lists of `(callId, event)` the service feeds to `transition` in order.
 */
import { allowedActions, type CallAction, type CallEvent, type CallState, type RingVolume } from './machine';

export const MAX_CALLS = 6;

export type Step = { callId: string; event: CallEvent };

const live = (calls: readonly CallState[]) => calls.filter((c) => c.phase !== 'ended');

/** A call the agent is (or is about to be) talking on: it takes the agent's ear and microphone. */
export function isTalking(c: CallState): boolean {
  if (c.phase === 'established') return !(c.hold.local ? c.holdPending !== 'unhold' : c.holdPending === 'hold');
  return c.phase === 'answering' || (c.direction === 'outgoing' && c.phase !== 'ended');
}

export function ringVolumeFor(others: readonly CallState[]): RingVolume {
  return live(others).some((c) => c.phase === 'established' || c.phase === 'answering' || c.direction === 'outgoing')
    ? 'soft'
    : 'loud';
}

export function canAcceptAnother(calls: readonly CallState[]): boolean {
  return live(calls).length < MAX_CALLS;
}

/** Hold every other established, unheld call (so `targetId` becomes the only talking one). */
function holdOthers(calls: readonly CallState[], targetId: string): Step[] {
  return live(calls)
    .filter((c) => c.id !== targetId && c.phase === 'established' && !c.hold.local && c.holdPending === null)
    .map((c) => ({ callId: c.id, event: { type: 'hold' } }));
}

/** Answering holds the call the agent is on (call waiting). */
export function planAnswer(calls: readonly CallState[], id: string): Step[] {
  return [...holdOthers(calls, id), { callId: id, event: { type: 'answer' } }];
}

/** Dialling while on a call holds that call first. */
export function planDial(calls: readonly CallState[]): Step[] {
  return holdOthers(calls, '');
}

/** Swap to `id` (a held call): hold the talking one(s), resume this one. Exactly one unheld after. */
export function planSwap(calls: readonly CallState[], id: string): Step[] {
  return [...holdOthers(calls, id), { callId: id, event: { type: 'unhold' } }];
}

/**
 * The actions the agent is offered, per call, with the set's rules applied:
 * a held call offers `swap` instead of `unhold` while another call is talking;
 * `answer` is withheld when no room is left for another talking call (never:
 * answering holds the others), so it stays as the machine says.
 */
export function actionsFor(calls: readonly CallState[], c: CallState): CallAction[] {
  const own = allowedActions(c);
  if (c.phase !== 'established' || !c.hold.local || c.holdPending !== null) return own;
  const anotherTalking = live(calls).some((o) => o.id !== c.id && o.phase === 'established' && isTalking(o));
  return anotherTalking ? own.map((a) => (a === 'unhold' ? 'swap' : a)) : own;
}
