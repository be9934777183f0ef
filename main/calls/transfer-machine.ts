/**
 * One call's transfer as data: `transition(state, event) → { state, effects }`.
 * Pure — no clock (events carry `at`), no timers (effects `timer.start` /
 * `timer.cancel`, answered by `timer.fired`), no SIP (effects `sip.*`). One
 * machine per caller leg; one transfer per call at a time. Hold is the call
 * machine's business: this machine only ASKS for `sip.hold`/`sip.unhold` and
 * says which held leg plays music; the call service executes, in order.
 *
 *                 request.blind / request.attended (undoMs > 0)
 *   idle ───────────────────────────────────────────▶ pending ──agent.undo──▶ idle (undone)
 *    │ │                                               │ timer undo
 *    │ │ (undoMs = 0: straight on)                     ▼
 *    │ └──────────────▶ blind ──────────────▶ referring ──NOTIFY 2xx──────────────▶ done (completed)
 *    │                    safe: hold+music,    │  seed mode: first NOTIFY 100/18x ─▶ done (released after dial)
 *    │                    REFER, timer         │  REFER rejected │ NOTIFY ≥300 │ time-out
 *    │                                         └──────────────▶ idle (caller taken back: unhold, music off, reason)
 *    │
 *    └─ attended: hold+music, dial consult ─▶ consult-dialing ──answered──▶ consulting ◀──swap──┐
 *                         │  failed / ended / cancel ──▶ idle (taken back)   │    └──────────────┘
 *                         │  complete (still ringing) ──▶ referring (semi-attended: hang up consult,
 *                         │                                REFER without Replaces, blind outcomes)
 *                         │                               complete | hangup consult
 *                         │                                          ▼
 *                         │        consulting ◀── REFER rejected / NOTIFY ≥300 ── completing
 *                         │        cancel / transferee hangs up ─▶ idle          │ NOTIFY 2xx, or time-out
 *                         │                                                      ▼ after 202: BYE both legs
 *                         └── caller hangs up (any consult phase) ─▶ done         done (completed)
 *                             (the consult stays, an ordinary call)
 *
 *   being the transferee:
 *   idle ──incoming.replaces──▶ done (new call answered in place of this one, cue)
 *   idle ──incoming.refer (follow)──▶ following ──followed.answered──▶ idle (cue) │ failed ─▶ idle
 *   idle ──incoming.refer (ask)──▶ refer-offered ──agent.answerRefer──▶ following │ declined ─▶ idle
 *
 * Agent intents not drawn here throw IllegalTransferTransition("<phase> → <event>")
 * with a typed refusal (e.g. undo after send: 'undo-too-late'). SIP events and
 * timers that arrive late or for a leg we no longer track (NOTIFY after BYE,
 * NOTIFY on an ended dialog — JsSIP issue 556 — a stale timer) are explicit
 * no-ops: `transferRules` lists every (phase, event) pair as handle / ignore /
 * refuse, and the tests walk the whole cross product.
 */
import {
  anotherTransfer,
  callerHungUp,
  cancelledByAgent,
  reasonForFailure,
  reasonForReferRejection,
  referNotAnsweredInTime,
  referOffered,
  transfereeHungUp,
} from './transfer-reasons';
import {
  IllegalTransferTransition,
  type DialogId,
  type RefusalCode,
  type ReplacesHeader,
  type ResolvedTarget,
  type Transfer,
  type TransferEffect,
  type TransferEvent,
  type TransferEventType,
  type TransferOptions,
  type TransferPhase,
  type TransferReason,
  type TransferState,
  type TransferStep,
  type TransferTransition,
} from './transfer-types';

/**
 * How long the agent has to answer the far end's REFER before we decline it:
 * under RFC 3261 Timer F (32 s), so the referrer gets our final answer before
 * its own transaction gives up.
 */
export const REFER_OFFER_MS = 20_000;

export function createTransferState(callId: string): TransferState {
  return { callId, phase: 'idle', transfer: null };
}

