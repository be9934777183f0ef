/**
 * The transfer executor: owns one transfer machine per call (transfer-machine.ts,
 * routed across calls by transfer-book.ts), feeds it the agent's intents, the
 * calls' changes and the SIP events of our REFERs, and executes its effects
 * through narrow ports — the call service (hold, resume, hang up, dial, answer)
 * and the SIP transfer port (main/sip/refer-port.ts: REFER, dialogs, hold music,
 * incoming REFER / Replaces). Pure TypeScript: no JsSIP, no Node timers (the
 * injected Clock), no I/O.
 *
 * Ordering (transfer-types.ts, "Executing the effects"): effects that touch the
 * wire run one after another on ONE queue, each waiting until the call service
 * shows it settled — a hold is done when its re-INVITE is answered, and only
 * then does the music go on (JsSIP's hold disables whatever track the sender
 * carries at that moment; TESTING.md), the REFER go out, or the consult be
 * dialled. Resume is the mirror: microphone back first, then the unhold. So
 * "exactly one leg unheld" holds at every instant, not only at the end.
 * The music itself is the call service's: every local hold gets it, in that
 * order, inside the hold (holdPending covers re-INVITE + music). So the
 * machine's `media.holdMusic` on waits until the held leg's music settled, and
 * off needs nothing — the resume (`sip.unhold`) or the hang-up that follows it
 * takes the music off. One code path touches the sender, never two.
 * Bookkeeping effects (timeline/history, timers, notices) run at once.
 */
import type { CallSnapshot, Preferences, TransferSnapshot } from '../../../preload/contract';
import { ConsoleError } from '../../../preload/contract/result';
import type { TransferStepEvent } from '../../history/recorder';
import type { Logger } from '../../logging/logger';
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
import type { DialogId, TransferEffect, TransferEvent, TransferState } from './types';
import { IllegalTransferTransition } from './types';
import type { Clock } from '../call/ports';

export type { DialogId };

/** The call service as transfers need it (a subset of CallService plus its change feed). */
export interface TransferCalls {
  list(): CallSnapshot[];
  /** Every full snapshot list the call service publishes, in order. */
  onChanged(listener: (calls: CallSnapshot[]) => void): () => void;
  hold(callId: string): void;
  unhold(callId: string): void;
  swap(callId: string): void;
  hangup(callId: string): void;
  answer(callId: string): void;
  decline(callId: string, code: 486 | 603): void;
  dial(target: string): CallSnapshot;
}

export interface ReferHandlers {
  /** 2xx to the REFER. */
  accepted(): void;
  /** Final non-2xx to the REFER (or none: 408). */
  rejected(code: number): void;
  /** A NOTIFY's sipfrag status code. */
  notify(code: number): void;
}

export interface IncomingReferOffer {
  callId: string;
  referId: string;
  /** Refer-To without headers. */
  referTo: string;
}

/** The SIP side of transfers (main/sip/refer-port.ts). */
export interface TransferSipPort {
  /** REFER on the call's dialog with this exact Refer-To URI. Throws when the dialog cannot carry one. */
  refer(callId: string, referTo: string, handlers: ReferHandlers): void;
  /** The call's confirmed dialog as seen from our side; null before it is confirmed. */
  dialog(callId: string): DialogId | null;
  cue(): void;
  /** Referred-By of an incoming call's INVITE (RFC 3892), or null. */
  referredBy(callId: string): string | null;
  onIncomingRefer(listener: (offer: IncomingReferOffer) => void): () => void;
  /** An INVITE with Replaces for `replacedCallId` arrived as the new call `newCallId`. */
  onReplaces(listener: (replacedCallId: string, newCallId: string) => void): () => void;
  /** NOTIFY sipfrag for a REFER we follow. */
  referProgress(referId: string, code: number): void;
  rejectRefer(referId: string, code: number): void;
}

