/**
 * The building blocks every transfer transition is made of: a draft of the
 * state (a deep copy — the input state is never touched) plus the effects
 * collected in order, and the small moves that keep the bookkeeping honest —
 * a timeline step is always also a history effect, a timer started is always
 * remembered so it can be cancelled, a take-back resumes exactly what the
 * transfer held. machine.ts extends this with the handlers.
 */
import type {
  ResolvedTarget,
  Transfer,
  TransferEffect,
  TransferEvent,
  TransferOptions,
  TransferOutcomeResult,
  TransferReason,
  TransferState,
  TransferStep,
} from './types';
import { unknownSupport } from './types';

/** A draft of one transition: the state being built and the effects, in the order they must run. */
export class TransferDraft {
  readonly s: TransferState;
  readonly effects: TransferEffect[] = [];

  constructor(
    state: TransferState,
    readonly e: TransferEvent,
  ) {
    this.s = structuredClone(state);
  }

  protected get t(): Transfer {
    const t = this.s.transfer;
    if (!t) throw new Error(`transfer machine: phase ${this.s.phase} without a transfer`);
    return t;
  }

  protected get callId() {
    return this.s.callId;
  }

  protected emit(...effects: TransferEffect[]) {
    this.effects.push(...effects);
  }

  protected step(step: TransferStep, sipCode: number | null = null, note: string | null = null) {
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

  protected startTimer(name: 'undo' | 'refer' | 'complete' | 'offer' | 'consult' | 'replaced', ms: number) {
    const id = `${this.t.id}/${name}`;
    this.t.timers.push(id);
    this.emit({ type: 'timer.start', callId: this.callId, timer: { id, ms } });
  }

  /** Every timer of this transfer dies with it. */
  protected cancelTimers() {
    for (const id of this.t.timers) this.emit({ type: 'timer.cancel', callId: this.callId, timer: { id } });
    this.t.timers = [];
  }

  /** What the agent's transfer came to; incoming transfers (the far end's) have no outcome line. */
  protected ends(result: TransferOutcomeResult) {
    const t = this.t;
    if (t.mode === 'blind' || t.mode === 'attended') t.outcome = { result, at: this.e.at };
  }

  protected tell(reason: TransferReason) {
    this.t.reason = reason;
    this.emit({ type: 'notify.agent', callId: this.callId, reason });
  }

  /** The caller on hold music (the call service plays it with every hold); `then` goes out once it settled. */
  protected holdCaller(then: Transfer['afterHold'] = null) {
    this.emit({ type: 'call.hold', callId: this.callId });
    this.t.holdsCaller = true;
    this.t.afterHold = then;
  }

  /** Back to the agent: the call service takes the music off before the re-INVITE. */
  protected resumeCaller() {
    const t = this.t;
    if (t.holdsCaller) this.emit({ type: 'call.resume', callId: this.callId });
    t.holdsCaller = false;
    t.afterHold = null;
  }

  protected releaseCaller() {
    this.t.holdsCaller = false;
    this.t.afterHold = null;
    this.emit({ type: 'sip.hangup', callId: this.callId });
  }

  /** Hang the consult up (CANCEL while ringing, BYE once up; the platform's own consult: through the backend). */
  protected dropConsult() {
    const t = this.t;
    const k = t.consult;
    if (!k) return;
    if (k.state !== 'ended') {
      if (t.options.consultOnLeg) this.emit({ type: 'platform.cancelConsult', callId: this.callId, transferId: t.id });
      else if (k.callId !== null) this.emit({ type: 'sip.hangup', callId: k.callId });
    }
    k.state = 'ended';
  }

  /** The consult outlives the transfer as an ordinary call the agent talks on. */
  protected handOverConsult() {
    const k = this.t.consult;
    if (!k || k.callId === null || k.state !== 'up' || this.t.options.consultOnLeg) return;
    this.emit({ type: 'call.resume', callId: k.callId });
  }

  /** The transfer did not happen; the caller is back with the agent. */
  protected takeBack(reason: TransferReason, failedCode: number | null | 'no-step') {
    const wasHeld = this.t.holdsCaller;
    if (failedCode !== 'no-step') this.step('failed', failedCode, reason.message);
    this.cancelTimers();
    this.dropConsult();
    this.resumeCaller();
    // Every failed transfer ends its timeline on a terminal step, even if the caller never waited.
    if (wasHeld || failedCode === 'no-step') this.step('taken-back', null, reason.message);
    this.tell(reason);
    this.ends('caller-back');
    this.t.undoDeadline = null;
    this.s.phase = 'idle';
  }

  protected isOurConsult(consultCallId: string): boolean {
    const k = this.s.transfer?.consult;
    return !!k && k.callId === consultCallId && k.state !== 'ended';
  }
}

export const noOptions: TransferOptions = { safe: false, undoMs: 0, referTimeoutMs: 0, completeTimeoutMs: 0, consultTimeoutMs: 0 };

export function newTransfer(id: string, mode: Transfer['mode'], target: ResolvedTarget | null, options: TransferOptions): Transfer {
  return {
    id,
    mode,
    supervised: false,
    semiAttended: false,
    options,
    target,
    undoDeadline: null,
    holdsCaller: false,
    afterHold: null,
    consult: null,
    active: 'caller',
    referAccepted: false,
    progress: 'none',
    awaitingOutcome: false,
    support: { caller: unknownSupport, transferee: unknownSupport },
    callerDialog: null,
    handedOverVia: null,
    replacedWait: null,
    timers: [],
    reason: null,
    timeline: [],
    referId: null,
    followedCallId: null,
    referrerGone: false,
    callerGone: false,
    outcome: null,
  };
}
