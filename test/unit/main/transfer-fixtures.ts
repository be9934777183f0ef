/**
 * Shared fixtures for the transfer machine tables: events with a moving clock,
 * a one-line rendering of each effect (so a table row reads like the wire),
 * and a small "world" that executes the effects the way the transfer and call
 * services would (legs up / held / with music, hold answers owed, timers
 * running) to check invariants independently of the machine's own
 * bookkeeping. See docs/transfers.md ("Hold and music", "Scenario matrix").
 */
import { expect } from 'vitest';
import { createTransferState, transition } from '../../../main/calls/transfer/machine';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import type { TransferVariant } from '../../../main/calls/transfer/rules';
import type {
  CallerFacts,
  DialogId,
  ResolvedTarget,
  TransferEffect,
  TransferEvent,
  TransferOptions,
  PeerSupport,
  TransferPhase,
  TransferState,
} from '../../../main/calls/transfer/types';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';

export const CALLER = 'C';
export const CONSULT = 'K';
export const T1 = 'T1';
export const TARGET: ResolvedTarget = { kind: 'colleague', label: 'Bob', uri: 'sip:2001@pbx.test' };
export const CONSULT_DIALOG: DialogId = {
  callId: 'consult-call-id@agent',
  localTag: 'ourTag',
  remoteTag: 'bobTag',
  remoteUri: 'sip:2001@pbx.test',
  direction: 'outgoing',
};
/** The caller's call as we see it: what a REFER to the transferee names in its Replaces (RFC 5589). */
export const CALLER_DIALOG: DialogId = {
  callId: 'caller-call-id@pbx',
  localTag: 'agentTag',
  remoteTag: 'aliceTag',
  remoteUri: 'sip:alice@pbx.test',
  direction: 'incoming',
};
export const SUPPORTS: PeerSupport = { replaces: true, refer: true };
export const NO_REPLACES: PeerSupport = { replaces: false, refer: true };
export const UNKNOWN: PeerSupport = { replaces: null, refer: null };

/** Why the executor could not hold a leg, as the transfer service words a refused re-INVITE. */
export const HOLD_REFUSED = 'the far end refused the hold';

export const SAFE: TransferOptions = { safe: true, undoMs: 0, referTimeoutMs: 30_000, completeTimeoutMs: 8000, consultTimeoutMs: 0 };
export const SEED: TransferOptions = { ...SAFE, safe: false };
/** Attended through a platform that dials the transferee onto our own leg (no consult call, no SIP hold). */
export const ON_LEG: TransferOptions = { ...SAFE, consultTimeoutMs: 30_000, consultOnLeg: true };

type Ev<T extends TransferEvent['type']> = Omit<Extract<TransferEvent, { type: T }>, 'type' | 'at'>;

