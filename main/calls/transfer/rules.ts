/**
 * The transfer machine's rule table: for every (phase, event) pair, whether
 * the machine acts on it ('handle'), drops it as late or stale ('ignore') or
 * refuses it with a typed reason. machine.ts consults it before any
 * handler runs; the tests walk its whole cross product.
 *
 * Only agent intents are ever refused: SIP events, the calls' events and
 * timers come from the outside world, which cannot be told "illegal" — those a
 * phase does not list are no-ops: a consult's BYE after a completed transfer,
 * NOTIFY on an ended dialog (JsSIP #556). A NOTIFY after our BYE is handled in
 * `done` only to record the real outcome of a released blind transfer.
 */
import type { RefusalCode, TransferEventType, TransferPhase } from './types';

export type Rule = 'handle' | 'ignore' | { refuse: RefusalCode };

const allEventTypes = [
  'request.blind',
  'request.attended',
  'agent.undo',
  'agent.complete',
  'agent.cancel',
  'agent.swap',
  'agent.hangupConsult',
  'agent.answerRefer',
  'refer.accepted',
  'refer.rejected',
  'refer.notify',
  'refer.over',
  'consult.started',
  'consult.ringing',
  'consult.answered',
  'consult.failed',
  'consult.ended',
  'caller.ended',
  'hold.settled',
  'hold.failed',
  'timer.fired',
  'incoming.replaces',
  'incoming.refer',
  'incoming.transferred',
  'followed.started',
  'followed.answered',
  'followed.failed',
] as const satisfies readonly TransferEventType[];
// Compile-time check that the list above names every event type.
type Missing = Exclude<TransferEventType, (typeof allEventTypes)[number]>;
const _everyEventListed: Missing extends never ? true : never = true;
void _everyEventListed;
export const transferEventTypes: readonly TransferEventType[] = allEventTypes;

export const transferPhaseList: readonly TransferPhase[] = [
  'idle',
  'pending',
  'referring',
  'consult-dialing',
  'consulting',
  'completing',
  'refer-offered',
  'following',
  'done',
];

const H = 'handle' as const;
const I = 'ignore' as const;
const refuse = (refusal: RefusalCode): Rule => ({ refuse: refusal });

/**
 * Rules for every phase. A pair not listed: an event from the world (SIP, the
 * calls, a timer) is ignored — late, duplicate or for a leg no longer tracked;
 * an agent's intent or request is refused with `defaultRefusal(phase, event)`.
 */
export const transferRules: Record<TransferPhase, Partial<Record<TransferEventType, Rule>>> = {
  idle: {
    'request.blind': H,
    'request.attended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'incoming.transferred': H,
    'caller.ended': H,
    'consult.started': H, // a consult we gave up on: hang it up
  },
  pending: {
    'agent.undo': H,
    'agent.cancel': H, // same as undo: nothing was sent
    'agent.complete': H, // "transfer now": skip the rest of the undo window
    'timer.fired': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    // The agent's existing call chosen as the consult ended inside the window: nothing to transfer to.
    'consult.ended': H,
    'consult.failed': H,
  },
  referring: {
    'hold.settled': H, // safe blind: the REFER waited for the caller's hold
    'hold.failed': H,
    'refer.accepted': H,
    'refer.rejected': H,
    'refer.notify': H,
    'timer.fired': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    // A second Complete (double click, or the one that turned a ringing consult blind) changes nothing.
    'agent.complete': I,
    'agent.cancel': refuse('refer-in-flight'),
  },
  'consult-dialing': {
    'hold.settled': H, // the consult waited for the caller's hold
    'hold.failed': H,
    'consult.started': H,
    'consult.ringing': H,
    'consult.answered': H,
    'consult.failed': H,
    'consult.ended': H,
    'agent.cancel': H,
    'agent.complete': H, // semi-attended: becomes blind to the same target
    'agent.hangupConsult': H, // hanging up a consult that never answered = cancel (caller resumed)
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'agent.swap': refuse('not-consulting'),
    'timer.fired': H, // the consult rang too long: no answer, caller taken back
  },
  consulting: {
    'agent.swap': H,
    'agent.complete': H,
    'agent.hangupConsult': H, // the seed: the transfer completes when the transferer hangs up
    'agent.cancel': H,
    'consult.ended': H,
    'consult.failed': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
  },
  completing: {
    'refer.accepted': H,
    'refer.rejected': H,
    'refer.notify': H,
    'timer.fired': H,
    'consult.ended': H,
    'consult.failed': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    'agent.complete': I, // double Complete: the REFER is already out
    'agent.hangupConsult': I,
    'agent.cancel': refuse('refer-in-flight'),
    'agent.swap': refuse('refer-in-flight'),
  },
  'refer-offered': {
    'agent.answerRefer': H,
    'timer.fired': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
  },
  following: {
    'followed.started': H,
    'followed.answered': H,
    'followed.failed': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
  },
  done: {
    'consult.started': H,
    'incoming.replaces': H, // answered 481: the dialog to replace is gone (RFC 3891 §3)
    // A plain blind released the caller before the outcome was known: the REFER subscription outlives
    // our BYE (RFC 5057) and its NOTIFYs still say how it ended (a no-op for any other finished transfer).
    'refer.notify': H,
    'refer.over': H,
    // Everything else — the consult's own BYE after a completed transfer, a REFER on a dead dialog — is ignored: nothing left to do.
  },
};

