/**
 * One call's transfer as data: `transition(state, event) → { state, effects }`.
 * Pure — no clock (events carry `at`), no timers (effects `timer.start` /
 * `timer.cancel`, answered by `timer.fired`), no SIP (effects `handOver`,
 * `sip.*`). One machine per caller leg; one transfer per call at a time. Hold
 * (and its music) is the call machine's business: this machine only ASKS for
 * `call.hold` / `call.resume`, and where order matters (a safe blind's REFER,
 * an attended consult) waits for the executor's `hold.settled` before the
 * next step goes out; `hold.failed` then takes the caller back.
 *
 *                 request.blind / request.attended (undoMs > 0)
 *   idle ───────────────────────────────────────────▶ pending ──agent.undo──▶ idle (undone)
 *    │ │                                               │ timer undo, or agent.complete ("transfer now")
 *    │ │ (undoMs = 0: straight on)                     ▼
 *    │ └──────────────▶ blind (seed) ───────▶ referring ──NOTIFY 2xx──────────────▶ done (completed)
 *    │                    REFER at once        │  first NOTIFY 100/18x ─▶ done (released: outcome not known;
 *    │                                         │     a later NOTIFY 2xx / ≥300 still records completed / failed)
 *    │                                         │  REFER rejected │ NOTIFY ≥300 │ time-out
 *    │                                         └──────────────▶ idle (caller taken back: resumed, reason)
 *    │
 *    ├─ safe blind (supervised): hold, dial our own silent leg once held ─▶ consult-dialing
 *    │     busy / rejected / no answer in time / cancel ─▶ idle (leg hung up, caller taken back;
 *    │                                                     nothing was ever sent to the caller)
 *    │     answered ─▶ completing at once (REFER with Replaces, the same way Complete goes: completion.ts)
 *    │                 NOTIFY 2xx ─▶ done (completed) │ refused / NOTIFY ≥300 ─▶ idle (taken back)
 *    │
 *    └─ attended: hold, dial once held ─────▶ consult-dialing ──answered──▶ consulting ◀──swap──┐
 *                         │  failed / ended / cancel / no answer in time ─▶ idle (taken back)  └──┘
 *                         │  complete (still ringing) ──▶ referring (semi-attended: hang up consult,
 *                         │                                REFER without Replaces, blind outcomes)
 *                         │                               complete | hangup consult
 *                         │                                          ▼
 *                         │        consulting ◀── REFER rejected / NOTIFY ≥300 ── completing (REFER with Replaces
 *                         │        cancel / transferee hangs up ─▶ idle          │  to the caller, or to the
 *                         │                                                      │  transferee: completion.ts)
 *                         │                                  NOTIFY 2xx, and the replaced leg ends; or the time-out
 *                         │                                                      ▼ after 202: BYE both legs
 *                         └── caller hangs up (any consult phase) ─▶ done         done (completed)
 *                                      the replaced leg stays up after the 2xx ─▶ done (new-call: the phone
 *                                                                                 rang again instead of swapping)
 *                             (the consult stays, an ordinary call)
 *
 *   being the transferee:
 *   idle ──incoming.replaces──▶ done (new call answered in place of this one, cue)
 *   idle ──incoming.refer (follow)──▶ following ──followed.answered──▶ idle (cue) │ failed ─▶ idle
 *   idle ──incoming.refer (ask)──▶ refer-offered ──agent.answerRefer──▶ following │ declined ─▶ idle
 *   idle ──incoming.transferred (Referred-By, RFC 3892)──▶ idle (cue, the transferer's note)
 *
 * Agent intents not drawn here throw IllegalTransferTransition("<phase> → <event>")
 * with a typed refusal (e.g. undo after send: 'undo-too-late'). SIP events and
 * timers that arrive late or for a leg we no longer track (NOTIFY after BYE,
 * NOTIFY on an ended dialog — JsSIP #556 — a stale timer) are explicit
 * no-ops: `transferRules` (rules.ts) lists every (phase, event) pair
 * as handle / ignore / refuse, and the tests walk the whole cross product.
 * Building blocks (timeline + history, timers, hold requests) live in
 * draft.ts; Replaces in replaces.ts.
 */