/** Events with a clock that moves 100 ms per event unless told otherwise. */
export class Script {
  now = 1_700_000_000_000;
  private at(dt = 100) {
    this.now += dt;
    return this.now;
  }
  /** `callerHeld`: the caller is already on hold (the agent's own hold) when the transfer starts. */
  /** `caller`: what the caller's phone announced and its dialog (omitted: unknown, as before phones were asked). */
  blind(options: TransferOptions = SAFE, target = TARGET, callerHeld?: boolean, caller?: CallerFacts): TransferEvent {
    return {
      type: 'request.blind',
      at: this.at(),
      transferId: T1,
      target,
      options,
      ...(callerHeld === undefined ? {} : { callerHeld }),
      ...(caller ? { caller } : {}),
    };
  }
  /** `existing`: one of the agent's answered calls becomes the consult (the world has it parked unless told otherwise). */
  attended(options: TransferOptions = SAFE, existing?: { callId: string; dialog: DialogId; support?: PeerSupport }, callerHeld?: boolean, caller?: CallerFacts): TransferEvent {
    return {
      type: 'request.attended',
      at: this.at(),
      transferId: T1,
      target: TARGET,
      options,
      ...(existing ? { existing } : {}),
      ...(callerHeld === undefined ? {} : { callerHeld }),
      ...(caller ? { caller } : {}),
    };
  }
  agent(type: 'agent.undo' | 'agent.complete' | 'agent.cancel' | 'agent.swap' | 'agent.hangupConsult'): TransferEvent {
    return { type, at: this.at() };
  }
  answerRefer(follow: boolean): TransferEvent {
    return { type: 'agent.answerRefer', at: this.at(), follow };
  }
  /** The executor's answer to a `call.hold`: the leg is on hold (with its music). */
  held(callId = CALLER): TransferEvent {
    return { type: 'hold.settled', at: this.at(), callId };
  }
  /** The executor's answer to a `call.hold` that did not go through. */
  holdFailed(reason = HOLD_REFUSED, callId = CALLER): TransferEvent {
    return { type: 'hold.failed', at: this.at(), callId, reason };
  }
  accepted(transferId = T1): TransferEvent {
    return { type: 'refer.accepted', at: this.at(), transferId };
  }
  rejected(code: number, transferId = T1): TransferEvent {
    return { type: 'refer.rejected', at: this.at(), transferId, code };
  }
  notify(code: number, transferId = T1): TransferEvent {
    return { type: 'refer.notify', at: this.at(), transferId, code };
  }
  /** The REFER subscription ended with no final report (terminated, or no longer kept after our BYE). */
  over(transferId = T1): TransferEvent {
    return { type: 'refer.over', at: this.at(), transferId };
  }
  consultStarted(consultCallId = CONSULT, transferId = T1): TransferEvent {
    return { type: 'consult.started', at: this.at(), transferId, consultCallId };
  }
  consultRinging(consultCallId = CONSULT): TransferEvent {
    return { type: 'consult.ringing', at: this.at(), consultCallId };
  }
  consultAnswered(dialog: DialogId | null = CONSULT_DIALOG, consultCallId = CONSULT, support?: PeerSupport): TransferEvent {
    return { type: 'consult.answered', at: this.at(), consultCallId, dialog, ...(support ? { support } : {}) };
  }
  consultFailed(code: number | null, consultCallId = CONSULT): TransferEvent {
    return { type: 'consult.failed', at: this.at(), consultCallId, code };
  }
  consultEnded(consultCallId = CONSULT): TransferEvent {
    return { type: 'consult.ended', at: this.at(), consultCallId };
  }
  callerEnded(): TransferEvent {
    return { type: 'caller.ended', at: this.at() };
  }
  timer(timerId: string, dt = 100): TransferEvent {
    return { type: 'timer.fired', at: this.at(dt), timerId };
  }
  replaces(newCallId = 'N'): TransferEvent {
    return { type: 'incoming.replaces', at: this.at(), newCallId };
  }
  refer(policy: 'follow' | 'ask', referId = 'R1', target = TARGET): TransferEvent {
    return { type: 'incoming.refer', at: this.at(), referId, target, policy };
  }
  transferredIn(referredBy: string | null, note: string | null = null): TransferEvent {
    return { type: 'incoming.transferred', at: this.at(), referredBy, note };
  }
  followedStarted(newCallId = 'F', referId = 'R1'): TransferEvent {
    return { type: 'followed.started', at: this.at(), referId, newCallId };
  }
  followedAnswered(newCallId = 'F'): TransferEvent {
    return { type: 'followed.answered', at: this.at(), newCallId };
  }
  followedFailed(code: number | null, newCallId = 'F'): TransferEvent {
    return { type: 'followed.failed', at: this.at(), newCallId, code };
  }
}
export type { Ev };

/** One effect as one line: what a reader of the table expects to see go out. */
export function show(e: TransferEffect): string {
  switch (e.type) {
    case 'handOver':
      return e.on === undefined ? `handOver ${e.callId} ${e.referTo}` : `handOver on ${e.on} ${e.referTo}`;
    case 'sip.hangup':
    case 'call.hold':
    case 'call.resume':
      return `${e.type} ${e.callId}`;
    case 'call.dialConsult':
      return `call.dialConsult ${e.target.uri}`;
    case 'platform.consult':
      return `platform.consult ${e.callId} ${e.target.uri}`;
    case 'platform.cancelConsult':
      return `platform.cancelConsult ${e.callId}`;
    case 'timer.start':
      return `timer.start ${e.timer.id} ${e.timer.ms}`;
    case 'timer.cancel':
      return `timer.cancel ${e.timer.id}`;
    case 'history.transferStep':
      return `history ${e.step}${e.sipCode === null ? '' : ` ${e.sipCode}`}`;
    case 'notify.agent':
      return `notify "${e.reason.message}"`;
    case 'media.cue':
      return `cue ${e.callId}`;
    case 'sip.acceptReplaces':
      return `sip.acceptReplaces ${e.newCallId} for ${e.replacesCallId}`;
    case 'sip.reject':
      return `sip.reject ${e.callId} ${e.code}`;
    case 'sip.acceptRefer':
      return `sip.acceptRefer ${e.callId} ${e.referId}`;
    case 'sip.rejectRefer':
      return `sip.rejectRefer ${e.callId} ${e.referId} ${e.code}`;
  }
}

