/**
 * The transfer service: one transfer machine per call (machine.ts, routed
 * across calls by book.ts). It feeds each machine the agent's intents, the
 * call service's own events (call/events.ts) and the backend's reports, and
 * carries out the machine's effects through two ports — the call service
 * (hold, resume, dial, answer, release) and a transfer backend (backend.ts:
 * the SIP REFER today). Pure TypeScript: no JsSIP, no Node timers (the
 * injected Clock), no I/O, nothing from the UI channel.
 *
 * Nothing here waits by polling. An effect that must settle before the next
 * one (the caller's hold before a safe blind's REFER or an attended consult)
 * is answered by an event the machine waits for (`hold.settled`); the rest
 * run at once. A leg's wanted hold state is kept until its call settles on it:
 * asked while another hold change is under way, it is carried out when that
 * change's event arrives.
 */
import type { Preferences, TransferSnapshot } from '../../../preload/contract';
import { ConsoleError } from '../../../preload/contract/result';
import type { Logger } from '../../logging/logger';
import type { CallFact } from '../call/events';
import type { CallState } from '../call/machine';
import type { Clock } from '../call/ports';
import type { CallService } from '../call/service';
import type { TransferBackend } from './backend';
import { consultOwner, routesFor, transferBlocker } from './book';
import { createTransferState, transition } from './machine';
import {
  attendedRequestEvent,
  blindRequestEvent,
  intentEvent,
  refusalToConsoleError,
  type AttendedRequest,
  type BlindRequest,
  type TransferIntent,
} from './requests';
import { toTransferSnapshot } from './snapshot';
import type { CallerFacts, HistoryTransferStep, PeerSupport, TransferEffect, TransferEvent, TransferState } from './types';
import { IllegalTransferTransition, unknownSupport } from './types';

/** The call service as transfers use it. */
export type TransferCalls = Pick<
  CallService,
  'state' | 'states' | 'onFact' | 'useHangupPolicy' | 'hold' | 'resume' | 'release' | 'answer' | 'decline' | 'dial'
>;

/** One stored timeline step, in the machine's own words (history adds nothing, renames nothing). */
export interface TransferStepRecord {
  callId: string;
  transferId: string;
  step: HistoryTransferStep['step'] | 'refer-sent' | 'accepted';
  mode: HistoryTransferStep['mode'] | 'safe-blind';
  target: string;
  sipCode: number | null;
  detail: string | null;
  at: number;
}

export interface TransferServiceOptions {
  calls: TransferCalls;
  backend: TransferBackend;
  clock: Clock;
  recorder: { transferStep(e: TransferStepRecord): void } | null;
  prefs: () => Preferences['transfer'];
  domain: () => string | null;
  publish: (snapshot: TransferSnapshot) => void;
  /** The short completion cue when a transferred call reaches the agent. */
  cue: () => void;
  log: Logger;
}

export interface TransferService {
  list(): TransferSnapshot[];
  snapshot(callId: string): TransferSnapshot;
  blind(req: BlindRequest): TransferSnapshot;
  attended(req: AttendedRequest): TransferSnapshot;
  intent(callId: string, intent: TransferIntent): TransferSnapshot;
  answerRefer(callId: string, follow: boolean): TransferSnapshot;
  counters(): { machines: number; timers: number; wants: number };
  dispose(): void;
}

const isUp = (c: CallState | undefined): c is CallState => !!c && c.phase === 'established';
/** Held by us with nothing under way: what `call.hold` asks for. */
const settledHeld = (c: CallState) => c.hold.local && c.holdPending === null;