// ─── the rules: every (phase, event) pair ───────────────────────────────────

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
  'consult.started',
  'consult.ringing',
  'consult.answered',
  'consult.failed',
  'consult.ended',
  'caller.ended',
  'timer.fired',
  'incoming.replaces',
  'incoming.refer',
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

/** SIP/timer events a phase does not act on: late, duplicate or for a leg we no longer track. */
const lateEvents = (types: TransferEventType[]) => Object.fromEntries(types.map((t) => [t, I]));

/** Rules for every phase; a pair not listed is refused with `defaultRefusal(phase, event)`. */
export const transferRules: Record<TransferPhase, Partial<Record<TransferEventType, Rule>>> = {
  idle: {
    'request.blind': H,
    'request.attended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'caller.ended': H,
    'consult.started': H, // a consult we gave up on: hang it up
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'consult.ringing', 'consult.answered',
      'consult.failed', 'consult.ended', 'timer.fired', 'followed.started', 'followed.answered', 'followed.failed']),
  },
  pending: {
    'agent.undo': H,
    'agent.cancel': H, // same as undo: nothing was sent
    'timer.fired': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'consult.ringing', 'consult.answered',
      'consult.failed', 'consult.ended', 'followed.started', 'followed.answered', 'followed.failed']),
  },
  referring: {
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
    ...lateEvents(['consult.ringing', 'consult.answered', 'consult.failed', 'consult.ended',
      'followed.started', 'followed.answered', 'followed.failed']),
  },
  'consult-dialing': {
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
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'timer.fired',
      'followed.started', 'followed.answered', 'followed.failed']),
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
    ...lateEvents(['consult.ringing', 'consult.answered', 'refer.accepted', 'refer.rejected', 'refer.notify',
      'timer.fired', 'followed.started', 'followed.answered', 'followed.failed']),
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
    ...lateEvents(['consult.ringing', 'consult.answered', 'followed.started', 'followed.answered', 'followed.failed']),
  },
  'refer-offered': {
    'agent.answerRefer': H,
    'timer.fired': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'consult.ringing', 'consult.answered',
      'consult.failed', 'consult.ended', 'followed.started', 'followed.answered', 'followed.failed']),
  },
  following: {
    'followed.started': H,
    'followed.answered': H,
    'followed.failed': H,
    'caller.ended': H,
    'incoming.replaces': H,
    'incoming.refer': H,
    'consult.started': H,
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'consult.ringing', 'consult.answered',
      'consult.failed', 'consult.ended', 'timer.fired']),
  },
  done: {
    'consult.started': H,
    'incoming.replaces': H, // answered 481: the dialog to replace is gone (RFC 3891 §3)
    // NOTIFY after our BYE, NOTIFY on an ended dialog (JsSIP issue 556), the consult's own BYE after
    // a completed transfer, a REFER on a dead dialog: nothing left to do.
    ...lateEvents(['refer.accepted', 'refer.rejected', 'refer.notify', 'consult.ringing', 'consult.answered',
      'consult.failed', 'consult.ended', 'caller.ended', 'timer.fired', 'incoming.refer',
      'followed.started', 'followed.answered', 'followed.failed']),
  },
};

const consultPhases: ReadonlySet<TransferPhase> = new Set(['consult-dialing', 'consulting']);
const sentPhases: ReadonlySet<TransferPhase> = new Set(['referring', 'consult-dialing', 'consulting', 'completing']);

/** Why an agent intent not listed for a phase is refused. */
function defaultRefusal(phase: TransferPhase, type: TransferEventType): RefusalCode {
  if (phase === 'done') return 'call-ended';
  if (type === 'request.blind' || type === 'request.attended') return 'transfer-in-progress';
  if (type === 'agent.undo') return sentPhases.has(phase) ? 'undo-too-late' : 'no-transfer';
  if (type === 'agent.swap' || type === 'agent.hangupConsult') return consultPhases.has(phase) ? 'internal' : 'not-consulting';
  if (type.startsWith('agent.')) return 'no-transfer';
  return 'internal';
}