export interface TransferServiceOptions {
  calls: TransferCalls;
  sip: TransferSipPort;
  clock: Clock;
  recorder: { transferStep(e: TransferStepEvent): void } | null;
  prefs: () => Preferences['transfer'];
  domain: () => string | null;
  publish: (snapshot: TransferSnapshot) => void;
  /** Tell the agent why a transfer did not go through (the snapshot carries it too). */
  tell?: (callId: string, message: string) => void;
  log: Logger;
  /** How long to wait for a hold/resume or an answer to settle before moving on. */
  settleMs?: number;
}

export interface TransferService {
  list(): TransferSnapshot[];
  snapshot(callId: string): TransferSnapshot;
  blind(req: BlindRequest): TransferSnapshot;
  attended(req: AttendedRequest): TransferSnapshot;
  intent(callId: string, intent: TransferIntent): TransferSnapshot;
  answerRefer(callId: string, follow: boolean): TransferSnapshot;
  /**
   * The agent pressed hang up on `callId`: if it is a live consult, that completes
   * the transfer (the seed: "the transfer completes when the transferer hangs up")
   * and the call service must not hang it up itself. Returns true when taken.
   */
  interceptHangup(callId: string): boolean;
  /** Resolves when every queued wire effect ran (tests, benchmarks). */
  idle(): Promise<void>;
  counters(): { machines: number; timers: number };
  dispose(): void;
}

const live = (c: CallSnapshot | undefined) => !!c && c.state !== 'ended';
const isUp = (c: CallSnapshot | undefined) => !!c && c.state === 'established';
const ringingStates = new Set(['ringing', 'early-media']);

