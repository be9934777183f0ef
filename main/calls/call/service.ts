/**
 * The call service: the one place that changes calls. It feeds agent intents
 * and SIP events to the pure machine (machine.ts) under the multi-call rules
 * (call-set.ts), executes the effects, owns the timers (through an injected
 * Clock), records history through the CallRecorder port, pushes the full
 * snapshot list after every change and tells its own subscribers what
 * happened (events.ts). No Electron, no JsSIP, no Node I/O.
 *
 * Events are queued while an operation runs and delivered once it is done
 * (state stored, snapshot pushed), one at a time: a subscriber that acts on
 * a call from inside its listener (a transfer holding the caller) starts a
 * new operation whose events are delivered after the current one's.
 */
import { ConsoleError, type CallSnapshot, type Preferences } from '../../../preload/contract';
import type { Logger } from '../../logging/logger';
import {
  createIncoming,
  createOutgoing,
  IllegalTransition,
  transition,
  type CallAction,
  type CallEvent,
  type CallState,
  type Effect,
} from './machine';
import { actionsFor, canAcceptAnother, planAnswer, planDial, planSwap, ringVolumeFor, type Step } from './call-set';
import { factsBetween, type CallFact } from './events';
import { InvalidDialTarget, normaliseDialTarget } from '../numbers';
import type { CallAlerts, CallLeg, CallRecorder, Clock, DialOptions, HoldMusic, Telephony } from './ports';

/** The reason history keeps for a call refused because every call slot was in use. */
export const ALL_LINES_BUSY = 'All lines busy';

export interface CallServiceOptions {
  recorder: CallRecorder;
  alerts: CallAlerts;
  /** Hold music on every local hold (the media host swaps it onto the held leg's sender). */
  music: HoldMusic;
  clock: Clock;
  preferences: () => Preferences['calls'];
  publish: (calls: CallSnapshot[]) => void;
  log: Logger;
}

/**
 * Asked when the agent hangs up a call: 'handled' when another service takes
 * the hang-up as its own intent (hanging up a live consult completes its
 * transfer), 'hang-up' to end the call as usual.
 */
export type HangupPolicy = (callId: string) => 'handled' | 'hang-up';

export interface CallService {
  /** Use this line for new calls and take its incoming calls; returns the detach. */
  attach(telephony: Telephony): () => void;
  list(): CallSnapshot[];
  /** One call's machine state (read-only), for services that build on calls. */
  state(callId: string): CallState | undefined;
  /** Every call's machine state (read-only). */
  states(): readonly CallState[];
  /** What happens to calls, as it happens (events.ts); returns the unsubscribe. */
  onFact(listener: (fact: CallFact) => void): () => void;
  /** Who decides what the agent's hang-up means; one policy at a time, returns its removal. */
  useHangupPolicy(policy: HangupPolicy): () => void;
  dial(target: string, options?: DialOptions): CallSnapshot;
  answer(callId: string): void;
  decline(callId: string, code?: 486 | 603): void;
  /** The agent's hang-up: the hang-up policy may take it. */
  hangup(callId: string): void;
  /** The console itself ends this call (a transfer completed, a consult dropped): no policy asked. */
  release(callId: string): void;
  hold(callId: string): void;
  unhold(callId: string): void;
  /** Back to talking on this held call, holding whichever call is talking now (a swap or a plain resume). */
  resume(callId: string): void;
  mute(callId: string): void;
  unmute(callId: string): void;
  dtmf(callId: string, tones: string): void;
  swap(callId: string): void;
  /** The media host died: every live call ends with this reason. */
  mediaGone(reason: string): void;
  /** Live resources, for leak checks: all zero once every call is gone. */
  counters(): { calls: number; timers: number; legSubscriptions: number; factListeners: number };
  dispose(): void;
}

interface Entry {
  state: CallState;
  leg: CallLeg;
  offLeg: () => void;
  timers: Set<() => void>;
}