export function ruleFor(phase: TransferPhase, type: TransferEventType): Rule {
  return transferRules[phase][type] ?? refuse(defaultRefusal(phase, type));
}

const refusalText: Record<RefusalCode, string> = {
  'no-transfer': 'there is no transfer to act on',
  'transfer-in-progress': 'this call already has a transfer under way',
  'undo-too-late': 'the transfer was already sent and can no longer be undone',
  'not-consulting': 'that needs an answered consult call',
  'refer-in-flight': 'the transfer request is already out; wait for its answer',
  'call-ended': 'the call has ended',
  internal: 'this event cannot happen now',
};

// ─── the transition ─────────────────────────────────────────────────────────

/** The only function that changes a call's transfer. */
export function transition(state: TransferState, event: TransferEvent): TransferTransition {
  const rule = ruleFor(state.phase, event.type);
  if (rule === 'ignore') return { state, effects: [] };
  if (rule !== 'handle') throw new IllegalTransferTransition(state.phase, event.type, rule.refuse, refusalText[rule.refuse]);
  const run = new Run(state, event);
  const handled = run.dispatch();
  if (!handled) return { state, effects: [] }; // data mismatch: a stale id, an old timer
  return { state: run.s, effects: run.effects };
}

/** One transition in progress: a draft of the state plus the effects collected in order. */
class Run {
  readonly s: TransferState;
  readonly effects: TransferEffect[] = [];

  constructor(
    state: TransferState,
    readonly e: TransferEvent,
  ) {
    this.s = structuredClone(state);
  }

  private get t(): Transfer {
    const t = this.s.transfer;
    if (!t) throw new Error(`transfer machine: phase ${this.s.phase} without a transfer`);
    return t;
  }

  private get callId() {
    return this.s.callId;
  }

  /** Returns false for a data mismatch (stale transfer id, consult id or timer): an explicit no-op. */
  dispatch(): boolean {
    const e = this.e;
    const phase = this.s.phase;
    switch (e.type) {
      case 'request.blind':
      case 'request.attended':
        this.request(e);
        return true;
      case 'agent.undo':
        this.undo();
        return true;
      case 'agent.cancel':
        if (phase === 'pending') this.undo();
        else this.cancelConsult();
        return true;
      case 'agent.complete':
        if (phase === 'consult-dialing') this.semiAttended();
        else this.sendReplaces();
        return true;
      case 'agent.hangupConsult':
        if (phase === 'consult-dialing') this.cancelConsult();
        else this.sendReplaces();
        return true;
      case 'agent.swap':
        this.swap();
        return true;
      case 'agent.answerRefer':
        this.answerRefer(e.follow);
        return true;
      case 'refer.accepted':
        if (e.transferId !== this.t.id) return false;
        this.t.referAccepted = true;
        return true;
      case 'refer.rejected':
        if (e.transferId !== this.t.id) return false;
        this.referRejected(e.code);
        return true;
      case 'refer.notify':
        if (e.transferId !== this.t.id) return false;
        return this.notify(e.code);
      case 'consult.started':
        return this.consultStarted(e.transferId, e.consultCallId);
      case 'consult.ringing':
        if (!this.isOurConsult(e.consultCallId)) return false;
        return this.consultRinging();
      case 'consult.answered':
        if (!this.isOurConsult(e.consultCallId)) return false;
        this.consultAnswered(e.dialog);
        return true;
      case 'consult.failed':
      case 'consult.ended':
        if (!this.isOurConsult(e.consultCallId)) return false;
        this.consultGone(e.type === 'consult.failed' ? e.code : null, e.type === 'consult.ended');
        return true;
      case 'caller.ended':
        this.callerEnded();
        return true;
      case 'timer.fired':
        return this.timerFired(e.timerId);
      case 'incoming.replaces':
        this.incomingReplaces(e.newCallId);
        return true;
      case 'incoming.refer':
        this.incomingRefer(e.referId, e.target, e.policy);
        return true;
      case 'followed.started':
        if (e.referId !== this.t.referId) return false;
        this.t.followedCallId = e.newCallId;
        return true;
      case 'followed.answered':
      case 'followed.failed':
        if (this.t.followedCallId !== null && e.newCallId !== this.t.followedCallId) return false;
        this.followedOutcome(e.type === 'followed.answered', e.type === 'followed.failed' ? e.code : null);
        return true;
    }
  }