import { TransferDraft, newTransfer, noOptions } from './draft';
import {
  anotherTransfer,
  callerHungUp,
  callerNotHeld,
  cancelledByAgent,
  reasonForFailure,
  reasonForReferRejection,
  referNotAnsweredInTime,
  referOffered,
  transfereeHungUp,
} from './reasons';
import { completionPlan } from './completion';
import { referToWithReplaces, replacesFor, stripHeaders } from './replaces';
import { consultPhases, refusalText, ruleFor, variantOf } from './rules';
import {
  IllegalTransferTransition,
  type DialogId,
  type ReplacesHeader,
  type ResolvedTarget,
  type TransferEvent,
  type TransferReason,
  type TransferState,
  type TransferTransition,
} from './types';

/**
 * How long the agent has to answer the far end's REFER before we decline it:
 * under RFC 3261 Timer F (32 s), so the referrer gets our final answer before
 * its own transaction gives up.
 */
export const REFER_OFFER_MS = 20_000;

/**
 * After a NOTIFY 2xx for a REFER with Replaces, how long the replaced leg may
 * take to end (RFC 3891 §3: the phone that took the new call ends the old one
 * at once) before the replacement counts as a new call its phone rang for.
 */
export const REPLACE_WAIT_MS = 3000;

export function createTransferState(callId: string): TransferState {
  return { callId, phase: 'idle', transfer: null };
}

/** The only function that changes a call's transfer. */
export function transition(state: TransferState, event: TransferEvent): TransferTransition {
  const rule = ruleFor(state.phase, event.type, variantOf(state.transfer));
  if (rule === 'ignore') return { state, effects: [] };
  if (rule !== 'handle') throw new IllegalTransferTransition(state.phase, event.type, rule.refuse, refusalText[rule.refuse]);
  const run = new Run(state, event);
  const handled = run.dispatch();
  if (!handled) return { state, effects: [] }; // data mismatch: a stale id, an old timer
  return { state: run.s, effects: run.effects };
}

/** One transition in progress: the draft plus the handler for each event. */
class Run extends TransferDraft {
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
        if (phase === 'pending') this.sendNow();
        else if (phase === 'consult-dialing') this.semiAttended();
        else if (this.t.options.consultOnLeg) this.leaveBridge();
        else this.sendReplaces();
        return true;
      case 'agent.hangupConsult':
        if (phase === 'consult-dialing') this.cancelConsult();
        else if (this.t.options.consultOnLeg) this.leaveBridge();
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
        if (phase === 'done') return this.lateNotify(e.code, e.phrase);
        return this.notify(e.code);
      case 'refer.over':
        if (e.transferId !== this.t.id || !this.t.awaitingOutcome) return false;
        // Nothing more will say how it ended: `released` stays the last word.
        this.t.awaitingOutcome = false;
        return true;
      case 'consult.started':
        return this.consultStarted(e.transferId, e.consultCallId);
      case 'consult.ringing':
        if (!this.isOurConsult(e.consultCallId)) return false;
        return this.consultRinging();
      case 'consult.answered':
        if (!this.isOurConsult(e.consultCallId)) return false;
        if (e.support) this.t.support.transferee = e.support;
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
      case 'hold.settled':
        return this.callerHeld(e.callId);
      case 'hold.failed':
        if (e.callId !== this.callId || this.t.afterHold === null) return false;
        this.takeBack(callerNotHeld(e.reason), null);
        return true;
      case 'timer.fired':
        return this.timerFired(e.timerId);
      case 'incoming.replaces':
        this.incomingReplaces(e.newCallId);
        return true;
      case 'incoming.refer':
        this.incomingRefer(e.referId, e.target, e.policy);
        return true;
      case 'incoming.transferred':
        this.transferredIn(e.referredBy, e.note);
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

  // ── agent intents ──

