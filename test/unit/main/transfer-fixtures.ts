/**
 * Shared fixtures for the transfer machine tables: events with a moving clock,
 * a one-line rendering of each effect (so a table row reads like the wire),
 * and a small "world" that executes the effects the way the call service
 * would (legs held / with music / up, timers running) to check invariants
 * independently of the machine's own bookkeeping.
 */
import { expect } from 'vitest';
import { createTransferState, transition } from '../../../main/calls/transfer/machine';
import type {
  DialogId,
  LegNow,
  ResolvedTarget,
  TransferEffect,
  TransferEvent,
  TransferOptions,
  TransferPhase,
  TransferState,
} from '../../../main/calls/transfer/types';

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

export const SAFE: TransferOptions = { safe: true, undoMs: 0, referTimeoutMs: 30_000, completeTimeoutMs: 8000, consultTimeoutMs: 0 };
export const SEED: TransferOptions = { ...SAFE, safe: false };

type Ev<T extends TransferEvent['type']> = Omit<Extract<TransferEvent, { type: T }>, 'type' | 'at'>;

/** Events with a clock that moves 100 ms per event unless told otherwise. */
export class Script {
  now = 1_700_000_000_000;
  private at(dt = 100) {
    this.now += dt;
    return this.now;
  }
  blind(options: TransferOptions = SAFE, target = TARGET, caller?: LegNow): TransferEvent {
    return { type: 'request.blind', at: this.at(), transferId: T1, target, options, ...(caller ? { caller } : {}) };
  }
  /** `existing` defaults to a held call without music (the agent talks to the caller). */
  attended(
    options: TransferOptions = SAFE,
    existing?: { callId: string; dialog: DialogId; held?: boolean; music?: boolean },
    caller?: LegNow,
  ): TransferEvent {
    return {
      type: 'request.attended',
      at: this.at(),
      transferId: T1,
      target: TARGET,
      options,
      ...(existing ? { existing: { held: true, music: false, ...existing } } : {}),
      ...(caller ? { caller } : {}),
    };
  }
  agent(type: 'agent.undo' | 'agent.complete' | 'agent.cancel' | 'agent.swap' | 'agent.hangupConsult'): TransferEvent {
    return { type, at: this.at() };
  }
  answerRefer(follow: boolean): TransferEvent {
    return { type: 'agent.answerRefer', at: this.at(), follow };
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
  consultStarted(consultCallId = CONSULT, transferId = T1): TransferEvent {
    return { type: 'consult.started', at: this.at(), transferId, consultCallId };
  }
  consultRinging(consultCallId = CONSULT): TransferEvent {
    return { type: 'consult.ringing', at: this.at(), consultCallId };
  }
  consultAnswered(dialog: DialogId = CONSULT_DIALOG, consultCallId = CONSULT): TransferEvent {
    return { type: 'consult.answered', at: this.at(), consultCallId, dialog };
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
    case 'sip.refer':
      return `sip.refer ${e.callId} ${e.referTo}`;
    case 'sip.hangup':
    case 'sip.hold':
    case 'sip.unhold':
      return `${e.type} ${e.callId}`;
    case 'call.dialConsult':
      return `call.dialConsult ${e.target.uri}`;
    case 'media.holdMusic':
      return `music ${e.callId} ${e.on ? 'on' : 'off'}`;
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

interface Leg {
  up: boolean;
  held: boolean;
  music: boolean;
}

/** What the call service would have done with the effects so far. */
export class World {
  readonly legs = new Map<string, Leg>([[CALLER, { up: true, held: false, music: false }]]);
  readonly timers = new Map<string, number>();
  readonly log: TransferEffect[] = [];
  readonly refers: Extract<TransferEffect, { type: 'sip.refer' }>[] = [];
  readonly steps: string[] = [];

  leg(id: string): Leg {
    let leg = this.legs.get(id);
    if (!leg) {
      leg = { up: true, held: false, music: false };
      this.legs.set(id, leg);
    }
    return leg;
  }

  apply(effects: TransferEffect[]) {
    for (const e of effects) {
      this.log.push(e);
      switch (e.type) {
        case 'sip.hold':
          this.leg(e.callId).held = true;
          break;
        case 'sip.unhold':
          this.leg(e.callId).held = false;
          break;
        case 'media.holdMusic':
          this.leg(e.callId).music = e.on;
          break;
        case 'sip.hangup': {
          const leg = this.leg(e.callId);
          leg.up = false;
          leg.music = false;
          break;
        }
        case 'timer.start':
          expect(this.timers.has(e.timer.id), `timer ${e.timer.id} started twice`).toBe(false);
          this.timers.set(e.timer.id, e.timer.ms);
          break;
        case 'timer.cancel':
          this.timers.delete(e.timer.id);
          break;
        case 'sip.refer':
          this.refers.push(e);
          break;
        case 'history.transferStep':
          this.steps.push(e.sipCode === null ? e.step : `${e.step} ${e.sipCode}`);
          break;
        default:
          break;
      }
    }
  }

  /** The far end ended a leg on its own (BYE). */
  ended(id: string) {
    const leg = this.leg(id);
    leg.up = false;
    leg.music = false;
  }

  fired(id: string) {
    this.timers.delete(id);
  }

  /** Legs that are up and unheld: the ones the agent hears. */
  unheld(...ids: string[]) {
    return ids.filter((id) => this.legs.get(id)?.up && !this.legs.get(id)?.held);
  }
}

/** A machine plus the world it drives; every step checks the invariants. */
export class Harness {
  state: TransferState;
  readonly world = new World();
  readonly s = new Script();
  last: string[] = [];

  constructor(callId = CALLER) {
    this.state = createTransferState(callId);
  }

  /** Feeds one event; returns the effects, one line each. */
  feed(event: TransferEvent): string[] {
    if (event.type === 'timer.fired') this.world.fired(event.timerId);
    if (event.type === 'consult.ended' || event.type === 'consult.failed') this.world.ended(event.consultCallId);
    if (event.type === 'caller.ended') this.world.ended(this.state.callId);
    // The call service created these calls: the world knows them from then on.
    if (event.type === 'consult.started' && !this.world.legs.has(event.consultCallId)) this.world.leg(event.consultCallId);
    if (event.type === 'request.attended' && event.existing) {
      const { held, music } = event.existing;
      this.world.legs.set(event.existing.callId, { up: true, held, music });
    }
    if ((event.type === 'request.attended' || event.type === 'request.blind') && event.caller) {
      Object.assign(this.world.leg(this.state.callId), event.caller);
    }
    const before = JSON.stringify(this.state);
    const previous = this.state;
    const { state, effects } = transition(this.state, event);
    // Pure: the input state is never mutated, the same input gives the same output.
    expect(JSON.stringify(previous)).toBe(before);
    expect(transition(previous, event)).toEqual({ state, effects });
    this.state = state;
    this.world.apply(effects);
    this.last = effects.map(show);
    this.checkInvariants();
    return this.last;
  }

  get phase(): TransferPhase {
    return this.state.phase;
  }

  checkInvariants() {
    const w = this.world;
    // Music plays only to a party that is on hold (never over a live conversation).
    for (const [id, leg] of w.legs) {
      if (leg.up && leg.music) expect(leg.held, `music on unheld leg ${id}`).toBe(true);
    }
    // During a consult at most one of the two legs is unheld.
    const k = this.state.transfer?.consult?.callId;
    if (k && (this.phase === 'consulting' || this.phase === 'completing')) {
      expect(w.unheld(this.state.callId, k).length, 'both legs unheld').toBeLessThanOrEqual(1);
    }
    // Once the transfer is over, nothing of it is left running.
    if (this.phase === 'idle' || this.phase === 'done') {
      expect([...w.timers.keys()], 'timers outlive the transfer').toEqual([]);
      // An existing call used as the consult goes back to being parked (held, with music) on cancel.
      const parked = this.state.transfer?.consult?.existing ? this.state.transfer.consult.callId : null;
      for (const [id, leg] of w.legs) if (id !== parked) expect(leg.up && leg.music, `music left on ${id}`).toBe(false);
      expect(this.state.transfer?.timers ?? []).toEqual([]);
      // A finished transfer's timeline ends on an outcome.
      const last = this.state.transfer?.timeline.at(-1)?.step;
      if (last !== undefined) expect(['completed', 'taken-back', 'cancelled', 'undone', 'declined', 'failed']).toContain(last);
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

/** A harness driven into each phase by real events. */
export function reach(phase: TransferPhase): Harness {
  const h = new Harness();
  const s = h.s;
  const go = (...events: TransferEvent[]) => events.forEach((e) => h.feed(e));
  switch (phase) {
    case 'idle':
      break;
    case 'pending':
      go(s.blind({ ...SAFE, undoMs: 3000 }));
      break;
    case 'referring':
      go(s.blind(SAFE));
      break;
    case 'consult-dialing':
      // With the consult's no-answer timer running, so the phase's one timer can fire.
      go(s.attended({ ...SAFE, consultTimeoutMs: 30_000 }), s.consultStarted());
      break;
    case 'consulting':
      go(s.attended(SAFE), s.consultStarted(), s.consultAnswered());
      break;
    case 'completing':
      go(s.attended(SAFE), s.consultStarted(), s.consultAnswered(), s.agent('agent.complete'));
      break;
    case 'refer-offered':
      go(s.refer('ask'));
      break;
    case 'following':
      go(s.refer('follow'), s.followedStarted());
      break;
    case 'done':
      go(s.blind(SAFE), s.notify(200));
      break;
  }
  expect(h.phase).toBe(phase);
  return h;
}