  // ── building blocks ──

  private emit(...effects: TransferEffect[]) {
    this.effects.push(...effects);
  }

  private step(step: TransferStep, sipCode: number | null = null, note: string | null = null) {
    const t = this.t;
    t.timeline.push({ step, at: this.e.at, sipCode, note });
    this.emit({
      type: 'history.transferStep',
      callId: this.callId,
      transferId: t.id,
      mode: t.mode,
      step,
      at: this.e.at,
      target: t.target?.uri ?? null,
      sipCode,
      note,
    });
  }

  private startTimer(name: 'undo' | 'refer' | 'complete' | 'offer', ms: number) {
    const id = `${this.t.id}/${name}`;
    this.t.timers.push(id);
    this.emit({ type: 'timer.start', callId: this.callId, timer: { id, ms } });
  }

  /** Every timer of this transfer dies with it. */
  private cancelTimers() {
    for (const id of this.t.timers) this.emit({ type: 'timer.cancel', callId: this.callId, timer: { id } });
    this.t.timers = [];
  }

  private tell(reason: TransferReason) {
    this.t.reason = reason;
    this.emit({ type: 'notify.agent', callId: this.callId, reason });
  }

  private holdCaller() {
    const c = this.t.caller;
    if (!c.held) this.emit({ type: 'sip.hold', callId: this.callId });
    if (!c.music) this.emit({ type: 'media.holdMusic', callId: this.callId, on: true });
    c.held = true;
    c.music = true;
  }

  /** Music off first, so the caller never hears music after the agent is back. */
  private resumeCaller() {
    const c = this.t.caller;
    if (c.music) this.emit({ type: 'media.holdMusic', callId: this.callId, on: false });
    if (c.held) this.emit({ type: 'sip.unhold', callId: this.callId });
    c.held = false;
    c.music = false;
  }

  private releaseCaller() {
    const c = this.t.caller;
    if (c.music) this.emit({ type: 'media.holdMusic', callId: this.callId, on: false });
    c.music = false;
    this.emit({ type: 'sip.hangup', callId: this.callId });
  }

  /** Stop the consult's music and hang it up (CANCEL while ringing, BYE once up). */
  private dropConsult() {
    const k = this.t.consult;
    if (!k) return;
    if (k.callId !== null) {
      if (k.music) this.emit({ type: 'media.holdMusic', callId: k.callId, on: false });
      if (k.state !== 'ended') this.emit({ type: 'sip.hangup', callId: k.callId });
    }
    k.music = false;
    k.state = 'ended';
  }

  /** The consult outlives the transfer as an ordinary call the agent talks on. */
  private handOverConsult() {
    const k = this.t.consult;
    if (!k || k.callId === null || k.state === 'ended') return;
    if (k.music) this.emit({ type: 'media.holdMusic', callId: k.callId, on: false });
    if (k.held) this.emit({ type: 'sip.unhold', callId: k.callId });
    k.music = false;
    k.held = false;
  }

  /** The transfer did not happen; the caller is back with the agent. */
  private takeBack(reason: TransferReason, failedCode: number | null | 'no-step') {
    const wasHeld = this.t.caller.held;
    if (failedCode !== 'no-step') this.step('failed', failedCode, reason.message);
    this.cancelTimers();
    this.dropConsult();
    this.resumeCaller();
    // Every failed transfer ends its timeline on a terminal step, even if the caller never waited.
    if (wasHeld || failedCode === 'no-step') this.step('taken-back', null, reason.message);
    this.tell(reason);
    this.t.undoDeadline = null;
    this.s.phase = 'idle';
  }

  private isOurConsult(consultCallId: string): boolean {
    const k = this.s.transfer?.consult;
    return !!k && k.callId === consultCallId && k.state !== 'ended';
  }