export function createTransferService(o: TransferServiceOptions): TransferService {
  const log = o.log;
  /** Read at each use: the backend may change (the provider the settings choose). */
  const can = () => o.backend.capabilities;
  const machines = new Map<string, TransferState>();
  const timers = new Map<string, () => void>();
  /** Calls we dialled to follow a far end's REFER: new call → { requestId, the referred call }. */
  const follows = new Map<string, { requestId: string; callId: string }>();
  /** Incoming calls transferred to us (Referred-By), until they are answered. */
  const referredBy = new Map<string, string>();
  /** Legs whose hold state a machine asked for, until their call settles on it. */
  const wants = new Map<string, { held: boolean; owner: string }>();
  /**
   * Calls whose card is gone while their released blind transfer still waits for its outcome (a
   * late NOTIFY): the machine stays to record it, but is no longer shown.
   */
  const unshown = new Set<string>();
  let disposed = false;
  let nextId = 1;

  const hold = (callId: string) => {
    const c = o.calls.state(callId);
    return { held: !!c && c.hold.local, music: !!c && c.holdMusic !== null };
  };
  /** May this call start a transfer now: answered, not another transfer's leg, an account to dial on. */
  const startOf = (callId: string) => ({
    callReady: isUp(o.calls.state(callId)) && transferBlocker(machines.values(), callId) === null && o.domain() !== null,
    safeBlindPreferred: o.prefs().safeBlind,
  });
  const snapshotOf = (s: TransferState) => toTransferSnapshot(s, hold, can(), startOf(s.callId));
  const stateOf = (callId: string) => machines.get(callId) ?? createTransferState(callId);
  /** The caller's dialog with what its phone announced it supports (unknown without a backend that can tell). */
  const callerFacts = (callId: string): CallerFacts => {
    const dialog = o.backend.dialog(callId);
    return { support: dialog?.peer ?? unknownSupport, dialog };
  };
  const shownIds = () => [...new Set([...o.calls.states().map((c) => c.id), ...machines.keys()])].filter((id) => !unshown.has(id));

  /**
   * Push every call's snapshot that changed since it was last pushed. One call's transfer or
   * hold moves what OTHER calls may start (a consult leg may not start its own), so each change
   * looks at all of them — six calls at most, compared as text.
   */
  const pushed = new Map<string, string>();
  const publishChanges = () => {
    for (const callId of shownIds()) {
      const snapshot = snapshotOf(stateOf(callId));
      const text = JSON.stringify(snapshot);
      if (pushed.get(callId) === text) continue;
      pushed.set(callId, text);
      o.publish(snapshot);
    }
  };

  // ── feeding machines ──

  /** A timeline step as the machine named it, or one only the executor sees (the REFER going out, its 202). */
  const record = (callId: string, step: TransferStepRecord['step'], sipCode: number | null, detail: string | null = null, at = o.clock.now()) => {
    const t = machines.get(callId)?.transfer;
    if (!t || !o.recorder) return;
    const mode = t.mode === 'blind' && t.options.safe ? 'safe-blind' : t.mode;
    o.recorder.transferStep({ callId, transferId: t.id, step, mode, target: t.target?.uri ?? '', sipCode, detail, at });
  };

  /** Agent intents: a refusal throws (typed). */
  /**
   * Events that arrive while a transition's effects run (an effect answered at once: a hold already
   * settled, a consult dialled, a call's event) wait until that transition is done and published,
   * so every transition sees the state the one before it left and the last snapshot pushed is the newest.
   */
  const queued: Array<{ callId: string; event: TransferEvent }> = [];
  let executing = false;

  /** Agent intents: a refusal throws (typed). Returns the state once every event it caused was fed. */
  const feedIntent = (callId: string, event: TransferEvent): TransferState => {
    try {
      feed(callId, event);
    } catch (e) {
      throw refusalToConsoleError(e);
    }
    if (!executing) drain();
    return machines.get(callId) ?? createTransferState(callId);
  };

  /** Network, call and timer events: the world may say things no edge exists for; never crash main on it. */
  const feedEvent = (callId: string, event: TransferEvent) => {
    if (disposed) return;
    queued.push({ callId, event });
    if (!executing) drain();
  };

  const drain = () => {
    for (let next = queued.shift(); next && !disposed; next = queued.shift()) {
      try {
        feed(next.callId, next.event);
      } catch (e) {
        if (!(e instanceof IllegalTransferTransition)) throw e;
        log.warn('transfer: event with no transition', { callId: next.callId, error: e.message });
      }
    }
  };

  const feed = (callId: string, event: TransferEvent): void => {
    const before = machines.get(callId) ?? createTransferState(callId);
    const t = transition(before, event);
    machines.set(callId, t.state);
    const outer = executing;
    executing = true;
    try {
      for (const effect of t.effects) execute(t.state, effect);
    } finally {
      executing = outer;
    }
    if (t.state !== before) publishChanges();
    // A card already gone kept its machine only for a late outcome: once that is in, let it go.
    if (unshown.has(callId) && !t.state.transfer?.awaitingOutcome) {
      unshown.delete(callId);
      machines.delete(callId);
    }
  };

  const at = () => o.clock.now();
  /** Effects touching a call that may have ended meanwhile: the call service's refusal is not news. */
  const quietly = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      log.info(`transfer: ${what} skipped`, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const execute = (s: TransferState, effect: TransferEffect): void => {
    switch (effect.type) {
      case 'history.transferStep':
        return record(effect.callId, effect.step, effect.sipCode, effect.note, effect.at);
      case 'timer.start': {
        const { id, ms } = effect.timer;
        timers.get(id)?.();
        const callId = effect.callId;
        timers.set(
          id,
          o.clock.setTimeout(() => {
            timers.delete(id);
            feedEvent(callId, { type: 'timer.fired', at: at(), timerId: id });
          }, ms),
        );
        return;
      }
      case 'timer.cancel':
        timers.get(effect.timer.id)?.();
        timers.delete(effect.timer.id);
        return;
      case 'notify.agent':
        // The agent reads it on the call's outcome line (the snapshot's `outcome`), not in a notice.
        log.info('transfer: did not go through', { callId: effect.callId, reason: effect.reason.code });
        return;
      case 'media.cue':
        return o.cue();
      case 'call.hold':
        return want(effect.callId, true, s.callId);
      case 'call.resume':
        return want(effect.callId, false, s.callId);
      case 'sip.hangup':
        wants.delete(effect.callId);
        if (o.calls.state(effect.callId)?.phase !== 'ended') quietly('hang-up', () => o.calls.release(effect.callId));
        return;
      case 'handOver':
        return handOver(effect);
      case 'call.dialConsult':
        return dialConsult(effect);
      case 'platform.consult':
        return consultOnLeg(effect);
      case 'platform.cancelConsult':
        try {
          o.backend.cancelConsult?.(effect.callId);
        } catch (e) {
          log.warn('transfer: the platform\u2019s consult could not be hung up', { callId: effect.callId, error: String(e) });
        }
        return;
      case 'sip.acceptReplaces':
        // Hang the replaced leg up first: answering next to a talking call would hold it (a
        // pointless re-INVITE towards the party that is being replaced).
        if (o.calls.state(effect.replacesCallId)?.phase !== 'ended') quietly('hang-up of the replaced call', () => o.calls.release(effect.replacesCallId));
        quietly('answer', () => o.calls.answer(effect.newCallId));
        return;
      case 'sip.reject':
        quietly('decline', () => o.calls.decline(effect.callId, effect.code === 486 ? 486 : 603));
        return;
      case 'sip.acceptRefer':
        return followRefer(effect.callId, effect.referId);
      case 'sip.rejectRefer':
        return o.backend.refuseIncoming(effect.referId, effect.code);
    }
  };

  // ── hold wanted → hold had ──

  const want = (callId: string, held: boolean, owner: string) => {
    wants.set(callId, { held, owner });
    reconcile(callId);
  };

  /** Bring a leg to the hold state a machine asked for; runs again on each of its hold events. */
  const reconcile = (callId: string) => {
    const w = wants.get(callId);
    if (!w) return;
    const c = o.calls.state(callId);
    if (!isUp(c)) {
      wants.delete(callId);
      if (w.held) feedEvent(w.owner, { type: 'hold.failed', at: at(), callId, reason: 'the call is not answered' });
      return;
    }
    if (c.holdPending !== null) return; // its `held` / `resumed` / `holdFailed` brings us back
    if (w.held && settledHeld(c)) {
      wants.delete(callId);
      feedEvent(w.owner, { type: 'hold.settled', at: at(), callId });
      return;
    }
    if (!w.held && !c.hold.local) {
      wants.delete(callId);
      return;
    }
    if (!w.held) {
      // Exactly one leg unheld on the wire at every instant: every other answered call is held
      // (its re-INVITE answered) before this one's resume starts. Their `held` events bring us back.
      const others = o.calls.states().filter((k) => k.id !== callId && isUp(k) && !settledHeld(k));
      if (others.length > 0) {
        for (const k of others) if (k.holdPending === null) want(k.id, true, w.owner);
        return;
      }
    }
    try {
      if (w.held) o.calls.hold(callId);
      else o.calls.resume(callId);
    } catch (e) {
      wants.delete(callId);
      const reason = e instanceof Error ? e.message : String(e);
      log.warn('transfer: hold change refused', { callId, held: w.held, error: reason });
      if (w.held) feedEvent(w.owner, { type: 'hold.failed', at: at(), callId, reason });
    }
  };

  const holdFailed = (callId: string, wanted: 'hold' | 'resume') => {
    const w = wants.get(callId);
    if (!w || w.held !== (wanted === 'hold')) return reconcile(callId);
    wants.delete(callId);
    if (w.held) feedEvent(w.owner, { type: 'hold.failed', at: at(), callId, reason: 'the far end refused the hold' });
  };

  // ── the backend ──

  const handOver = (effect: Extract<TransferEffect, { type: 'handOver' }>) => {
    const { callId, transferId } = effect;
    // Usually the caller's leg; the transferee's when the caller's phone cannot swap calls (RFC 5589).
    const on = effect.on ?? callId;
    record(callId, 'refer-sent', null, on === callId ? null : 'to the transferee, naming the caller\u2019s call: the caller\u2019s phone cannot swap calls');
    try {
      o.backend.handOver(on, effect.referTo, {
        accepted: () => {
          record(callId, 'accepted', 202);
          feedEvent(callId, { type: 'refer.accepted', at: at(), transferId });
        },
        rejected: (code) => feedEvent(callId, { type: 'refer.rejected', at: at(), transferId, code }),
        progress: (code, phrase) => feedEvent(callId, { type: 'refer.notify', at: at(), transferId, code, ...(phrase ? { phrase } : {}) }),
        finished: () => feedEvent(callId, { type: 'refer.over', at: at(), transferId }),
      });
    } catch (e) {
      log.warn('transfer: hand-over not sent', { callId, error: String(e) });
      feedEvent(callId, { type: 'refer.rejected', at: at(), transferId, code: 500 });
    }
  };

  const dialConsult = (effect: Extract<TransferEffect, { type: 'call.dialConsult' }>) => {
    const { callerCallId, transferId } = effect;
    try {
      const consult = o.calls.dial(effect.target.uri, effect.supervised ? { supervised: true } : undefined);
      feedEvent(callerCallId, { type: 'consult.started', at: at(), transferId, consultCallId: consult.id });
    } catch (e) {
      log.warn('transfer: consult not dialled', { error: String(e) });
      const consultCallId = `undialled:${transferId}`;
      feedEvent(callerCallId, { type: 'consult.started', at: at(), transferId, consultCallId });
      feedEvent(callerCallId, { type: 'consult.failed', at: at(), consultCallId, code: null });
    }
  };

  /** The platform dials the transferee onto the caller's own leg; its reports are the consult's events. */
  const consultOnLeg = (effect: Extract<TransferEffect, { type: 'platform.consult' }>) => {
    const { callId, transferId } = effect;
    const consultCallId = `platform:${transferId}`;
    const started = () => feedEvent(callId, { type: 'consult.started', at: at(), transferId, consultCallId });
    record(callId, 'refer-sent', null, 'transfer request sent to the platform');
    try {
      if (!o.backend.consultOnLeg) throw new Error('this backend runs no consult on our leg');
      o.backend.consultOnLeg(callId, effect.target.uri, {
        accepted: () => {
          record(callId, 'accepted', null, 'the platform dials the transferee');
          started();
        },
        rejected: (code) => {
          started();
          feedEvent(callId, { type: 'consult.failed', at: at(), consultCallId, code });
        },
        ringing: () => feedEvent(callId, { type: 'consult.ringing', at: at(), consultCallId }),
        answered: () => feedEvent(callId, { type: 'consult.answered', at: at(), consultCallId, dialog: null }),
        failed: (code) => feedEvent(callId, { type: 'consult.failed', at: at(), consultCallId, code }),
        ended: () => feedEvent(callId, { type: 'consult.ended', at: at(), consultCallId }),
      });
    } catch (e) {
      log.warn('transfer: the platform\u2019s consult not requested', { callId, error: String(e) });
      started();
      feedEvent(callId, { type: 'consult.failed', at: at(), consultCallId, code: 500 });
    }
  };

  const followRefer = (callId: string, requestId: string) => {
    const uri = machines.get(callId)?.transfer?.target?.uri;
    try {
      if (!uri) throw new Error('no Refer-To');
      const followed = o.calls.dial(uri);
      follows.set(followed.id, { requestId, callId });
      feedEvent(callId, { type: 'followed.started', at: at(), referId: requestId, newCallId: followed.id });
    } catch (e) {
      log.warn('transfer: REFER not followed', { error: String(e) });
      o.backend.reportIncoming(requestId, 503);
      feedEvent(callId, { type: 'followed.failed', at: at(), newCallId: 'undialled', code: 503 });
    }
  };

  // ── the call service's events → machine events ──

  const onFact = (f: CallFact) => {
    if (disposed) return;
    handleFact(f);
    // Whatever the fact changed — a leg's hold (what each party hears), whether a call may start
    // a transfer (answered, ended) — reaches the UI once the machines it fed have moved.
    if (f.type !== 'removed') publishChanges();
  };

  const handleFact = (f: CallFact) => {
    const id = f.callId;
    switch (f.type) {
      case 'placed':
      case 'holdRequested':
        return;
      case 'arrived':
        if (f.referredBy !== null && f.replaces === null) referredBy.set(id, f.referredBy);
        return;
      case 'replaced':
        return feedEvent(id, { type: 'incoming.replaces', at: f.at, newCallId: f.by });
      case 'ringing': {
        const owner = consultOwner(machines.values(), id);
        if (owner) feedEvent(owner.callId, { type: 'consult.ringing', at: f.at, consultCallId: id });
        const follow = follows.get(id);
        if (follow) o.backend.reportIncoming(follow.requestId, 180);
        return;
      }
      case 'answered': {
        const owner = consultOwner(machines.values(), id);
        if (owner) {
          const dialog = o.backend.dialog(id);
          if (dialog) feedEvent(owner.callId, { type: 'consult.answered', at: f.at, consultCallId: id, dialog, support: dialog.peer ?? unknownSupport });
          else log.warn('transfer: consult answered without a confirmed dialog', { callId: id });
        }
        const follow = follows.get(id);
        if (follow) {
          follows.delete(id);
          o.backend.reportIncoming(follow.requestId, 200);
          feedEvent(follow.callId, { type: 'followed.answered', at: f.at, newCallId: id });
        }
        const by = referredBy.get(id);
        referredBy.delete(id);
        const own = machines.get(id);
        if (by !== undefined && (!own || own.phase === 'idle')) {
          feedEvent(id, { type: 'incoming.transferred', at: f.at, referredBy: by, note: null });
        }
        return;
      }
      case 'held':
      case 'resumed':
        for (const legId of [...wants.keys()]) reconcile(legId);
        return;
      case 'holdFailed':
        holdFailed(id, f.wanted);
        for (const legId of [...wants.keys()]) reconcile(legId);
        return;
      case 'ended': {
        referredBy.delete(id);
        const { asCaller, asConsult } = routesFor(machines.values(), id);
        if (asConsult) {
          feedEvent(
            asConsult.callId,
            f.answered
              ? { type: 'consult.ended', at: f.at, consultCallId: id }
              : { type: 'consult.failed', at: f.at, consultCallId: id, code: f.code },
          );
        }
        const follow = follows.get(id);
        if (follow) {
          follows.delete(id);
          o.backend.reportIncoming(follow.requestId, f.code !== null && f.code >= 300 ? f.code : 487);
          feedEvent(follow.callId, { type: 'followed.failed', at: f.at, newCallId: id, code: f.code });
        }
        if (asCaller) feedEvent(id, { type: 'caller.ended', at: f.at });
        reconcile(id); // a hold someone waits for will never come: say so
        return;
      }
      case 'removed':
        return forget(id);
    }
  };

  /** The call's card is gone: its machine (once finished) and everything kept for it. */
  const forget = (callId: string) => {
    follows.delete(callId);
    referredBy.delete(callId);
    wants.delete(callId);
    pushed.delete(callId);
    const s = machines.get(callId);
    if (s?.transfer?.awaitingOutcome) {
      // A released blind transfer may still learn how it ended (a late NOTIFY): keep it, unseen.
      unshown.add(callId);
      return;
    }
    if (s && (s.phase === 'idle' || s.phase === 'done')) {
      for (const timerId of s.transfer?.timers ?? []) {
        timers.get(timerId)?.();
        timers.delete(timerId);
      }
      machines.delete(callId);
    }
  };

  const offFacts = o.calls.onFact(onFact);
  // The seed: "the transfer completes when the transferer hangs up" — the agent's hang-up on a live consult.
  const offPolicy = o.calls.useHangupPolicy((callId) => {
    // A consult the platform runs on this very leg: hanging it up completes (or, unanswered, is refused).
    const own = machines.get(callId);
    if (own?.transfer?.options.consultOnLeg && (own.phase === 'consulting' || own.phase === 'consult-dialing')) {
      feedIntent(callId, { type: 'agent.hangupConsult', at: at() });
      return 'handled';
    }
    const owner = consultOwner(machines.values(), callId);
    if (!owner || (owner.phase !== 'consulting' && owner.phase !== 'consult-dialing')) return 'hang-up';
    feedIntent(owner.callId, { type: 'agent.hangupConsult', at: at() });
    return 'handled';
  });
  const offRequests = o.backend.onIncomingRequest((request) => {
    if (!isUp(o.calls.state(request.callId))) return o.backend.refuseIncoming(request.requestId, 481);
    const user = /^sips?:([^@;]+)@/.exec(request.target)?.[1] ?? request.target;
    feedEvent(request.callId, {
      type: 'incoming.refer',
      at: at(),
      referId: request.requestId,
      target: { kind: 'uri', label: user, uri: request.target },
      policy: o.prefs().incomingRefer,
    });
  });

  // ── agent intents ──

  const refuseBusy = (blocker: string | null) => {
    if (blocker) throw new ConsoleError('busy', blocker.charAt(0).toUpperCase() + blocker.slice(1) + '.');
  };
  const requireCaller = (callId: string): CallState => {
    const c = o.calls.state(callId);
    if (!c) throw new ConsoleError('not-found', 'That call no longer exists.');
    if (c.phase !== 'established') throw new ConsoleError('not-allowed', 'Only an answered call can be transferred.');
    refuseBusy(transferBlocker(machines.values(), callId));
    return c;
  };
  const context = (c: CallState) => {
    const domain = o.domain();
    if (!domain) throw new ConsoleError('not-configured', 'Set up a SIP account in Settings before transferring.');
    return {
      transferId: `x${nextId++}-${at().toString(36)}`,
      at: at(),
      domain,
      prefs: o.prefs(),
      callerHeld: settledHeld(c),
      caller: callerFacts(c.id),
    };
  };
  const refuseUnless = (able: boolean, what: string) => {
    if (!able) throw new ConsoleError('not-allowed', `This phone system cannot ${what}.`);
  };

  return {
    // Every call the agent has, idle ones too: what each may start is part of its snapshot.
    list: () => shownIds().map((id) => snapshotOf(stateOf(id))),
    snapshot: (callId) => snapshotOf(stateOf(callId)),
    blind(req) {
      const c = requireCaller(req.callId);
      const event = blindRequestEvent(req, context(c));
      if (event.type === 'request.blind' && can().handOverEndsLeg) event.options.legEndsOnHandOver = true;
      if (event.type === 'request.blind') refuseUnless(!event.options.safe || can().safeBlind, 'keep the caller on hold during a blind transfer; use a plain blind transfer');
      return snapshotOf(feedIntent(req.callId, event));
    },
    attended(req) {
      refuseUnless(can().attended, 'consult before transferring; use a blind transfer');
      if (can().consultOnLeg) refuseUnless(req.consultCallId === undefined, 'use another of your calls as the consult; it dials the transferee onto this call itself');
      const c = requireCaller(req.callId);
      let existing: { dialog: NonNullable<ReturnType<TransferBackend['dialog']>>; label: string; support: PeerSupport } | undefined;
      if (req.consultCallId !== undefined) {
        const k = o.calls.state(req.consultCallId);
        const dialog = isUp(k) ? o.backend.dialog(req.consultCallId) : null;
        refuseBusy(transferBlocker(machines.values(), req.callId, req.consultCallId));
        if (k && dialog) existing = { dialog, label: k.remote.displayName ?? k.remote.number, support: dialog.peer ?? unknownSupport };
      }
      const event = attendedRequestEvent(req, context(c), existing);
      if (can().consultOnLeg && event.type === 'request.attended') event.options.consultOnLeg = true;
      return snapshotOf(feedIntent(req.callId, event));
    },
    intent(callId, intent) {
      if (!machines.has(callId)) throw new ConsoleError('not-allowed', 'This call has no transfer to act on.');
      if (intent === 'swap') refuseUnless(can().swap, 'switch between the caller and the consult');
      return snapshotOf(feedIntent(callId, intentEvent(intent, at())));
    },
    answerRefer(callId, follow) {
      if (!machines.has(callId)) throw new ConsoleError('not-allowed', 'No transfer request is waiting on this call.');
      return snapshotOf(feedIntent(callId, { type: 'agent.answerRefer', at: at(), follow }));
    },
    counters: () => ({ machines: machines.size, timers: timers.size, wants: wants.size }),
    dispose() {
      if (disposed) return;
      disposed = true;
      offFacts();
      offPolicy();
      offRequests();
      for (const cancel of timers.values()) cancel();
      timers.clear();
      queued.length = 0;
      machines.clear();
      unshown.clear();
      pushed.clear();
      follows.clear();
      referredBy.clear();
      wants.clear();
    },
  };
}
