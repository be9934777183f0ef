/**
 * The vocabulary of the transfer machine (machine.ts): its state, the events
 * the transfer service feeds it and the effects it hands back. All plain
 * data — the machine reads no clock (every event carries `at`), starts no
 * timer (it asks for one with `timer.start` and gets `timer.fired` back),
 * holds no call (it asks the call service with `call.*`) and sends nothing
 * (a transfer backend carries out `handOver`).
 *
 * How effects are answered (the transfer service's side of the contract):
 *  - `call.hold` / `call.resume` ask the call service for that hold state;
 *    hold music comes with every hold there. Each `call.hold` is answered by
 *    `hold.settled` once the leg is held (at once if it already was) or
 *    `hold.failed`; the machine waits for it where order matters (the caller
 *    is on hold music before a safe blind's REFER or an attended consult).
 *  - `handOver` goes to the backend, whose report comes back as
 *    `refer.accepted`, `refer.rejected {code}` and `refer.notify {code}`.
 *  - `call.dialConsult` dials like calls:dial and reports the new call at once
 *    with `consult.started {transferId, consultCallId}`; that call's progress,
 *    answer (with its confirmed dialog ids), failure and BYE come back as
 *    `consult.*`. While a consult is up, the agent's hang-up on the consult leg
 *    is `agent.hangupConsult` (the call service's hang-up policy asks), not a
 *    plain hang-up: the seed says hanging up completes the transfer.
 *  - A caller leg's end (any reason) is `caller.ended`; timers fire `timer.fired`.
 *  - Transfer ids must be unique per console run (timer ids derive from them).
 */
import type {
  ResolvedTarget,
  TransferActionName,
  TransferPhaseName,
  TransferReasonCode,
  TransferStepName,
} from '../../../preload/contract/transfer';
import { IllegalTransition } from '../call/machine';

export type { ResolvedTarget };

/**
 * What one party's phone announced it can do, from the headers of its INVITE,
 * 1xx/2xx and re-INVITEs (Supported, Allow): Replaces (RFC 3891) and REFER
 * (RFC 3515). null = nothing tells (no message seen, or a backend that does
 * not know).
 */
export interface PeerSupport {
  replaces: boolean | null;
  refer: boolean | null;
}
export const unknownSupport: PeerSupport = { replaces: null, refer: null };
export type TransferPhase = TransferPhaseName;
export type TransferStep = TransferStepName;
export type TransferAction = TransferActionName;

export interface TransferReason {
  code: TransferReasonCode;
  /** Human text shown as is: "busy", "no answer", … */
  message: string;
  sipCode: number | null;
}

/** What one transfer does, resolved from preferences.transfer plus the per-transfer override. */
export interface TransferOptions {
  /** Safe blind: keep the caller held with music until NOTIFY 2xx; take back on failure. */
  safe: boolean;
  /** Undo window; 0 sends at once. */
  undoMs: number;
  /** Blind: how long to wait for NOTIFY 2xx (safe) or first progress (seed mode). */
  referTimeoutMs: number;
  /** Attended: how long to wait for NOTIFY 2xx after the REFER with Replaces. */
  completeTimeoutMs: number;
  /**
   * Attended: how long the consult may ring unanswered before the caller is taken back
   * ("no answer"). Without it a consult nobody picks up rings until the proxy gives up
   * (Kamailio: 120 s) while the caller sits on hold music. 0 disables it.
   */
  consultTimeoutMs: number;
  /**
   * After the far end reported the hand-over answered (NOTIFY 2xx), how long
   * the leg that should have been replaced may take to end before the
   * replacement counts as a new call (RFC 3891 §3: the replaced dialog ends
   * once the new one is up). Absent: REPLACE_WAIT_MS.
   */
  replaceWaitMs?: number;
  /** The backend ends our leg itself during a hand-over (its capability `handOverEndsLeg`); absent: false. */
  legEndsOnHandOver?: boolean;
  /**
   * Attended: the platform dials the transferee and bridges them onto our own
   * leg (its capability `consultOnLeg`): no consult call of ours, no SIP hold —
   * the platform plays the caller music. Complete is our leg leaving; Cancel
   * is the backend's `cancelConsult`. Absent: false.
   */
  consultOnLeg?: boolean;
}

