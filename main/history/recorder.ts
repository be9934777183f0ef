/**
 * The port the call service (main/calls/call/service.ts) records through, one
 * method per thing that happens to a call, called AS it happens — not once at
 * the end — so a crash mid-call still leaves the call in history (marked
 * `interrupted` when the database is next opened).
 *
 * `callId` is the call service's own id for the call. Times are epoch ms from
 * the service's injected clock. Every method is its own small transaction,
 * committed before it returns: one event, one commit, which is the rate the
 * console writes at.
 *
 * Words (directions, who ended a call, transfer steps and modes) are the
 * call and transfer services' own, stored as they are (preload/contract/history.ts).
 *
 * Methods throw `ConsoleError` ('not-found' for an unknown callId, 'storage'
 * when the disk refuses); `safeRecorder()` wraps a recorder so a history
 * failure is logged and never breaks a live call.
 */
import type {
  CallDirection,
  CallOutcome,
  EndedBy,
  RecordedTransferStepKind,
  TransferMode,
} from '../../preload/contract/history';
import type { Logger } from '../logging/logger';

export interface CallStartedEvent {
  callId: string;
  direction: CallDirection;
  /** Our line (AOR) the call is on, e.g. sip:1001@pbx.example.com. */
  localLine: string;
  remote: { number?: string | null; uri?: string | null; displayName?: string | null };
  queue?: string | null;
  at: number;
  /**
   * An incoming call that arrived by transfer: who transferred it, as the call
   * snapshot names them. Stored made safe (./transferrer.ts): hostile text is
   * cleaned or cut, an unusable URI left out — the call is recorded either way.
   */
  transferredBy?: { number?: string | null; uri?: string | null; displayName?: string | null } | null;
}

export interface CallEndedEvent {
  callId: string;
  at: number;
  outcome: Exclude<CallOutcome, 'interrupted'>;
  endedBy: EndedBy;
  sipCode?: number | null;
  sipReason?: string | null;
}

/** Mirrors the call snapshot's `holdAudio`: what the caller hears while held. */
export type HoldAudio = 'you' | 'silence' | { music: string };

export interface TransferStepEvent {
  callId: string;
  /** Groups the steps of one transfer attempt (a call may have several). */
  transferId: string;
  /** The transfer machine's step as it named it, or the executor's `refer-sent` / `accepted`. */
  step: RecordedTransferStepKind;
  mode: TransferMode;
  target: string;
  sipCode?: number | null;
  detail?: string | null;
  at: number;
}

export interface CallRecorder {
  callStarted(event: CallStartedEvent): void;
  callAnswered(callId: string, at: number): void;
  callEnded(event: CallEndedEvent): void;
  holdStarted(callId: string, at: number, heard: HoldAudio): void;
  holdEnded(callId: string, at: number): void;
  transferStep(event: TransferStepEvent): void;
}

/** A recorder that logs and swallows history failures: a full disk must not drop a live call. */
export function safeRecorder(inner: CallRecorder, log: Logger): CallRecorder {
  const guard =
    <A extends unknown[]>(name: string, fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch (e) {
        log.error(`history: ${name} not recorded`, { error: String(e) });
      }
    };
  return {
    callStarted: guard('callStarted', (e) => inner.callStarted(e)),
    callAnswered: guard('callAnswered', (id, at) => inner.callAnswered(id, at)),
    callEnded: guard('callEnded', (e) => inner.callEnded(e)),
    holdStarted: guard('holdStarted', (id, at, heard) => inner.holdStarted(id, at, heard)),
    holdEnded: guard('holdEnded', (id, at) => inner.holdEnded(id, at)),
    transferStep: guard('transferStep', (e) => inner.transferStep(e)),
  };
}