  // ── agent intents ──

  private request(e: Extract<TransferEvent, { type: 'request.blind' | 'request.attended' }>) {
    const existing = e.type === 'request.attended' ? e.existing : undefined;
    this.s.transfer = newTransfer(e.transferId, e.type === 'request.blind' ? 'blind' : 'attended', e.target, e.options);
    if (existing) {
      this.t.consult = {
        callId: existing.callId,
        state: 'up',
        held: true, // the agent is talking to the caller leg when asking for the transfer
        music: false,
        dialog: existing.dialog,
        existing: true,
      };
    }
    this.step('requested', null, existing ? `with existing call ${existing.callId}` : null);
    if (e.options.undoMs > 0) {
      this.t.undoDeadline = e.at + e.options.undoMs;
      this.startTimer('undo', e.options.undoMs);
      this.s.phase = 'pending';
    } else {
      this.send();
    }
  }

  /** The undo window is over (or disabled): now something goes on the wire. */
  private send() {
    const t = this.t;
    t.undoDeadline = null;
    if (t.mode === 'blind') {
      if (t.options.safe) this.holdCaller();
      this.refer(null);
      this.startTimer('refer', t.options.referTimeoutMs);
      this.s.phase = 'referring';
      return;
    }
    this.holdCaller();
    const k = t.consult;
    if (k?.existing) {
      // The consult is an answered call of the agent's: resume it, it is the one the agent talks to.
      this.emit({ type: 'sip.unhold', callId: k.callId! });
      k.held = false;
      t.active = 'consult';
      this.s.phase = 'consulting';
      return;
    }
    t.consult = { callId: null, state: 'dialing', held: false, music: false, dialog: null, existing: false };
    t.active = 'consult';
    this.emit({ type: 'call.dialConsult', callerCallId: this.callId, transferId: t.id, target: t.target! });
    this.step('dialing');
    this.s.phase = 'consult-dialing';
  }

  private refer(replaces: ReplacesHeader | null, uri?: string) {
    const t = this.t;
    const target = t.target!;
    const base = uri ?? target.uri;
    this.emit({
      type: 'sip.refer',
      callId: this.callId,
      transferId: t.id,
      target,
      referTo: replaces ? referToWithReplaces(base, replaces) : stripHeaders(base),
      ...(replaces ? { replaces } : {}),
    });
  }

  private undo() {
    this.cancelTimers();
    this.t.undoDeadline = null;
    this.step('undone');
    this.s.phase = 'idle';
  }

  private cancelConsult() {
    this.step('cancelled', null, 'cancelled by the agent');
    this.t.reason = cancelledByAgent;
    this.cancelTimers();
    const k = this.t.consult;
    if (k?.existing && k.state === 'up' && k.callId !== null) {
      // An existing call used as the consult was the agent's before: park it again, don't end it.
      if (!k.held) this.emit({ type: 'sip.hold', callId: k.callId });
      if (!k.music) this.emit({ type: 'media.holdMusic', callId: k.callId, on: true });
      k.held = true;
      k.music = true;
    } else {
      this.dropConsult();
    }
    this.resumeCaller();
    this.s.phase = 'idle';
  }

  /** Complete while the consult still rings: Replaces needs a confirmed dialog, so go blind instead. */
  private semiAttended() {
    const t = this.t;
    this.dropConsult();
    t.mode = 'blind';
    t.semiAttended = true;
    t.active = 'caller';
    this.step('requested', null, 'consult still ringing: transferred blind to the same target');
    this.refer(null);
    this.startTimer('refer', t.options.referTimeoutMs);
    this.s.phase = 'referring';
  }

  private sendReplaces() {
    const t = this.t;
    const dialog = t.consult?.dialog;
    if (!dialog) throw new Error('transfer machine: consulting without a consult dialog');
    this.refer(replacesFor(dialog), dialog.remoteUri);
    this.startTimer('complete', t.options.completeTimeoutMs);
    this.s.phase = 'completing';
  }