/** Effects that touch a call or the network (everything but timers, history, notices). */
export function onTheWire(effects: readonly TransferEffect[]): TransferEffect[] {
  return effects.filter((e) => e.type === 'handOver' || e.type.startsWith('sip.') || e.type.startsWith('call.') || e.type.startsWith('media.'));
}

interface Leg {
  up: boolean;
  held: boolean;
  music: boolean;
}

const talking = (): Leg => ({ up: true, held: false, music: false });

/**
 * What the transfer service and the call service would have done with the
 * effects so far. Deliberately strict: `call.resume` only resumes its own
 * leg (the real call service also holds whichever call talks, but then the
 * "one leg unheld" checks would test the model instead of the machine), and a
 * hold is applied at once while its answer (`hold.settled` / `hold.failed`)
 * stays owed until the test feeds it.
 */
export class World {
  readonly legs = new Map<string, Leg>([[CALLER, talking()]]);
  readonly timers = new Map<string, number>();
  readonly log: TransferEffect[] = [];
  readonly refers: Extract<TransferEffect, { type: 'handOver' }>[] = [];
  readonly steps: string[] = [];
  /** Legs with a `call.hold` the executor has not answered yet. */
  readonly owed = new Set<string>();
  /** Legs whose hold settled (answered `hold.settled`, or held before the transfer began). */
  readonly settled = new Set<string>();
  /** Legs on hold because the transfer asked for it (not the agent's own hold from before). */
  readonly heldByTransfer = new Set<string>();
  /** Hand-overs of the current transfer (the backend reports only on one it received). */
  handOvers = 0;
  /** A consult was dialled and the call service has not reported the new call yet. */
  dialling = false;

  leg(id: string): Leg {
    let leg = this.legs.get(id);
    if (!leg) {
      leg = talking();
      this.legs.set(id, leg);
    }
    return leg;
  }

  /** The call service's view of a leg, as the snapshot reads it. */
  readonly hold = (callId: string) => {
    const leg = this.legs.get(callId);
    return { held: leg?.held ?? false, music: leg?.music ?? false };
  };

  /** Sets a leg's hold the way the agent left it before the transfer (their own, settled hold). */
  set(id: string, held: boolean) {
    this.legs.set(id, { up: true, held, music: held });
    if (held) this.settled.add(id);
    else this.settled.delete(id);
  }