/**
 * A confirmed dialog as seen from OUR side. `direction` matters because JsSIP
 * builds Replaces from the INVITE's From/To tags, which are swapped for an
 * incoming call (JsSIP #817); we build Replaces from local/remote instead.
 */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** The transferee's address as the consult dialog names it (its From/To identity): the base of the Refer-To. */
  remoteUri: string;
  direction: 'outgoing' | 'incoming';
  /**
   * What the far end of this dialog announced it supports (its INVITE, 1xx/2xx,
   * re-INVITEs); absent when the backend cannot tell — unknown.
   */
  peer?: PeerSupport;
}

/** RFC 3891 §3: to-tag/from-tag as the RECIPIENT of the INVITE-with-Replaces (the transferee) sees them. */
export interface ReplacesHeader {
  callId: string;
  toTag: string;
  fromTag: string;
}

export interface ConsultLeg {
  /** Null until the call service reports the consult call it started (`consult.started`). */
  callId: string | null;
  state: 'dialing' | 'ringing' | 'up' | 'ended';
  dialog: DialogId | null;
  /** The consult was one of the agent's existing calls, not dialled by us. */
  existing: boolean;
}

export interface TimelineEntry {
  step: TransferStep;
  at: number;
  sipCode: number | null;
  note: string | null;
}

export type TransferMode = 'blind' | 'attended' | 'incoming-refer' | 'incoming-replaces' | 'transferred-in';

/** The current (or last finished) transfer of one call. */
export interface Transfer {
  id: string;
  mode: TransferMode;
  /**
   * Safe blind, supervised: the console reaches the transferee on a leg of its
   * own (no microphone on it, nothing heard from it) while the caller waits on
   * music, and hands the caller over with Replaces only once that leg is
   * answered. Nothing reaches the caller before then, so nothing can fire late.
   */
  supervised: boolean;
  /** Attended turned blind: Complete came while the consult was still ringing. */
  semiAttended: boolean;
  options: TransferOptions;
  target: ResolvedTarget | null;
  undoDeadline: number | null;
  /**
   * The transfer keeps the caller on hold (it asked for the hold, or the caller
   * was already held when the transfer began): a take-back resumes the caller.
   */
  holdsCaller: boolean;
  /** What goes out once the caller's hold settled (`hold.settled`); null when nothing waits. */
  afterHold: 'handOver' | 'dialConsult' | null;
  consult: ConsultLeg | null;
  /** Which leg the agent talks to during a consult. */
  active: 'caller' | 'consult';
  /** REFER got its 2xx (202 Accepted). */
  referAccepted: boolean;
  /** Highest progress seen in NOTIFY sipfrag bodies. */
  progress: 'none' | 'dialing' | 'ringing';
  /**
   * A blind transfer let the caller go before its outcome was known (released
   * on the first progress, or the caller's side ended our leg after a 202):
   * NOTIFYs still arriving for our REFER say how it ended.
   */
  awaitingOutcome: boolean;
  /** What each phone announced it supports (from the request and the consult's answer). */
  support: { caller: PeerSupport; transferee: PeerSupport };
  /** The caller's dialog (for a REFER to the transferee naming it, RFC 5589); null when the backend has none. */
  callerDialog: DialogId | null;
  /** Which phone got the REFER with Replaces; null before one went out. */
  handedOverVia: 'caller' | 'transferee' | null;
  /**
   * The hand-over was reported answered (its NOTIFY 2xx code), or the caller's side ended our leg
   * after accepting it: waiting for the leg that should have been replaced to end.
   */
  replacedWait: { code: number | null; callerLegGone: boolean } | null;
  /** Timer ids started and neither fired nor cancelled. */
  timers: string[];
  reason: TransferReason | null;
  timeline: TimelineEntry[];
  /** Incoming REFER: its id in the call service, and the call it created when followed. */
  referId: string | null;
  followedCallId: string | null;
  /** Incoming REFER being followed after the referring dialog ended (JsSIP #556: no NOTIFY any more). */
  referrerGone: boolean;
  /** Our leg to the caller ended during a hand-over the backend ends it for; its report decides the outcome. */
  callerGone: boolean;
  /** How the agent's transfer ended (or where it stands after a refusal), set where it happens; null until then. */
  outcome: { result: TransferOutcomeResult; at: number } | null;
}

/** The end of an agent's transfer, as the agent is told it (preload/contract/transfer.ts). */
export type TransferOutcomeResult =
  | 'transferred'
  | 'new-call'
  | 'released'
  | 'caller-back'
  | 'caller-lost'
  | 'back-to-consult'
  | 'cancelled'
  | 'undone'
  | 'caller-hung-up';