  private request(e: Extract<TransferEvent, { type: 'request.blind' | 'request.attended' }>) {
    const existing = e.type === 'request.attended' ? e.existing : undefined;
    this.s.transfer = newTransfer(e.transferId, e.type === 'request.blind' ? 'blind' : 'attended', e.target, e.options);
    this.t.holdsCaller = e.callerHeld ?? false;
    if (e.caller) {
      this.t.support.caller = e.caller.support;
      this.t.callerDialog = e.caller.dialog;
    }
    if (existing) {
      this.t.consult = { callId: existing.callId, state: 'up', dialog: existing.dialog, existing: true };
      if (existing.support) this.t.support.transferee = existing.support;
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
      if (t.options.safe) {
        this.superviseBlind();
        return;
      }
      // The seed's blind: the REFER goes out while the agent and the caller still talk.
      this.refer(null);
      this.startTimer('refer', t.options.referTimeoutMs);
      this.s.phase = 'referring';
      return;
    }
    const k = t.consult;
    if (k?.existing) {
      // The consult is an answered call of the agent's: resume it, it is the one the agent talks to.
      this.holdCaller();
      this.emit({ type: 'call.resume', callId: k.callId! });
      t.active = 'consult';
      this.s.phase = 'consulting';
      return;
    }
    t.consult = { callId: null, state: 'dialing', dialog: null, existing: false };
    t.active = 'consult';
    if (t.options.consultOnLeg) {
      // The platform dials the transferee onto our own leg and plays the caller music itself.
      this.emit({ type: 'platform.consult', callId: this.callId, transferId: t.id, target: t.target! });
      this.step('dialing');
      if (t.options.consultTimeoutMs > 0) this.startTimer('consult', t.options.consultTimeoutMs);
      this.s.phase = 'consult-dialing';
      return;
    }
    // The consult is dialled once the caller hears music: the caller never hears the consult.
    this.holdCaller('dialConsult');
    this.step('dialing');
    if (t.options.consultTimeoutMs > 0) this.startTimer('consult', t.options.consultTimeoutMs);
    this.s.phase = 'consult-dialing';
  }

  /**
   * Safe blind, supervised: the caller waits on music while the console itself
   * calls the transferee on a leg of its own; busy, no answer, a rejection or a
   * hang-up end that leg and give the caller back without anything having been
   * sent to the caller. Only the answer hands the caller over (Replaces), so a
   * transferee who picks up late finds no call — SIP cannot take back a REFER
   * the caller's phone already acted on, so none goes out before the answer.
   */
  private superviseBlind() {
    const t = this.t;
    t.supervised = true;
    t.consult = { callId: null, state: 'dialing', dialog: null, existing: false };
    t.active = 'caller';
    this.holdCaller('dialConsult');
    this.step('dialing');
    this.startTimer('consult', t.options.referTimeoutMs);
    this.s.phase = 'consult-dialing';
  }

  /** The caller's hold settled: what waited for it goes out now. */
  private callerHeld(callId: string): boolean {
    const t = this.t;
    if (callId !== this.callId || t.afterHold === null) return false;
    const next = t.afterHold;
    t.afterHold = null;
    if (next === 'handOver') this.refer(null);
    else this.emit({ type: 'call.dialConsult', callerCallId: this.callId, transferId: t.id, target: t.target!, supervised: t.supervised });
    return true;
  }

  /** `on`: the leg the REFER goes out on when it is not the caller's (the transferee's, RFC 5589). */
  private refer(replaces: ReplacesHeader | null, uri?: string, on?: string) {
    const t = this.t;
    const target = t.target!;
    const base = uri ?? target.uri;
    this.emit({
      type: 'handOver',
      callId: this.callId,
      ...(on !== undefined ? { on } : {}),
      transferId: t.id,
      target,
      referTo: replaces ? referToWithReplaces(base, replaces) : stripHeaders(base),
      ...(replaces ? { replaces } : {}),
    });
  }

  /** "Transfer now" inside the undo window: the agent is sure, skip the rest of it. */
  private sendNow() {
    this.cancelTimers();
    this.send();
  }

  private undo() {
    this.cancelTimers();
    this.t.undoDeadline = null;
    // An existing call chosen as the consult was never touched inside the window: it is simply the agent's again.
    if (this.t.consult?.existing) this.t.consult = null;
    this.step('undone');
    this.ends('undone');
    this.s.phase = 'idle';
  }

  private cancelConsult() {
    this.step('cancelled', null, 'cancelled by the agent');
    this.t.reason = cancelledByAgent;
    this.cancelTimers();
    const k = this.t.consult;
    if (k?.existing && k.state === 'up' && k.callId !== null) {
      // An existing call used as the consult was the agent's before: park it again, don't end it.
      this.emit({ type: 'call.hold', callId: k.callId });
    } else {
      this.dropConsult();
    }
    this.resumeCaller();
    this.ends('cancelled');
    this.s.phase = 'idle';
  }

  /** Complete while the consult still rings: Replaces needs a confirmed dialog, so go blind instead. */
  private semiAttended() {
    const t = this.t;
    this.cancelTimers(); // the consult's no-answer timer: the REFER gets its own
    this.dropConsult();
    t.mode = 'blind';
    t.semiAttended = true;
    t.active = 'caller';
    this.step('requested', null, 'consult still ringing: transferred blind to the same target');
    // Still waiting for the caller's hold (the consult was not even dialled): the REFER waits instead.
    if (t.afterHold !== null) t.afterHold = 'handOver';
    else this.refer(null);
    this.startTimer('refer', t.options.referTimeoutMs);
    this.s.phase = 'referring';
  }