  /** Exactly one leg unheld; music on whichever leg is held. Hold first, so both are never live. */
  private swap() {
    const t = this.t;
    const k = t.consult!;
    const consultId = k.callId!;
    if (t.active === 'consult') {
      this.emit({ type: 'sip.hold', callId: consultId }, { type: 'media.holdMusic', callId: consultId, on: true });
      k.held = true;
      k.music = true;
      this.resumeCaller();
      t.active = 'caller';
    } else {
      this.holdCaller();
      this.emit({ type: 'media.holdMusic', callId: consultId, on: false }, { type: 'sip.unhold', callId: consultId });
      k.held = false;
      k.music = false;
      t.active = 'consult';
    }
  }

  // ── our REFER ──

  private referRejected(code: number) {
    const reason = reasonForReferRejection(code);
    if (this.s.phase === 'completing') {
      this.backToConsult(reason, code);
      return;
    }
    // REFER rejected never drops the caller, in either blind mode (seed mode never held it).
    this.takeBack(reason, code);
  }

  private notify(code: number): boolean {
    const t = this.t;
    if (code < 100 || code > 699) return false; // not a status line: nothing to learn
    if (this.s.phase === 'completing') {
      if (code < 200) return false; // the transferee answers INVITE-with-Replaces at once
      if (code < 300) {
        this.step('completed', code);
        this.completeAttended();
        return true;
      }
      this.backToConsult(reasonForFailure(code), code);
      return true;
    }
    // referring (blind or semi-attended)
    if (code < 200) {
      const next = code >= 180 && code < 190 ? 'ringing' : 'dialing';
      const rank = { none: 0, dialing: 1, ringing: 2 } as const;
      const moved = rank[next] > rank[t.progress];
      if (moved) {
        if (t.progress === 'none') this.step('dialing', code);
        if (next === 'ringing') this.step('ringing', code);
        t.progress = next;
      }
      if (!t.options.safe) {
        // The seed: release the transferer right after the transferee is dialled.
        this.cancelTimers();
        this.step('completed', code, 'released after the transferee was dialled');
        this.releaseCaller();
        this.s.phase = 'done';
        return true;
      }
      return moved;
    }
    if (code < 300) {
      this.cancelTimers();
      this.step('answered', code);
      this.step('completed', code);
      this.releaseCaller();
      this.s.phase = 'done';
      return true;
    }
    this.takeBack(reasonForFailure(code), code);
    return true;
  }

  /** NOTIFY 2xx (or the time-out after 202): the transferee has the caller; we keep no leg. */
  private completeAttended() {
    this.cancelTimers();
    this.releaseCaller();
    this.dropConsult();
    this.s.phase = 'done';
  }

  /** The REFER with Replaces failed: both legs are still ours, the agent decides again. */
  private backToConsult(reason: TransferReason, code: number | null) {
    const t = this.t;
    this.step('failed', code, reason.message);
    this.cancelTimers();
    t.referAccepted = false;
    if (t.consult?.state !== 'up') {
      // The transferee already left: nothing to go back to.
      this.takeBack(reason, 'no-step');
      return;
    }
    this.tell(reason);
    this.s.phase = 'consulting';
  }

  // ── the consult call ──

  private consultStarted(transferId: string, consultCallId: string): boolean {
    const t = this.s.transfer;
    const k = t?.consult;
    if (t && t.id === transferId && k && k.callId === null && k.state !== 'ended') {
      // consult-dialing: the leg we dialled. done: the caller hung up while we dialled, so the
      // consult is the agent's ordinary call now and stays up.
      if (this.s.phase === 'consult-dialing' || this.s.phase === 'done') {
        k.callId = consultCallId;
        return true;
      }
    }
    // A consult for a transfer that was cancelled, undone or went blind meanwhile: nobody wants it.
    this.emit({ type: 'sip.hangup', callId: consultCallId });
    return true;
  }

  private consultRinging(): boolean {
    const k = this.t.consult!;
    if (k.state === 'ringing') return false;
    k.state = 'ringing';
    this.step('ringing');
    return true;
  }