export interface TransferState {
  /** The caller's leg: the call this machine belongs to. */
  callId: string;
  phase: TransferPhase;
  transfer: Transfer | null;
}

export type TransferEvent =
  // ── agent intents (validated by the contract, then fed here) ──
  | {
      type: 'request.blind';
      at: number;
      transferId: string;
      target: ResolvedTarget;
      options: TransferOptions;
      /** The caller is on hold now (read from its call); omitted = talking. */
      callerHeld?: boolean;
      /** The caller's phone and dialog as the backend knows them; omitted = unknown. */
      caller?: CallerFacts;
    }
  | {
      type: 'request.attended';
      at: number;
      transferId: string;
      target: ResolvedTarget;
      options: TransferOptions;
      callerHeld?: boolean;
      caller?: CallerFacts;
      /** Use this existing, answered call as the consult instead of dialling one. */
      existing?: { callId: string; dialog: DialogId; support?: PeerSupport };
    }
  | { type: 'agent.undo'; at: number }
  | { type: 'agent.complete'; at: number }
  | { type: 'agent.cancel'; at: number }
  | { type: 'agent.swap'; at: number }
  /** The agent pressed hang up on the consult leg: completes when both legs are up (seed). */
  | { type: 'agent.hangupConsult'; at: number }
  | { type: 'agent.answerRefer'; at: number; follow: boolean }
  // ── our REFER (RFC 3515) ──
  | { type: 'refer.accepted'; at: number; transferId: string }
  | { type: 'refer.rejected'; at: number; transferId: string; code: number }
  /** A NOTIFY's message/sipfrag status line (RFC 3515 §2.4.5); `phrase` its reason phrase, when it had one. */
  | { type: 'refer.notify'; at: number; transferId: string; code: number; phrase?: string }
  /** The REFER subscription is over without a final report (terminated, or no longer kept): no outcome will come. */
  | { type: 'refer.over'; at: number; transferId: string }
  // ── the consult call (a call of its own in the call service) ──
  | { type: 'consult.started'; at: number; transferId: string; consultCallId: string }
  | { type: 'consult.ringing'; at: number; consultCallId: string }
  /**
   * `dialog` null: a consult on our own leg (the platform's), which never completes with Replaces.
   * `support`: what the transferee's phone announced; omitted = unknown.
   */
  | { type: 'consult.answered'; at: number; consultCallId: string; dialog: DialogId | null; support?: PeerSupport }
  /** Final failure before or after answer; `code` the SIP status when there was one. */
  | { type: 'consult.failed'; at: number; consultCallId: string; code: number | null }
  /** The transferee hung up an answered consult (BYE). */
  | { type: 'consult.ended'; at: number; consultCallId: string }
  // ── the caller's leg ──
  | { type: 'caller.ended'; at: number }
  /** The answer to a `call.hold` this machine asked for: `callId` is held (with its music). */
  | { type: 'hold.settled'; at: number; callId: string }
  | { type: 'hold.failed'; at: number; callId: string; reason: string }
  // ── timers the machine asked for ──
  | { type: 'timer.fired'; at: number; timerId: string }
  // ── being the transferee ──
  /** An INVITE with Replaces naming this call (RFC 3891). */
  | { type: 'incoming.replaces'; at: number; newCallId: string }
  /** The far end REFERs this call elsewhere; `policy` is preferences.transfer.incomingRefer. */
  | { type: 'incoming.refer'; at: number; referId: string; target: ResolvedTarget; policy: 'follow' | 'ask' }
  /**
   * This (new, answered) call reached us through someone's transfer: its INVITE
   * carried Referred-By (RFC 3892). `note` is the transferer's note when the
   * platform sends one.
   */
  | { type: 'incoming.transferred'; at: number; referredBy: string | null; note: string | null }
  | { type: 'followed.started'; at: number; referId: string; newCallId: string }
  | { type: 'followed.answered'; at: number; newCallId: string }
  | { type: 'followed.failed'; at: number; newCallId: string; code: number | null };

export type TransferEventType = TransferEvent['type'];

/** The caller's side of a transfer request: what its phone supports, and its dialog. */
export interface CallerFacts {
  support: PeerSupport;
  dialog: DialogId | null;
}

export interface HistoryTransferStep {
  type: 'history.transferStep';
  callId: string;
  transferId: string;
  mode: TransferMode;
  step: TransferStep;
  at: number;
  target: string | null;
  sipCode: number | null;
  note: string | null;
}