export function createTransferService(o: TransferServiceOptions): TransferService {
  const log = o.log;
  const settleMs = o.settleMs ?? 25_000;
  const machines = new Map<string, TransferState>();
  const timers = new Map<string, () => void>();
  const seen = new Map<string, CallSnapshot>();
  /** Calls we dialled to follow a far end's REFER: new call → { referId, the referred call }. */
  const follows = new Map<string, { referId: string; callId: string }>();
  /** Incoming REFERs waiting for the machine: referId → Refer-To. */
  const referTargets = new Map<string, string>();
  const waiters = new Set<() => void>();
  let queue: Promise<void> = Promise.resolve();
  let disposed = false;
  let nextId = 1;

  const callOf = (id: string) => o.calls.list().find((c) => c.id === id);
  const snapshotOf = (s: TransferState) => toTransferSnapshot(s);

  /** Resolves once `ok()` holds after a call-list change (or at once), or after settleMs. */
  const until = (ok: () => boolean, what: string): Promise<void> =>
    new Promise((resolve) => {
      if (ok()) return resolve();
      let cancel = () => {};
      const check = () => {
        if (!ok()) return;
        waiters.delete(check);
        cancel();
        resolve();
      };
      cancel = o.clock.setTimeout(() => {
        waiters.delete(check);
        log.warn('transfer: gave up waiting', { what });
        resolve();
      }, settleMs);
      waiters.add(check);
    });

  // ── feeding machines ──

  const record = (s: TransferState, e: Extract<TransferEffect, { type: 'history.transferStep' }>) => {
    if (!o.recorder) return;
    const safe = s.transfer?.options.safe ?? false;
    const mode = e.mode === 'attended' || e.mode === 'incoming-replaces' ? 'attended' : e.mode === 'blind' && safe ? 'safe-blind' : 'blind';
    // History's vocabulary has no 'offered'/'declined': the note keeps what happened.
    const step = e.step === 'offered' ? 'requested' : e.step === 'declined' ? 'cancelled' : e.step;
    const detail = e.step === 'offered' || e.step === 'declined' || (e.mode !== 'blind' && e.mode !== 'attended') ? [e.mode, e.step, e.note].filter(Boolean).join(': ') : e.note;
    o.recorder.transferStep({ callId: e.callId, transferId: e.transferId, step, mode, target: e.target ?? '', sipCode: e.sipCode, detail, at: e.at });
  };

  const historyExtra = (callId: string, step: 'refer-sent' | 'accepted', sipCode: number | null) => {
    const s = machines.get(callId);
    const t = s?.transfer;
    if (!o.recorder || !s || !t) return;
    const mode = t.mode === 'attended' ? 'attended' : t.options.safe ? 'safe-blind' : 'blind';
    o.recorder.transferStep({ callId, transferId: t.id, step, mode, target: t.target?.uri ?? '', sipCode, detail: null, at: o.clock.now() });
  };

  /** Agent intents: a refusal throws (typed). */
  const feedIntent = (callId: string, event: TransferEvent): TransferState => {
    try {
      return feed(callId, event);
    } catch (e) {
      throw refusalToConsoleError(e);
    }
  };

  /** SIP/timer events: the network may say things no edge exists for; never crash main on it. */
  const feedEvent = (callId: string, event: TransferEvent) => {
    try {
      feed(callId, event);
    } catch (e) {
      if (!(e instanceof IllegalTransferTransition)) throw e;
      log.warn('transfer: event with no transition', { callId, error: e.message });
    }
  };

  const feed = (callId: string, event: TransferEvent): TransferState => {
    const before = machines.get(callId) ?? createTransferState(callId);
    const t = transition(before, event);
    machines.set(callId, t.state);
    for (const effect of t.effects) execute(t.state, effect);
    if (t.state !== before) o.publish(snapshotOf(t.state));
    return t.state;
  };

  const execute = (s: TransferState, effect: TransferEffect) => {
    switch (effect.type) {
      case 'history.transferStep':
        return record(s, effect);
      case 'timer.start': {
        const { id, ms } = effect.timer;
        timers.get(id)?.();
        const callId = effect.callId;
        timers.set(
          id,
          o.clock.setTimeout(() => {
            timers.delete(id);
            feedEvent(callId, { type: 'timer.fired', at: o.clock.now(), timerId: id });
          }, ms),
        );
        return;
      }
      case 'timer.cancel':
        timers.get(effect.timer.id)?.();
        timers.delete(effect.timer.id);
        return;
      case 'notify.agent':
        log.info('transfer: agent told', { callId: effect.callId, reason: effect.reason.code });
        o.tell?.(effect.callId, `Transfer: ${effect.reason.message}`);
        return;
      case 'media.cue':
        o.sip.cue();
        return;
      case 'sip.hold':
      case 'sip.unhold':
      case 'media.holdMusic':
      case 'sip.hangup':
      case 'sip.refer':
      case 'call.dialConsult':
      case 'sip.acceptReplaces':
      case 'sip.reject':
      case 'sip.acceptRefer':
      case 'sip.rejectRefer':
        enqueue(effect);
    }
  };

  const enqueue = (effect: TransferEffect) => {
    queue = queue
      .then(() => (disposed ? undefined : wire(effect)))
      .catch((e: unknown) => log.error('transfer: effect failed', { effect: effect.type, error: String(e) }));
  };

  const quietly = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      log.info(`transfer: ${what} skipped`, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const settled = (id: string) => () => {
    const c = callOf(id);
    return !live(c) || !c!.holdPending;
  };

  const wire = async (effect: TransferEffect): Promise<void> => {
    switch (effect.type) {
      case 'sip.hold': {
        const c = callOf(effect.callId);
        if (!isUp(c) || c!.hold.local) return;
        await until(settled(effect.callId), 'hold slot');
        quietly('hold', () => o.calls.hold(effect.callId));
        await until(settled(effect.callId), `hold of ${effect.callId}`);
        return;
      }
      case 'sip.unhold': {
        await until(settled(effect.callId), 'resume slot');
        const c = callOf(effect.callId);
        if (!isUp(c) || !c!.hold.local) return;
        // The call service calls resuming next to a talking call a swap (it holds the other first).
        if (c!.allowedActions.includes('unhold')) quietly('resume', () => o.calls.unhold(effect.callId));
        else quietly('swap', () => o.calls.swap(effect.callId));
        await until(settled(effect.callId), `resume of ${effect.callId}`);
        return;
      }
      case 'media.holdMusic': {
        // The call service plays music on every local hold (and stops it on resume or end).
        if (!effect.on || !isUp(callOf(effect.callId))) return;
        await until(settled(effect.callId), 'hold music');
        const c = callOf(effect.callId);
        if (isUp(c) && c!.hold.local && typeof c!.holdAudio !== 'object') log.warn('transfer: the held leg has no music', { callId: effect.callId });
        return;
      }
      case 'sip.hangup':
        if (live(callOf(effect.callId))) quietly('hang-up', () => o.calls.hangup(effect.callId));
        return;
      case 'sip.refer': {
        const { callId, transferId } = effect;
        await until(settled(callId), 'hold before REFER');
        historyExtra(callId, 'refer-sent', null);
        const at = () => o.clock.now();
        try {
          o.sip.refer(callId, effect.referTo, {
            accepted: () => {
              historyExtra(callId, 'accepted', 202);
              feedEvent(callId, { type: 'refer.accepted', at: at(), transferId });
            },
            rejected: (code) => feedEvent(callId, { type: 'refer.rejected', at: at(), transferId, code }),
            notify: (code) => feedEvent(callId, { type: 'refer.notify', at: at(), transferId, code }),
          });
        } catch (e) {
          log.warn('transfer: REFER not sent', { callId, error: String(e) });
          feedEvent(callId, { type: 'refer.rejected', at: at(), transferId, code: 500 });
        }
        return;
      }
      case 'call.dialConsult': {
        const { callerCallId, transferId } = effect;
        try {
          const consult = o.calls.dial(effect.target.uri);
          feedEvent(callerCallId, { type: 'consult.started', at: o.clock.now(), transferId, consultCallId: consult.id });
          // The dial may already have failed synchronously (its snapshot came before the machine knew it).
          onCalls(o.calls.list());
        } catch (e) {
          log.warn('transfer: consult not dialled', { error: String(e) });
          const consultCallId = `undialled:${transferId}`;
          feedEvent(callerCallId, { type: 'consult.started', at: o.clock.now(), transferId, consultCallId });
          feedEvent(callerCallId, { type: 'consult.failed', at: o.clock.now(), consultCallId, code: null });
        }
        return;
      }
      case 'sip.acceptReplaces':
        await until(() => live(callOf(effect.newCallId)), 'replacing call');
        // Hang the replaced leg up first: answering next to a talking call would hold it (a
        // pointless re-INVITE towards the party that is being replaced).
        if (live(callOf(effect.replacesCallId))) quietly('hang-up of the replaced call', () => o.calls.hangup(effect.replacesCallId));
        if (callOf(effect.newCallId)?.allowedActions.includes('answer')) quietly('answer', () => o.calls.answer(effect.newCallId));
        return;
      case 'sip.reject':
        await until(() => live(callOf(effect.callId)), 'call to reject');
        if (callOf(effect.callId)?.allowedActions.includes('decline')) {
          quietly('decline', () => o.calls.decline(effect.callId, effect.code === 486 ? 486 : 603));
        }
        return;
      case 'sip.acceptRefer': {
        const uri = referTargets.get(effect.referId);
        referTargets.delete(effect.referId);
        try {
          if (!uri) throw new Error('no Refer-To');
          const followed = o.calls.dial(uri);
          follows.set(followed.id, { referId: effect.referId, callId: effect.callId });
          feedEvent(effect.callId, { type: 'followed.started', at: o.clock.now(), referId: effect.referId, newCallId: followed.id });
          onCalls(o.calls.list());
        } catch (e) {
          log.warn('transfer: REFER not followed', { error: String(e) });
          o.sip.referProgress(effect.referId, 503);
          feedEvent(effect.callId, { type: 'followed.failed', at: o.clock.now(), newCallId: 'undialled', code: 503 });
        }
        return;
      }
      case 'sip.rejectRefer':
        referTargets.delete(effect.referId);
        o.sip.rejectRefer(effect.referId, effect.code);
        return;
      case 'history.transferStep':
      case 'timer.start':
      case 'timer.cancel':
      case 'notify.agent':
      case 'media.cue':
        return; // bookkeeping: done at once in execute()
    }
  };

  // ── the calls' changes → machine events ──

  const onCalls = (list: CallSnapshot[]) => {
    if (disposed) return;
    const at = o.clock.now();
    const states = () => machines.values();
    for (const c of list) {
      const prev = seen.get(c.id);
      if (prev === c) continue;
      seen.set(c.id, c);
      const was = prev?.state;
      const follow = follows.get(c.id);
      if (ringingStates.has(c.state) && !ringingStates.has(was ?? '')) {
        const owner = consultOwner(states(), c.id);
        if (owner) feedEvent(owner.callId, { type: 'consult.ringing', at, consultCallId: c.id });
        if (follow) o.sip.referProgress(follow.referId, 180);
      }
      if (c.state === 'established' && was !== 'established') {
        const owner = consultOwner(states(), c.id);
        if (owner) {
          const dialog = o.sip.dialog(c.id);
          if (dialog) feedEvent(owner.callId, { type: 'consult.answered', at, consultCallId: c.id, dialog });
          else log.warn('transfer: consult answered without a confirmed dialog', { callId: c.id });
        }
        if (follow) {
          o.sip.referProgress(follow.referId, 200);
          feedEvent(follow.callId, { type: 'followed.answered', at, newCallId: c.id });
          follows.delete(c.id);
        }
        if (c.direction === 'incoming') {
          const by = o.sip.referredBy(c.id);
          const own = machines.get(c.id);
          // A call that replaced one of ours already had its cue (incoming.replaces): one cue, not two.
          const replaced = [...machines.values()].some((m) => m.transfer?.id === `replaces:${c.id}`);
          if (by !== null && !replaced && (!own || own.phase === 'idle')) {
            feedEvent(c.id, { type: 'incoming.transferred', at, referredBy: by.replace(/^<|>$/g, ''), note: null });
          }
        }
      }
      if (c.state === 'ended' && was !== 'ended') {
        const { asCaller, asConsult } = routesFor(states(), c.id);
        if (asConsult) {
          const answered = c.answeredAt !== null;
          feedEvent(
            asConsult.callId,
            answered
              ? { type: 'consult.ended', at, consultCallId: c.id }
              : { type: 'consult.failed', at, consultCallId: c.id, code: c.ended?.code ?? null },
          );
        }
        if (follow) {
          o.sip.referProgress(follow.referId, c.ended?.code && c.ended.code >= 300 ? c.ended.code : 487);
          feedEvent(follow.callId, { type: 'followed.failed', at, newCallId: c.id, code: c.ended?.code ?? null });
          follows.delete(c.id);
        }
        if (asCaller) feedEvent(c.id, { type: 'caller.ended', at });
      }
    }
    // Calls gone from the list (their card was dismissed): forget them and their machines.
    const ids = new Set(list.map((c) => c.id));
    for (const id of [...seen.keys()]) {
      if (ids.has(id)) continue;
      seen.delete(id);
      follows.delete(id);
      const s = machines.get(id);
      if (s && (s.phase === 'idle' || s.phase === 'done')) {
        for (const timerId of s.transfer?.timers ?? []) {
          timers.get(timerId)?.();
          timers.delete(timerId);
        }
        machines.delete(id);
      }
    }
    for (const w of [...waiters]) w();
  };

  const offCalls = o.calls.onChanged(onCalls);
  const offRefer = o.sip.onIncomingRefer((offer) => {
    const c = callOf(offer.callId);
    if (!isUp(c)) return o.sip.rejectRefer(offer.referId, 481);
    referTargets.set(offer.referId, offer.referTo);
    const user = /^sips?:([^@;]+)@/.exec(offer.referTo)?.[1] ?? offer.referTo;
    feedEvent(offer.callId, {
      type: 'incoming.refer',
      at: o.clock.now(),
      referId: offer.referId,
      target: { kind: 'uri', label: user, uri: offer.referTo },
      policy: o.prefs().incomingRefer,
    });
  });
  const offReplaces = o.sip.onReplaces((replacedCallId, newCallId) => {
    feedEvent(replacedCallId, { type: 'incoming.replaces', at: o.clock.now(), newCallId });
  });

  // ── agent intents ──

  const requireCaller = (callId: string): CallSnapshot => {
    const c = callOf(callId);
    if (!c) throw new ConsoleError('not-found', 'That call no longer exists.');
    if (c.state !== 'established') throw new ConsoleError('not-allowed', 'Only an answered call can be transferred.');
    const blocker = transferBlocker(machines.values(), callId);
    if (blocker) throw new ConsoleError('busy', blocker.charAt(0).toUpperCase() + blocker.slice(1) + '.');
    return c;
  };
  const context = (c: CallSnapshot) => {
    const domain = o.domain();
    if (!domain) throw new ConsoleError('not-configured', 'Set up a SIP account in Settings before transferring.');
    return {
      transferId: `x${nextId++}-${o.clock.now().toString(36)}`,
      at: o.clock.now(),
      domain,
      prefs: o.prefs(),
      caller: { held: c.hold.local, music: typeof c.holdAudio === 'object' },
    };
  };

  const snapshot = (callId: string) => snapshotOf(machines.get(callId) ?? createTransferState(callId));

  return {
    list: () => [...machines.values()].map(snapshotOf),
    snapshot,
    blind(req) {
      const c = requireCaller(req.callId);
      return snapshotOf(feedIntent(req.callId, blindRequestEvent(req, context(c))));
    },
    attended(req) {
      const c = requireCaller(req.callId);
      let existing: ({ dialog: DialogId; label: string } & { held: boolean; music: boolean }) | undefined;
      if (req.consultCallId !== undefined) {
        const k = callOf(req.consultCallId);
        const dialog = isUp(k) ? o.sip.dialog(req.consultCallId) : null;
        const blocker = transferBlocker(machines.values(), req.callId, req.consultCallId);
        if (blocker) throw new ConsoleError('busy', blocker.charAt(0).toUpperCase() + blocker.slice(1) + '.');
        if (k && dialog) existing = { dialog, label: k.remote.displayName ?? k.remote.number, held: k.hold.local, music: typeof k.holdAudio === 'object' };
      }
      return snapshotOf(feedIntent(req.callId, attendedRequestEvent(req, context(c), existing)));
    },
    intent(callId, intent) {
      if (!machines.has(callId)) throw new ConsoleError('not-allowed', 'This call has no transfer to act on.');
      return snapshotOf(feedIntent(callId, intentEvent(intent, o.clock.now())));
    },
    answerRefer(callId, follow) {
      if (!machines.has(callId)) throw new ConsoleError('not-allowed', 'No transfer request is waiting on this call.');
      return snapshotOf(feedIntent(callId, { type: 'agent.answerRefer', at: o.clock.now(), follow }));
    },
    interceptHangup(callId) {
      const owner = consultOwner(machines.values(), callId);
      if (!owner || (owner.phase !== 'consulting' && owner.phase !== 'consult-dialing')) return false;
      feedIntent(owner.callId, { type: 'agent.hangupConsult', at: o.clock.now() });
      return true;
    },
    idle: async () => {
      let current: Promise<void>;
      do {
        current = queue;
        await current;
      } while (current !== queue);
    },
    counters: () => ({ machines: machines.size, timers: timers.size }),
    dispose() {
      if (disposed) return;
      disposed = true;
      offCalls();
      offRefer();
      offReplaces();
      for (const cancel of timers.values()) cancel();
      timers.clear();
      for (const w of [...waiters]) w();
      waiters.clear();
      machines.clear();
      seen.clear();
      follows.clear();
    },
  };
}