  private consultAnswered(dialog: DialogId) {
    const k = this.t.consult!;
    k.state = 'up';
    k.dialog = dialog;
    this.step('answered');
    this.s.phase = 'consulting';
  }

  private consultGone(code: number | null, hungUp: boolean) {
    const k = this.t.consult!;
    const answered = k.state === 'up';
    if (k.music && k.callId) this.emit({ type: 'media.holdMusic', callId: k.callId, on: false });
    k.state = 'ended';
    k.music = false;
    k.held = false;
    // RFC 3891 §3: the transferee ends the replaced dialog once it took the caller; while
    // completing, the NOTIFY (or the completion time-out) still decides the outcome.
    if (this.s.phase === 'completing') return;
    const reason = hungUp || answered ? transfereeHungUp : reasonForFailure(code);
    this.takeBack(reason, answered ? 'no-step' : code);
  }

  // ── the caller's leg ──

  private callerEnded() {
    const phase = this.s.phase;
    const t = this.s.transfer;
    if (phase === 'idle' || !t) {
      this.s.phase = 'done';
      return;
    }
    this.cancelTimers();
    if (t.caller.music) this.emit({ type: 'media.holdMusic', callId: this.callId, on: false });
    t.caller = { held: false, music: false };
    if ((phase === 'referring' || phase === 'completing') && t.referAccepted) {
      // Many UAs end the transferer's dialog themselves once they accepted the REFER:
      // after a 202 a BYE from the caller's side means the transfer went through.
      this.step('completed', null, 'the caller\u2019s side ended our leg after accepting the transfer');
    } else if (phase === 'refer-offered' || phase === 'following') {
      // The referrer hung up (it may not wait for our NOTIFY). Keep following; no NOTIFY
      // may go out on the ended dialog any more (JsSIP issue 556).
      if (phase === 'following') {
        t.referrerGone = true;
        return;
      }
      this.step('cancelled', null, 'the other side hung up before the transfer was answered');
    } else {
      this.step('cancelled', null, callerHungUp.message);
      t.reason = callerHungUp;
      if (consultPhases.has(phase) || phase === 'completing') this.handOverConsult();
    }
    t.undoDeadline = null;
    this.s.phase = 'done';
  }

  private timerFired(timerId: string): boolean {
    const t = this.s.transfer;
    if (!t || !t.timers.includes(timerId)) return false; // cancelled meanwhile: stale
    t.timers = t.timers.filter((id) => id !== timerId);
    const name = timerId.slice(timerId.lastIndexOf('/') + 1);
    switch (this.s.phase) {
      case 'pending':
        if (name !== 'undo') return false;
        this.send();
        return true;
      case 'referring':
        if (name !== 'refer') return false;
        this.takeBack(reasonForFailure(null), null);
        return true;
      case 'completing':
        if (name !== 'complete') return false;
        if (t.referAccepted) {
          // 202 but no NOTIFY 2xx in time: the far end never notifies; release as if it did.
          this.step('completed', null, 'no NOTIFY after the REFER was accepted; released after the time-out');
          this.completeAttended();
        } else {
          this.backToConsult(reasonForFailure(null), null);
        }
        return true;
      case 'refer-offered':
        if (name !== 'offer') return false;
        this.declineRefer(referNotAnsweredInTime, 'declined: not answered in time');
        return true;
      default:
        return false;
    }
  }

  // ── being the transferee ──

  private incomingReplaces(newCallId: string) {
    if (this.s.phase === 'done') {
      this.emit({ type: 'sip.reject', callId: newCallId, code: 481 });
      return;
    }
    if (this.s.phase !== 'idle') {
      // Our own transfer of this call is under way: do not swap the party under it.
      this.emit({ type: 'sip.reject', callId: newCallId, code: 486 });
      this.emit({ type: 'notify.agent', callId: this.callId, reason: anotherTransfer });
      return;
    }
    this.s.transfer = newTransfer(`replaces:${newCallId}`, 'incoming-replaces', null, noOptions);
    this.step('offered', null, `INVITE with Replaces from call ${newCallId}`);
    this.emit(
      { type: 'sip.acceptReplaces', newCallId, replacesCallId: this.callId },
      { type: 'sip.hangup', callId: this.callId },
      { type: 'media.cue', kind: 'transfer-complete', callId: newCallId },
    );
    this.step('completed', null, `replaced by call ${newCallId}`);
    this.s.phase = 'done';
  }