  /**
   * A consult on our own leg completes the way the platform defines it: our
   * leg leaves the bridge, and the platform connects the caller (music off,
   * unmuted) with the transferee.
   */
  private leaveBridge() {
    const k = this.t.consult!;
    this.cancelTimers();
    k.state = 'ended';
    this.step('completed', null, 'our leg left the bridge: the platform connects the caller and the transferee');
    this.ends('transferred');
    this.releaseCaller();
    this.s.phase = 'done';
  }

  /**
   * The hand-over with Replaces, in the direction the two phones can carry
   * (completion.ts): the caller is referred to the transferee naming the
   * consult, or the transferee to the caller naming the caller's dialog.
   */
  private sendReplaces() {
    const t = this.t;
    const k = t.consult;
    const dialog = k?.dialog;
    if (!k || !dialog) throw new Error('transfer machine: consulting without a consult dialog');
    const plan = completionPlan(t.support.caller, t.support.transferee, t.callerDialog !== null);
    if (plan.via === 'transferee' && t.callerDialog && k.callId !== null) {
      this.refer(replacesFor(t.callerDialog), t.callerDialog.remoteUri, k.callId);
    } else {
      this.refer(replacesFor(dialog), dialog.remoteUri);
    }
    t.handedOverVia = plan.via === 'transferee' && t.callerDialog && k.callId !== null ? 'transferee' : 'caller';
    t.replacedWait = null;
    this.startTimer('complete', t.options.completeTimeoutMs);
    this.s.phase = 'completing';
  }

  /** Exactly one leg unheld; music on whichever leg is held. Hold first, so both are never live. */
  private swap() {
    const t = this.t;
    const k = t.consult!;
    const consultId = k.callId!;
    if (t.active === 'consult') {
      this.emit({ type: 'call.hold', callId: consultId });
      this.resumeCaller();
      t.active = 'caller';
    } else {
      this.holdCaller();
      this.emit({ type: 'call.resume', callId: consultId });
      t.active = 'consult';
    }
  }

  // ── our REFER ──

  private referRejected(code: number) {
    const reason = reasonForReferRejection(code);
    if (this.t.callerGone) return this.lostWithLeg(reason, code);
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
      if (code < 300) return this.handedOver(code);
      if (t.replacedWait?.callerLegGone) {
        // The caller's side ended our leg, and now says its call to the transferee failed.
        this.cancelTimers();
        this.step('failed', code, `${reasonForFailure(code).message}; the caller’s side had already ended our leg`);
        this.tell(reasonForFailure(code));
        this.ends('caller-lost');
        this.handOverConsult();
        this.s.phase = 'done';
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
        // The seed: release the transferer right after the transferee is dialled. Whether the
        // transferee answers is not known yet; NOTIFYs that keep coming (lateNotify) will say.
        this.cancelTimers();
        this.step('released', code, `released at NOTIFY ${code}; outcome not known`);
        this.ends('released');
        t.awaitingOutcome = true;
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
      this.ends('transferred');
      this.releaseCaller();
      this.s.phase = 'done';
      return true;
    }
    if (t.callerGone) this.lostWithLeg(reasonForFailure(code), code);
    else this.takeBack(reasonForFailure(code), code);
    return true;
  }

  /**
   * The hand-over failed after the backend already ended our leg: there is no caller to take back.
   * Said as it is — the platform's outcome, not a completion.
   */
  private lostWithLeg(reason: TransferReason, code: number | null) {
    this.cancelTimers();
    this.step('failed', code, `${reason.message}; our leg had already been ended by the platform`);
    this.tell(reason);
    this.ends('caller-lost');
    this.s.phase = 'done';
  }

  /**
   * The REFER subscription still reports after the caller was released
   * (RFC 6665; the session adapter keeps the usage alive past our BYE): the
   * real outcome, recorded after `released`.
   */
  private lateNotify(code: number, phrase?: string): boolean {
    const t = this.t;
    if (!t.awaitingOutcome || code < 200 || code > 699) return false;
    t.awaitingOutcome = false;
    // What the caller's phone reported, in its words: the console was no longer on the call to see it.
    const said = phrase ? ` (the caller\u2019s phone reported \u201c${code} ${phrase}\u201d)` : '';
    if (code < 300) {
      this.step('completed', code, `the transferee answered after you were released${said}`);
      this.ends('transferred');
      return true;
    }
    const reason = reasonForFailure(code);
    this.step('failed', code, `${reason.message}, after you were released: the caller did not reach the transferee${said}`);
    this.tell(reason);
    this.ends('caller-lost');
    return true;
  }