export type TransferEffect =
  /**
   * Hand `callId`'s far end over to the target (SIP: REFER on its dialog).
   * `referTo` is the complete target URI (with `?Replaces=` already escaped
   * when attended); the SIP backend passes it to JsSIP's `refer(referTo)`
   * WITHOUT its `replaces` option (JsSIP #817).
   */
  | {
      type: 'handOver';
      /** The caller's leg: the transfer this hand-over belongs to, whose machine hears its reports. */
      callId: string;
      /** The leg the REFER goes out on when it is not the caller's: the transferee's (RFC 5589, the other direction). */
      on?: string;
      transferId: string;
      target: ResolvedTarget;
      referTo: string;
      replaces?: ReplacesHeader;
    }
  /** BYE (or CANCEL while ringing). A no-op on a call that already ended. */
  | { type: 'sip.hangup'; callId: string }
  /**
   * The leg should be on hold (with music) / talking. Idempotent: nothing is
   * sent for a leg already in that state. A resume holds the call the agent
   * talks on first, so exactly one leg is ever unheld.
   */
  | { type: 'call.hold'; callId: string }
  | { type: 'call.resume'; callId: string }
  /** Start a new outgoing call to `target`; report it with `consult.started {transferId}`. */
  | {
      type: 'call.dialConsult';
      callerCallId: string;
      transferId: string;
      target: ResolvedTarget;
      /** A supervised safe blind's leg: dialled without the agent's microphone, sending only, unheard. */
      supervised: boolean;
    }
  /** Ask the backend to dial the transferee onto the caller's own leg (`consultOnLeg`); reported as consult.* events. */
  | { type: 'platform.consult'; callId: string; transferId: string; target: ResolvedTarget }
  /** Hang up the platform's consult (the transferee's call); the platform gives the caller back to our leg. */
  | { type: 'platform.cancelConsult'; callId: string; transferId: string }
  /** Fire `timer.fired {timerId}` into this call's machine after `ms`. Dies with the call. */
  | { type: 'timer.start'; callId: string; timer: { id: string; ms: number } }
  | { type: 'timer.cancel'; callId: string; timer: { id: string } }
  | HistoryTransferStep
  | { type: 'notify.agent'; callId: string; reason: TransferReason }
  | { type: 'media.cue'; kind: 'transfer-complete'; callId: string }
  /** Being the transferee: answer `newCallId` (INVITE with Replaces) in place of `replacesCallId`. */
  | { type: 'sip.acceptReplaces'; newCallId: string; replacesCallId: string }
  /** Final response to an INVITE we will not take. */
  | { type: 'sip.reject'; callId: string; code: number }
  /** Follow the far end's REFER (JsSIP `refer` event `accept()`); report the new call with `followed.started`. */
  | { type: 'sip.acceptRefer'; callId: string; referId: string }
  | { type: 'sip.rejectRefer'; callId: string; referId: string; code: number };

export type TransferEffectType = TransferEffect['type'];

export interface TransferTransition {
  state: TransferState;
  effects: TransferEffect[];
}

/** Why an agent intent was refused; the service maps it to ConsoleError('not-allowed', message). */
export type RefusalCode =
  | 'no-transfer' // nothing to act on
  | 'no-offer' // no REFER from the far end is waiting for the agent
  | 'incoming-transfer' // the far end is transferring this call (REFER offered or followed)
  | 'transfer-in-progress' // one transfer per call at a time
  | 'undo-too-late' // the REFER or the consult already went out
  | 'not-consulting' // swap/cancel/complete need a consult
  | 'refer-in-flight' // the REFER is out; only its answer can end it
  | 'still-reaching' // a safe blind is still reaching the transferee: only Cancel applies
  | 'caller-would-drop' // leaving now would make the platform drop the caller (a consult on our leg, unanswered)
  | 'one-leg' // a consult on our own leg: no second leg to swap to
  | 'call-ended';

/**
 * An illegal move, named `from → event` like the call machine's (whose class
 * it extends, so the call service catches both the same way), plus a refusal
 * code and a sentence for the agent.
 */
export class IllegalTransferTransition extends IllegalTransition {
  constructor(
    from: TransferPhase,
    event: TransferEventType,
    readonly refusal: RefusalCode,
    readonly detail: string,
  ) {
    super(from, event);
    this.message = `illegal transfer transition: ${from} → ${event} (${refusal}: ${detail})`;
    this.name = 'IllegalTransferTransition';
  }
}