  private incomingRefer(referId: string, target: ResolvedTarget, policy: 'follow' | 'ask') {
    if (this.s.phase !== 'idle') {
      this.emit({ type: 'sip.rejectRefer', callId: this.callId, referId, code: 603 });
      this.emit({ type: 'notify.agent', callId: this.callId, reason: anotherTransfer });
      return;
    }
    this.s.transfer = newTransfer(`refer:${referId}`, 'incoming-refer', target, noOptions);
    this.t.referId = referId;
    this.step('offered', null, `REFER to ${target.label}`);
    if (policy === 'follow') {
      this.follow();
      return;
    }
    this.startTimer('offer', REFER_OFFER_MS);
    this.tell(referOffered);
    this.s.phase = 'refer-offered';
  }

  private follow() {
    this.emit({ type: 'sip.acceptRefer', callId: this.callId, referId: this.t.referId! });
    this.step('dialing');
    this.s.phase = 'following';
  }

  private answerRefer(follow: boolean) {
    this.cancelTimers();
    if (follow) {
      this.t.reason = null;
      this.follow();
    } else {
      this.declineRefer(null, 'declined by the agent');
    }
  }

  private declineRefer(reason: TransferReason | null, note: string) {
    this.cancelTimers();
    this.emit({ type: 'sip.rejectRefer', callId: this.callId, referId: this.t.referId!, code: 603 });
    this.step('declined', 603, note);
    if (reason) this.tell(reason);
    else this.t.reason = null;
    this.s.phase = 'idle';
  }

  private followedOutcome(answered: boolean, code: number | null) {
    const t = this.t;
    if (answered) {
      this.step('answered');
      this.step('completed');
      this.emit({ type: 'media.cue', kind: 'transfer-complete', callId: t.followedCallId ?? this.callId });
    } else {
      this.step('failed', code);
      this.tell(reasonForFailure(code));
    }
    this.s.phase = t.referrerGone ? 'done' : 'idle';
  }
}

const noOptions: TransferOptions = { safe: false, undoMs: 0, referTimeoutMs: 0, completeTimeoutMs: 0 };

function newTransfer(id: string, mode: Transfer['mode'], target: ResolvedTarget | null, options: TransferOptions): Transfer {
  return {
    id,
    mode,
    semiAttended: false,
    options,
    target,
    undoDeadline: null,
    caller: { held: false, music: false },
    consult: null,
    active: 'caller',
    referAccepted: false,
    progress: 'none',
    timers: [],
    reason: null,
    timeline: [],
    referId: null,
    followedCallId: null,
    referrerGone: false,
  };
}

// ─── Replaces (RFC 3891) ────────────────────────────────────────────────────

/**
 * RFC 3891 §3: the recipient of the INVITE-with-Replaces (the transferee)
 * matches to-tag against ITS local tag and from-tag against its remote tag.
 * Its local tag is our remote tag, whichever side sent the consult INVITE.
 * JsSIP instead copies the INVITE's To/From tags, which is right only when we
 * sent the consult INVITE (JsSIP issue 817) — hence built here.
 */
export function replacesFor(dialog: DialogId): ReplacesHeader {
  return { callId: dialog.callId, toTag: dialog.remoteTag, fromTag: dialog.localTag };
}

/** `sip:bob@host?Replaces=<escaped>` (RFC 3515 §2.1: headers in a Refer-To URI are %-escaped). */
export function referToWithReplaces(uri: string, r: ReplacesHeader): string {
  const value = `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}`;
  return `${stripHeaders(uri)}?Replaces=${encodeURIComponent(value)}`;
}

/** Headers the remote put on its own URI are not ours to forward. */
function stripHeaders(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}