  /** Runs the effects in order; `s` is the state they came with (which legs the transfer has). */
  apply(effects: TransferEffect[], s: TransferState) {
    const t = s.transfer;
    const caller = this.leg(s.callId);
    const talkingLeg = (id: string | null | undefined) => !!id && !!this.legs.get(id)?.up && !this.legs.get(id)?.held;
    for (const e of effects) {
      this.log.push(e);
      switch (e.type) {
        case 'call.hold': {
          const leg = this.leg(e.callId);
          expect(leg.up, `hold asked for ${e.callId}, which is down`).toBe(true);
          // Settled at once when it already was held; otherwise a re-INVITE is under way.
          if (!leg.held) this.settled.delete(e.callId);
          leg.held = true;
          leg.music = true; // the call service plays music with every hold
          this.owed.add(e.callId);
          this.heldByTransfer.add(e.callId);
          break;
        }
        case 'call.resume': {
          const leg = this.leg(e.callId);
          expect(leg.up, `resume asked for ${e.callId}, which is down`).toBe(true);
          // Hold first, then resume: the other leg of this transfer never still talks.
          for (const other of [s.callId, t?.consult?.callId]) {
            if (other && other !== e.callId) expect(talkingLeg(other), `${e.callId} resumed while ${other} still talks`).toBe(false);
          }
          leg.held = false;
          leg.music = false;
          this.forgetHold(e.callId);
          break;
        }
        case 'sip.hangup': {
          const leg = this.leg(e.callId);
          leg.up = false;
          leg.music = false;
          this.forgetHold(e.callId);
          break;
        }
        case 'handOver':
          this.refers.push(e);
          this.handOvers++;
          expect(caller.up, 'hand-over of a caller leg that is down').toBe(true);
          // (An attended completion may go out while the agent talks to the caller, after a swap.)
          if (!e.replaces && (t?.options.safe || t?.semiAttended)) {
            // Safe blind (and the blind a ringing consult turned into): the caller is on hold music first.
            expect(caller.held && this.settled.has(s.callId), 'REFER before the caller\u2019s hold settled').toBe(true);
          }
          break;
        case 'platform.consult':
          // The platform dials the transferee onto the caller's own leg; it plays the caller music itself.
          expect(caller.up, 'a platform consult on a leg that is down').toBe(true);
          this.dialling = true;
          break;
        case 'call.dialConsult':
          // The caller never hears the consult being dialled.
          expect(caller.held && this.settled.has(s.callId), 'consult dialled before the caller\u2019s hold settled').toBe(true);
          this.dialling = true;
          break;
        case 'timer.start':
          expect(this.timers.has(e.timer.id), `timer ${e.timer.id} started twice`).toBe(false);
          this.timers.set(e.timer.id, e.timer.ms);
          break;
        case 'timer.cancel':
          this.timers.delete(e.timer.id);
          break;
        case 'history.transferStep':
          this.steps.push(e.sipCode === null ? e.step : `${e.step} ${e.sipCode}`);
          break;
        default:
          break;
      }
    }
  }

  private forgetHold(id: string) {
    this.owed.delete(id);
    this.settled.delete(id);
    this.heldByTransfer.delete(id);
  }

  /** The executor answers a `call.hold` it owes (an answer nobody owes changes nothing). */
  answered(id: string, ok: boolean) {
    if (!this.owed.delete(id)) return;
    if (ok) {
      this.settled.add(id);
      return;
    }
    const leg = this.leg(id);
    leg.held = false;
    leg.music = false;
    this.settled.delete(id);
    this.heldByTransfer.delete(id);
  }

  /** The far end ended a leg on its own (BYE). */
  ended(id: string) {
    const leg = this.leg(id);
    leg.up = false;
    leg.music = false;
    this.forgetHold(id);
  }

  fired(id: string) {
    this.timers.delete(id);
  }

  /** Legs that are up and unheld: the ones the agent hears. */
  unheld(...ids: string[]) {
    return ids.filter((id) => this.legs.get(id)?.up && !this.legs.get(id)?.held);
  }
}

const consultPhases: ReadonlySet<TransferPhase> = new Set(['consult-dialing', 'consulting', 'completing']);

/** A machine plus the world it drives; every step checks the invariants. */
export class Harness {
  state: TransferState;
  readonly world = new World();
  readonly s = new Script();
  last: string[] = [];

  constructor(callId = CALLER) {
    this.state = createTransferState(callId);
  }

  /** Feeds one event; returns the effects, one line each. A refusal throws and leaves the world as it was. */
  feed(event: TransferEvent): string[] {
    const before = JSON.stringify(this.state);
    const previous = this.state;
    const { state, effects } = transition(previous, event);
    // Pure: the input state is never mutated, the same input gives the same output.
    expect(JSON.stringify(previous)).toBe(before);
    expect(transition(previous, event)).toEqual({ state, effects });
    this.learn(event, previous);
    this.state = state;
    this.world.apply(effects, state);
    this.last = effects.map(show);
    this.checkInvariants();
    return this.last;
  }