  /**
   * NOTIFY 2xx for a REFER with Replaces: the phone that was referred reached
   * the other one. Clean only once the leg it should have replaced ends (RFC
   * 3891 §3); until then wait a moment — a leg that stays up means the other
   * phone took the caller as a new call instead (replaceTimedOut).
   */
  private handedOver(code: number): boolean {
    const t = this.t;
    if (t.replacedWait) return false; // a second 2xx
    t.referAccepted = true; // a NOTIFY only ever comes for a REFER that was accepted (RFC 3515 §2.4.4)
    const replaced = t.handedOverVia === 'transferee' ? null : t.consult;
    if (replaced && replaced.state === 'ended') {
      this.step('completed', code);
      this.ends('transferred');
      this.completeAttended();
      return true;
    }
    this.waitForReplacedLeg(code, false);
    return true;
  }

  private waitForReplacedLeg(code: number | null, callerLegGone: boolean) {
    const t = this.t;
    this.cancelTimers();
    t.replacedWait = { code, callerLegGone };
    this.startTimer('replaced', t.options.replaceWaitMs ?? REPLACE_WAIT_MS);
  }

  /** The replaced leg ended after the hand-over was answered: a clean swap. */
  private replacedLegEnded() {
    const code = this.t.replacedWait?.code ?? null;
    this.cancelTimers();
    this.step('completed', code);
    this.ends('transferred');
    this.completeAttended();
  }

  /** The leg that should have been replaced is still up: the other phone rang with a new call. */
  private replaceTimedOut() {
    const t = this.t;
    const code = t.replacedWait?.code ?? null;
    const note =
      t.handedOverVia === 'transferee'
        ? 'the caller’s phone took the transferee as a new call instead of replacing ours'
        : 'the transferee’s phone took the caller as a new call instead of replacing the consult';
    this.step('new-call', code, note);
    this.ends('new-call');
    this.completeAttended();
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
    if (t.supervised) {
      // The agent never joined the supervised leg: the transferee is let go and the caller comes back.
      this.takeBack(reason, code);
      return;
    }
    this.step('failed', code, reason.message);
    this.cancelTimers();
    t.referAccepted = false;
    if (t.consult?.state !== 'up') {
      // The transferee already left: nothing to go back to.
      this.takeBack(reason, 'no-step');
      return;
    }
    this.tell(reason);
    this.ends('back-to-consult');
    this.s.phase = 'consulting';
  }

  // ── the consult call ──