/**
 * What the far end hears from us right now: the music once it is on the
 * sender; silence while a hold or resume is under way (JsSIP disabled the
 * track, or the microphone is back but not yet re-enabled), while held
 * without music, or while muted; otherwise the agent.
 */
export function holdAudioOf(s: CallState): CallSnapshot['holdAudio'] {
  if (s.phase !== 'established') return 'you';
  if (s.holdMusic !== null) return { music: s.holdMusic };
  return s.hold.local || s.holdPending !== null || s.muted ? 'silence' : 'you';
}

export function createCallService(o: CallServiceOptions): CallService {
  const calls = new Map<string, Entry>();
  /** Subscriptions to legs still open (each call holds one until it is removed). */
  let legSubscriptions = 0;
  let telephony: Telephony | null = null;
  let ringerMode: 'off' | 'loud' | 'soft' = 'off';
  let hangupPolicy: HangupPolicy | null = null;
  const log = o.log;

  const factListeners = new Set<(fact: CallFact) => void>();
  const facts: CallFact[] = [];
  let delivering = false;
  /** Deliver queued events, unless a delivery further up the stack will (see the file comment). */
  const deliver = () => {
    if (delivering) return;
    delivering = true;
    try {
      for (let fact = facts.shift(); fact; fact = facts.shift()) {
        for (const l of [...factListeners]) {
          try {
            l(fact);
          } catch (e) {
            log.error('calls: event listener failed', { fact: fact.type, callId: fact.callId, error: String(e) });
          }
        }
      }
    } finally {
      delivering = false;
    }
  };

  const states = () => [...calls.values()].map((e) => e.state);

  const snapshot = (e: Entry, all: CallState[]): CallSnapshot => {
    const s = e.state;
    return {
      id: s.id,
      direction: s.direction,
      state: s.phase,
      remote: { ...s.remote },
      hold: { ...s.hold },
      holdPending: s.holdPending !== null,
      muted: s.muted,
      ring: s.ring,
      startedAt: s.startedAt,
      answeredAt: s.answeredAt,
      endedAt: s.endedAt,
      ended: s.ended && { ...s.ended },
      allowedActions: actionsFor(all, s),
      heldSince: s.heldSince,
      holdAudio: holdAudioOf(s),
      ...(s.transferredBy && { transferredBy: { ...s.transferredBy } }),
    };
  };
  const list = () => {
    const all = states();
    return [...calls.values()].map((e) => snapshot(e, all));
  };
  const publish = () => o.publish(list());

  /** Ringer: on while any incoming call rings; soft when the agent is on another call (call waiting). */
  const syncRinger = () => {
    const all = states();
    const ringing = all.filter((c) => c.direction === 'incoming' && c.phase === 'ringing');
    const next: typeof ringerMode =
      ringing.length === 0 ? 'off' : ringVolumeFor(all.filter((c) => !ringing.includes(c)));
    if (next !== ringerMode) {
      ringerMode = next;
      o.alerts.ringer(next);
    }
  };

  const execute = (entry: Entry, effect: Effect) => {
    const leg = entry.leg;
    switch (effect.type) {
      case 'sip.answer':
        return leg.answer();
      case 'sip.decline':
        return leg.decline(effect.code);
      case 'sip.hangup':
        return leg.hangup();
      case 'sip.hold':
        return leg.hold();
      case 'sip.unhold':
        return leg.unhold();
      case 'sip.dtmf':
        return leg.dtmf(effect.tones, o.preferences().dtmf);
      case 'media.mute':
        return leg.mute(effect.on);
      case 'media.holdMusic': {
        const id = entry.state.id;
        const on = effect.on;
        // The answer comes back as an event; a late one for an ended call is dropped by onLegEvent.
        void o.music.set(id, on).then(
          (track): void => {
            if (!on) return onLegEvent(id, { type: 'holdMusic.stopped' });
            onLegEvent(id, track ? { type: 'holdMusic.started', track } : { type: 'holdMusic.failed', reason: 'the call has no audio connection' });
          },
          (e: unknown) => {
            log.warn('calls: hold music not swapped', { callId: id, on, error: String(e) });
            onLegEvent(id, { type: 'holdMusic.failed', reason: e instanceof Error ? e.message : String(e) });
          },
        );
        return;
      }
      case 'media.ringtone':
        return; // one shared ringer, recomputed after every change (syncRinger)
      case 'history.started':
        return o.recorder.callStarted({
          callId: effect.callId,
          direction: effect.direction,
          remote: effect.remote,
          at: effect.at,
          ...(effect.transferredBy && { transferredBy: effect.transferredBy }),
        });
      case 'history.answered':
        return o.recorder.callAnswered({ callId: effect.callId, at: effect.at });
      case 'history.holdStarted':
        return o.recorder.holdStarted({ callId: effect.callId, at: effect.at, heard: effect.heard });
      case 'history.holdEnded':
        return o.recorder.holdEnded({ callId: effect.callId, at: effect.at });
      case 'history.ended':
        return o.recorder.callEnded({
          callId: effect.callId,
          at: effect.at,
          reason: effect.reason,
          by: effect.by,
          code: effect.code,
          answered: effect.answered,
        });
      case 'notify.incoming':
        return o.alerts.incoming(effect.callId, effect.remote, effect.volume);
      case 'notify.dismiss':
        return o.alerts.dismiss(effect.callId);
      case 'notify.missed':
        return o.alerts.missed(effect.callId, effect.remote);
      case 'notify.problem':
        return o.alerts.problem(effect.callId, effect.message);
      case 'timer.cancelAll':
        for (const cancel of entry.timers) cancel();
        entry.timers.clear();
        return;
      case 'timer.start': {
        const cancel = o.clock.setTimeout(() => {
          entry.timers.delete(cancel);
          if (effect.name === 'dismiss') remove(entry.state.id);
        }, effect.ms);
        entry.timers.add(cancel);
        return;
      }
    }
  };

  /** Effects run after the state is stored, so an effect that re-enters (a sync JsSIP event) sees the new state. */
  const run = (entry: Entry, effects: Effect[]) => {
    for (const effect of effects) {
      try {
        execute(entry, effect);
      } catch (e) {
        log.error('calls: effect failed', { callId: entry.state.id, effect: effect.type, error: String(e) });
        if (effect.type === 'sip.answer' || effect.type === 'sip.hold' || effect.type === 'sip.unhold' || effect.type === 'sip.dtmf') {
          o.alerts.problem(entry.state.id, `That did not work: ${(e as Error).message ?? String(e)}`);
        }
      }
    }
  };

  const apply = (id: string, event: CallEvent) => {
    const entry = calls.get(id);
    if (!entry) return;
    const before = entry.state;
    const at = o.clock.now();
    const t = transition(before, event, at);
    entry.state = t.state;
    facts.push(...factsBetween(before, t.state, at));
    run(entry, t.effects);
  };

  const remove = (id: string) => {
    const entry = calls.get(id);
    if (!entry) return;
    for (const cancel of entry.timers) cancel();
    entry.timers.clear();
    entry.offLeg();
    entry.leg.dispose();
    calls.delete(id);
    publish();
    facts.push({ type: 'removed', callId: id, at: o.clock.now() });
    deliver();
  };

  const onLegEvent = (id: string, event: CallEvent) => {
    const entry = calls.get(id);
    // SIP keeps talking after we ended a call locally (JsSIP's own 'ended' for our BYE, late NOTIFYs): ignore.
    if (!entry || entry.state.phase === 'ended') return;
    try {
      apply(id, event);
    } catch (e) {
      if (!(e instanceof IllegalTransition)) throw e;
      // The network may say things our machine has no edge for (e.g. a 18x after answer); never crash main on it.
      log.warn('calls: ignored SIP event with no transition', { callId: id, error: e.message });
      return;
    }
    syncRinger();
    publish();
    deliver();
  };

  /** Starts following a new call's leg; its creation effects are the caller's to run (`run`), when it chooses. */
  const track = (leg: CallLeg, created: { state: CallState; effects: Effect[] }): Entry => {
    const entry: Entry = { state: created.state, leg, offLeg: () => {}, timers: new Set() };
    calls.set(leg.id, entry);
    const off = leg.onEvent((e) => onLegEvent(leg.id, e));
    legSubscriptions += 1;
    let open = true;
    entry.offLeg = () => {
      if (!open) return;
      open = false;
      legSubscriptions -= 1;
      off();
    };
    return entry;
  };

  const runSteps = (steps: Step[]) => {
    for (const step of steps) apply(step.callId, step.event);
  };

  /** The call, if one of `actions` is allowed on it now; a typed refusal otherwise. */
  const need = (callId: string, actions: CallAction | CallAction[]): Entry => {
    const entry = calls.get(callId);
    if (!entry) throw new ConsoleError('not-found', 'That call no longer exists.');
    const wanted = typeof actions === 'string' ? [actions] : actions;
    const allowed = actionsFor(states(), entry.state);
    if (!wanted.some((a) => allowed.includes(a))) {
      throw new ConsoleError('not-allowed', `You cannot ${wanted[0]} a call that is ${entry.state.phase.replace('-', ' ')}${entry.state.holdPending ? ' (a hold change is in progress)' : ''}.`);
    }
    return entry;
  };
  const act = (callId: string, action: CallAction | CallAction[], steps: () => Step[]) => {
    need(callId, action);
    runSteps(steps());
    syncRinger();
    publish();
    deliver();
  };

  /**
   * No line is free: the caller hears busy (486) and the agent finds a missed call in history with
   * the reason, recorded after the refusal went out, never in its way.
   */
  const refuseAllLinesBusy = (leg: CallLeg) => {
    log.info('calls: declined an incoming call, all call slots busy', { remote: leg.remote.uri });
    leg.decline(486);
    leg.dispose();
    const at = o.clock.now();
    try {
      o.recorder.callStarted({ callId: leg.id, direction: 'incoming', remote: leg.remote, at, ...(leg.transferredBy && { transferredBy: { ...leg.transferredBy } }) });
      o.recorder.callEnded({ callId: leg.id, at, reason: ALL_LINES_BUSY, by: 'system', code: 486, answered: false });
    } catch (e) {
      log.error('calls: a call refused for lack of a line was not recorded', { callId: leg.id, error: String(e) });
    }
  };

  /**
   * Ringing first: the call is stored and pushed to the UI before anything the agent does not need
   * to see it ring — the history write, the ringer, notifications, the services listening to facts.
   */
  const onIncoming = (leg: CallLeg) => {
    const all = states();
    if (!canAcceptAnother(all)) return refuseAllLinesBusy(leg);
    const at = o.clock.now();
    const replaces = leg.replaces ?? null;
    // An INVITE with Replaces comes from whoever our replaced call's party handed the call to:
    // without a Referred-By, that party is the one who transferred it (RFC 3891 §1).
    const transferredBy = leg.transferredBy ?? (replaces !== null ? (calls.get(replaces)?.state.remote ?? null) : null);
    const created = createIncoming(leg.id, leg.remote, at, ringVolumeFor(all), transferredBy && { ...transferredBy });
    const entry = track(leg, created);
    publish();
    run(entry, created.effects);
    facts.push({ type: 'arrived', callId: leg.id, at, remote: leg.remote, replaces, referredBy: leg.referredBy ?? null });
    if (replaces !== null && calls.get(replaces)?.state.phase === 'established') {
      facts.push({ type: 'replaced', callId: replaces, at, by: leg.id });
    }
    syncRinger();
    deliver();
  };

  return {
    attach(t) {
      telephony = t;
      const off = t.onIncoming(onIncoming);
      return () => {
        off();
        if (telephony === t) telephony = null;
      };
    },
    list,
    state: (callId) => calls.get(callId)?.state,
    states,
    onFact(listener) {
      factListeners.add(listener);
      return () => factListeners.delete(listener);
    },
    useHangupPolicy(policy) {
      hangupPolicy = policy;
      return () => {
        if (hangupPolicy === policy) hangupPolicy = null;
      };
    },
    dial(target, options) {
      const line = telephony;
      if (!line) throw new ConsoleError('not-configured', 'Set up a SIP account in Settings before dialling.');
      const domain = line.domain();
      if (!domain) throw new ConsoleError('not-configured', 'The SIP account has no domain.');
      let dialTarget;
      try {
        dialTarget = normaliseDialTarget(target, domain);
      } catch (e) {
        if (e instanceof InvalidDialTarget) throw new ConsoleError('invalid-target', e.message);
        throw e;
      }
      if (!canAcceptAnother(states())) throw new ConsoleError('busy', 'All call slots are in use; end a call first.');
      const remote = { number: dialTarget.display, uri: dialTarget.uri, displayName: null };
      const leg = line.dial(dialTarget.uri, remote, options); // throws 'unavailable' before anything changes
      runSteps(planDial(states()));
      const at = o.clock.now();
      const created = createOutgoing(leg.id, remote, at);
      run(track(leg, created), created.effects);
      facts.push({ type: 'placed', callId: leg.id, at, remote });
      syncRinger();
      publish();
      const placed = snapshot(calls.get(leg.id)!, states());
      deliver();
      return placed;
    },
    answer: (id) => act(id, 'answer', () => planAnswer(states(), id)),
    decline(id, code) {
      const c = code ?? (o.preferences().declineWith === 'busy' ? 486 : 603);
      act(id, 'decline', () => [{ callId: id, event: { type: 'decline', code: c } }]);
    },
    hangup(id) {
      if (calls.has(id) && hangupPolicy?.(id) === 'handled') return;
      act(id, 'hangup', () => [{ callId: id, event: { type: 'hangup', transportUp: telephony?.isConnected() ?? false } }]);
    },
    release: (id) =>
      act(id, 'hangup', () => [{ callId: id, event: { type: 'hangup', transportUp: telephony?.isConnected() ?? false } }]),
    hold: (id) => act(id, 'hold', () => [{ callId: id, event: { type: 'hold' } }]),
    // Resuming a call while another is talking is a swap: only one call is ever unheld.
    unhold: (id) => act(id, 'unhold', () => planSwap(states(), id)),
    swap: (id) => act(id, 'swap', () => planSwap(states(), id)),
    resume: (id) => act(id, ['unhold', 'swap'], () => planSwap(states(), id)),
    mute: (id) => act(id, 'mute', () => [{ callId: id, event: { type: 'mute' } }]),
    unmute: (id) => act(id, 'unmute', () => [{ callId: id, event: { type: 'unmute' } }]),
    dtmf: (id, tones) => act(id, 'dtmf', () => [{ callId: id, event: { type: 'dtmf', tones } }]),
    mediaGone(reason) {
      for (const entry of [...calls.values()]) {
        if (entry.state.phase !== 'ended') apply(entry.state.id, { type: 'media.gone', reason });
      }
      syncRinger();
      publish();
      deliver();
    },
    counters() {
      let timers = 0;
      for (const e of calls.values()) timers += e.timers.size;
      return { calls: calls.size, timers, legSubscriptions, factListeners: factListeners.size };
    },
    dispose() {
      for (const id of [...calls.keys()]) {
        const entry = calls.get(id)!;
        if (entry.state.phase !== 'ended') {
          try {
            apply(id, { type: 'hangup', transportUp: telephony?.isConnected() ?? false });
          } catch {
            /* ringing incoming: decline instead */
            apply(id, { type: 'decline', code: 486 });
          }
        }
      }
      for (const id of [...calls.keys()]) remove(id);
      if (ringerMode !== 'off') o.alerts.ringer('off');
      ringerMode = 'off';
      hangupPolicy = null;
      factListeners.clear();
    },
  };
}