  /** What the event itself tells the world (a BYE, a new call, a hold answer, a fired timer). */
  private learn(event: TransferEvent, s: TransferState) {
    const w = this.world;
    switch (event.type) {
      case 'timer.fired':
        w.fired(event.timerId);
        break;
      case 'consult.ended':
      case 'consult.failed':
        w.ended(event.consultCallId);
        break;
      case 'caller.ended':
        w.ended(s.callId);
        break;
      case 'consult.started': {
        // The call service created this call: the world knows it from then on.
        if (event.transferId === s.transfer?.id) w.dialling = false;
        if (!w.legs.get(event.consultCallId)?.up) w.legs.set(event.consultCallId, talking());
        break;
      }
      case 'hold.settled':
      case 'hold.failed':
        w.answered(event.callId, event.type === 'hold.settled');
        break;
      case 'request.blind':
      case 'request.attended':
        w.handOvers = 0;
        w.dialling = false;
        if (event.callerHeld) w.set(s.callId, true);
        // The agent's other answered call: parked on hold, unless the test set it up otherwise.
        if (event.type === 'request.attended' && event.existing && !w.legs.get(event.existing.callId)?.up) w.set(event.existing.callId, true);
        break;
      default:
        break;
    }
  }

  get phase(): TransferPhase {
    return this.state.phase;
  }

  checkInvariants() {
    const w = this.world;
    const s = this.state;
    const t = s.transfer;
    const callerId = s.callId;
    const caller = w.leg(callerId);
    // Music plays only to a party that is on hold (never over a live conversation).
    for (const [id, leg] of w.legs) {
      if (leg.up && leg.music) expect(leg.held, `music on unheld leg ${id}`).toBe(true);
    }
    // During a consult at most one of the two legs is unheld (A7 privacy, A8 swap). A platform's consult
    // on our own leg is no leg of ours: the platform holds the caller with its own music there.
    const k = t?.consult?.callId;
    if (k && consultPhases.has(this.phase) && !t.options.consultOnLeg) {
      expect(w.unheld(callerId, k).length, 'both legs unheld').toBeLessThanOrEqual(1);
    }
    // The machine waits only for a hold it asked for and the executor still owes it.
    if (t?.afterHold) {
      expect(['referring', 'consult-dialing'], `waiting for the hold in ${this.phase}`).toContain(this.phase);
      expect(w.owed.has(callerId), 'waiting for a hold answer nobody owes').toBe(true);
    }
    // A hold the transfer keeps is a hold the caller has, and a take-back will undo any hold it asked for.
    if (t && caller.up && this.phase !== 'idle' && this.phase !== 'done') {
      if (t.holdsCaller) expect(caller.held, 'the transfer thinks it holds a talking caller').toBe(true);
      if (w.heldByTransfer.has(callerId)) expect(t.holdsCaller, 'the transfer lost track of the caller\u2019s hold').toBe(true);
    }
    // What the UI is shown: valid, and read from the calls (music only with a hold, one leg live in a consult).
    const snap = transferSnapshotSchema.parse(toTransferSnapshot(s, w.hold));
    for (const leg of [snap.legs.caller, snap.legs.consult]) if (leg?.music) expect(leg.held, `snapshot: music on unheld ${leg.callId}`).toBe(true);
    if (snap.legs.consult?.state === 'up' && snap.legs.caller.state === 'up' && (this.phase === 'consulting' || this.phase === 'completing')) {
      expect(snap.legs.caller.held || snap.legs.consult.held, 'snapshot: both legs live').toBe(true);
    }
    // The snapshot shows no consult that does not exist: one not reported yet is being dialled (or waits
    // for the caller's hold to be dialled), one reported is a call that is up.
    const shown = snap.legs.consult;
    if (shown && shown.state !== 'ended') {
      if (shown.callId === null) expect(w.dialling || t?.afterHold === 'dialConsult', 'snapshot: a consult nobody dials').toBe(true);
      else expect(w.legs.get(shown.callId)?.up, `snapshot: consult ${shown.callId} is gone`).toBe(true);
    }
    // Once the transfer is over, nothing of it is left running.
    if (this.phase === 'idle' || this.phase === 'done') {
      expect([...w.timers.keys()], 'timers outlive the transfer').toEqual([]);
      expect(t?.timers ?? []).toEqual([]);
      // An existing call used as the consult goes back to being parked (held, with music) on cancel:
      // it is the agent's again, not the transfer's.
      // (Undone inside the window, nothing touched it: it stays as the agent had it.)
      const parked =
        this.phase === 'idle' && t?.consult?.existing && t.consult.state === 'up' && t.timeline.at(-1)?.step !== 'undone' ? t.consult.callId : null;
      // (Until the agent's call ends by itself later on: then it is simply gone.)
      if (parked && w.legs.get(parked)?.up) {
        expect(w.legs.get(parked), `existing consult ${parked} not parked again`).toEqual({ up: true, held: true, music: true });
        w.heldByTransfer.delete(parked);
      }
      // No leg is left on the hold music the transfer asked for (the agent's own hold from before may stay).
      for (const id of w.heldByTransfer) expect(w.legs.get(id)?.up, `hold music left on ${id}`).toBe(false);
      // A finished transfer's timeline ends on an outcome.
      const last = t?.timeline.at(-1)?.step;
      if (last !== undefined) expect(['completed', 'taken-back', 'cancelled', 'undone', 'declined', 'failed', 'released', 'new-call']).toContain(last);
    }
  }
}