  private consultStarted(transferId: string, consultCallId: string): boolean {
    const t = this.s.transfer;
    const k = t?.consult;
    if (k && k.callId === consultCallId) return false; // told twice about our own consult
    if (t && t.id === transferId && k && k.callId === null && k.state !== 'ended') {
      // consult-dialing: the leg we dialled. done: the caller hung up while we dialled, so the
      // consult is the agent's ordinary call now and stays up — unless it was a supervised
      // safe blind's leg, which the agent never talked on: that one is hung up below.
      if (this.s.phase === 'consult-dialing' || (this.s.phase === 'done' && !t.supervised)) {
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

  private consultAnswered(dialog: DialogId | null) {
    const k = this.t.consult!;
    this.cancelTimers(); // the no-answer timer; consulting runs none
    k.state = 'up';
    k.dialog = dialog;
    this.step('answered');
    this.s.phase = 'consulting';
    // Supervised safe blind: the transferee is there — hand the caller over at once.
    if (this.t.supervised) this.sendReplaces();
  }

  private consultGone(code: number | null, hungUp: boolean) {
    const k = this.t.consult!;
    const answered = k.state === 'up';
    k.state = 'ended';
    if (this.s.phase === 'pending') {
      // Nothing went out yet: the transfer is off, and the caller stays as the agent left it.
      this.cancelTimers();
      this.t.undoDeadline = null;
      this.step('cancelled', code, transfereeHungUp.message);
      this.tell(transfereeHungUp);
      this.ends('cancelled');
      this.s.phase = 'idle';
      return;
    }
    // RFC 3891 §3: the transferee ends the replaced dialog once it took the caller; while
    // completing, the NOTIFY (or the completion time-out) still decides the outcome.
    if (this.s.phase === 'completing') {
      if (this.t.replacedWait && this.t.handedOverVia === 'caller') this.replacedLegEnded();
      return;
    }
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
    if (phase === 'referring' && t.options.legEndsOnHandOver && !t.referAccepted && t.afterHold === null) {
      // The platform hung our leg up while it takes the caller over: wait for its answer, keep the timer.
      t.callerGone = true;
      t.holdsCaller = false;
      return;
    }
    if (phase === 'completing' && t.referAccepted && t.handedOverVia === 'caller' && t.consult?.state === 'up' && !t.replacedWait?.callerLegGone) {
      // The caller's side ended our leg after accepting: whether the transferee's phone swapped the
      // consult for the caller shows when the consult ends (RFC 3891 §3), or does not.
      t.holdsCaller = false;
      this.waitForReplacedLeg(t.replacedWait?.code ?? null, true);
      return;
    }
    this.cancelTimers();
    // A consult still waiting for the caller's hold was never dialled, and now never will be.
    if (t.afterHold === 'dialConsult' && t.consult) t.consult.state = 'ended';
    t.holdsCaller = false;
    t.afterHold = null;
    if (phase === 'completing' && t.referAccepted) {
      // The caller's side took the Replaces and ended our leg: referred the other way round, the
      // transferee's phone called the caller, which swapped our leg for it (RFC 5589). Our leg to
      // the transferee has done its part.
      this.step('completed', t.replacedWait?.code ?? null, 'the caller\u2019s side ended our leg after accepting the transfer');
      this.ends('transferred');
      this.dropConsult();
    } else if (phase === 'referring' && t.referAccepted) {
      // Many UAs end the transferer's dialog themselves once they accepted the REFER: the caller
      // went on its way, where to is not known yet. The REFER subscription may still tell.
      this.step('released', null, 'the caller\u2019s side ended our leg after accepting the transfer; outcome not known');
      this.ends('released');
      t.awaitingOutcome = true;
    } else if (phase === 'refer-offered' || phase === 'following') {
      // The referrer hung up (it may not wait for our NOTIFY). Keep following; no NOTIFY
      // may go out on the ended dialog any more (JsSIP #556).
      if (phase === 'following') {
        t.referrerGone = true;
        return;
      }
      this.step('cancelled', null, 'the other side hung up before the transfer was answered');
    } else {
      this.step('cancelled', null, callerHungUp.message);
      t.reason = callerHungUp;
      this.ends('caller-hung-up');
      // The supervised leg was never the agent's call, and a consult on our own leg went with it:
      // with nobody to hand over, the transferee is let go.
      if (t.supervised || t.options.consultOnLeg) this.dropConsult();
      else if (consultPhases.has(phase) || phase === 'completing') this.handOverConsult();
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
        if (t.callerGone) this.lostWithLeg(reasonForFailure(null), null);
        else this.takeBack(reasonForFailure(null), null);
        return true;
      case 'completing':
        if (name === 'replaced') {
          this.replaceTimedOut();
          return true;
        }
        if (name !== 'complete') return false;
        if (t.referAccepted) {
          // 202 but no NOTIFY 2xx in time: the far end never notifies; release as if it did.
          this.step('completed', null, 'no NOTIFY after the REFER was accepted; released after the time-out');
          this.ends('released');
          this.completeAttended();
        } else {
          this.backToConsult(reasonForFailure(null), null);
        }
        return true;
      case 'consult-dialing':
        if (name !== 'consult') return false;
        // Nobody picked up the consult in time: cancel it and give the caller back (A3, no answer).
        this.takeBack(reasonForFailure(null), null);
        return true;
      case 'refer-offered':
        if (name !== 'offer') return false;
        this.declineRefer(referNotAnsweredInTime, 'declined: not answered in time');
        return true;
      case 'idle':
      case 'consulting':
      case 'following':
      case 'done':
        return false; // these phases run no timer of their own
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

  /** A transferred call reached the agent: the completion cue, and the transferer's note in the timeline. */
  private transferredIn(referredBy: string | null, note: string | null) {
    this.s.transfer = newTransfer(`in:${this.callId}`, 'transferred-in', null, noOptions);
    const by = referredBy ? `transferred to you by ${referredBy}` : 'transferred to you';
    this.step('completed', null, note ? `${by}: ${note}` : by);
    this.emit({ type: 'media.cue', kind: 'transfer-complete', callId: this.callId });
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