export const consultPhases: ReadonlySet<TransferPhase> = new Set(['consult-dialing', 'consulting']);
const sentPhases: ReadonlySet<TransferPhase> = new Set(['referring', 'consult-dialing', 'consulting', 'completing']);

/** Why an agent intent not listed for a phase is refused. */
function defaultRefusal(phase: TransferPhase, type: TransferEventType): RefusalCode {
  if (phase === 'done') return 'call-ended';
  if (type === 'request.blind' || type === 'request.attended') return 'transfer-in-progress';
  if (type === 'agent.answerRefer') return 'no-offer';
  if (type === 'agent.undo') return sentPhases.has(phase) ? 'undo-too-late' : 'no-transfer';
  if (phase === 'idle') return 'no-transfer';
  if (phase === 'refer-offered' || phase === 'following') return 'incoming-transfer';
  return 'not-consulting';
}

const fromAgent = (type: TransferEventType) => type.startsWith('agent.') || type.startsWith('request.');

/**
 * The kinds of transfer whose rules differ from the table above in a few
 * pairs: a supervised safe blind (the console reaches the transferee by itself
 * and hands the caller over on the answer, so there is nothing for "Transfer
 * now" to do early — a semi-attended blind would be the very REFER safe blind
 * exists to avoid), and a consult the platform runs on our own leg (leaving the
 * leg before the transferee answered would make it drop the caller).
 */
export type TransferVariant = 'standard' | 'supervised' | 'on-leg';

export const variantRules: Record<Exclude<TransferVariant, 'standard'>, Partial<Record<TransferPhase, Partial<Record<TransferEventType, Rule>>>>> = {
  supervised: { 'consult-dialing': { 'agent.complete': refuse('still-reaching') } },
  'on-leg': {
    // Nothing waits for a hold of ours: the platform plays the caller music itself.
    'consult-dialing': { 'agent.complete': refuse('caller-would-drop'), 'agent.hangupConsult': refuse('caller-would-drop'), 'hold.settled': I, 'hold.failed': I },
    consulting: { 'agent.swap': refuse('one-leg') },
  },
};

export function variantOf(t: { supervised: boolean; options: { consultOnLeg?: boolean } } | null | undefined): TransferVariant {
  if (!t) return 'standard';
  if (t.supervised) return 'supervised';
  return t.options.consultOnLeg ? 'on-leg' : 'standard';
}

export function ruleFor(phase: TransferPhase, type: TransferEventType, variant: TransferVariant = 'standard'): Rule {
  const own = variant === 'standard' ? undefined : variantRules[variant][phase]?.[type];
  return own ?? transferRules[phase][type] ?? (fromAgent(type) ? refuse(defaultRefusal(phase, type)) : I);
}

export const refusalText: Record<RefusalCode, string> = {
  'no-transfer': 'there is no transfer to act on',
  'no-offer': 'there is no transfer request from the other side to answer',
  'incoming-transfer': 'the other side is transferring this call; answer or wait for its request first',
  'transfer-in-progress': 'this call already has a transfer under way',
  'undo-too-late': 'the transfer was already sent and can no longer be undone',
  'not-consulting': 'that needs an answered consult call',
  'refer-in-flight': 'the transfer request is already out; wait for its answer',
  'still-reaching': 'the transferee is still being reached; the caller is handed over as soon as they answer (Cancel takes the caller back)',
  'one-leg': 'the transferee is on the same call as you, with the caller on the platform\u2019s hold music: there is nothing to switch between',
  'caller-would-drop': 'the transferee has not answered yet, and leaving the call now would make the phone system drop the caller; wait for the answer, or Cancel',
  'call-ended': 'the call has ended',
};