/** A table row: the event, then the phase and the effects (in order) it must produce. */
export type Row = [event: (s: Script) => TransferEvent, phase: TransferPhase, effects: string[]];

/** Plays a table; each row's effects must match exactly. */
export function play(rows: Row[], h = new Harness()): Harness {
  rows.forEach(([make, phase, effects], i) => {
    const event = make(h.s);
    const out = h.feed(event);
    expect({ row: i, event: event.type, phase: h.phase, effects: out }).toEqual({ row: i, event: event.type, phase, effects });
  });
  return h;
}

/**
 * A harness driven into each phase by real events. `waitingForHold` stops a
 * safe blind (referring) or an attended transfer (consult-dialing) before the
 * caller's hold settled, so the REFER or the consult is still waiting for it.
 */
export function reach(
  phase: TransferPhase,
  { waitingForHold = false, existingConsult = false, variant = 'standard' as TransferVariant } = {},
): Harness {
  const supervised = variant === 'supervised';
  const onLeg = variant === 'on-leg';
  const h = new Harness();
  const s = h.s;
  const go = (...events: TransferEvent[]) => events.forEach((e) => h.feed(e));
  switch (phase) {
    case 'idle':
      break;
    case 'pending':
      // With `existingConsult`: an attended transfer to one of the agent's calls, inside its undo window.
      go(existingConsult ? s.attended({ ...SAFE, undoMs: 3000 }, { callId: CONSULT, dialog: CONSULT_DIALOG }) : s.blind({ ...SAFE, undoMs: 3000 }));
      break;
    case 'referring':
      // Only the seed's blind refers at once; a REFER waits for the caller's hold only when Complete
      // turned a consult that was still waiting for that hold into a blind transfer (semi-attended).
      if (waitingForHold) go(s.attended(SAFE), s.agent('agent.complete'));
      else go(s.blind(SEED));
      break;
    case 'consult-dialing':
      // With the consult's no-answer timer running, so the phase's one timer can fire.
      // `supervised`: a safe blind reaching the transferee on its own leg; `on-leg`: the platform's consult.
      if (onLeg) {
        go(s.attended(ON_LEG), s.consultStarted());
        break;
      }
      go(supervised ? s.blind(SAFE) : s.attended({ ...SAFE, consultTimeoutMs: 30_000 }));
      if (!waitingForHold) go(s.held(), s.consultStarted());
      break;
    case 'consulting':
      if (onLeg) go(s.attended(ON_LEG), s.consultStarted(), s.consultAnswered(null));
      else go(s.attended(SAFE), s.held(), s.consultStarted(), s.consultAnswered());
      break;
    case 'completing':
      if (supervised) go(s.blind(SAFE), s.held(), s.consultStarted(), s.consultAnswered());
      else go(s.attended(SAFE), s.held(), s.consultStarted(), s.consultAnswered(), s.agent('agent.complete'));
      break;
    case 'refer-offered':
      go(s.refer('ask'));
      break;
    case 'following':
      go(s.refer('follow'), s.followedStarted());
      break;
    case 'done':
      // A plain blind released on its first progress: the one finished transfer still listening (late NOTIFYs).
      go(s.blind(SEED), s.notify(100));
      break;
  }
  expect(h.phase).toBe(phase);
  const waiting = (phase === 'referring' || phase === 'consult-dialing') && waitingForHold && !onLeg;
  expect(h.state.transfer?.afterHold ?? null, `${phase}: waiting for the caller\u2019s hold`).toEqual(
    waiting ? (phase === 'referring' ? 'handOver' : 'dialConsult') : null,
  );
  return h;
}
