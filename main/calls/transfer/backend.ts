/**
 * The transfer backend port: how a decided transfer reaches the network. The
 * transfer machine decides (undo window, safe blind, take-back, swap,
 * semi-attended); a backend only carries out the hand-over and reports back,
 * as events the machine reads (`refer.accepted`, `refer.rejected`,
 * `refer.notify`). The SIP backend (main/sip/transfer-backend.ts) does it
 * with REFER, Replaces and NOTIFY (RFC 3515, 3891); a platform's REST API can
 * do it without touching the machine. What a backend cannot do it declares in
 * `capabilities`; the service then leaves those actions out of
 * `allowedActions` and refuses the request with a typed error.
 * See docs/transfers.md, "Backends".
 */
import type { DialogId } from './types';

/** What the agent may ask of this backend beyond a plain blind transfer. */
export interface TransferCapabilities {
  /** Hold the caller until the transferee answers; take the caller back on failure. */
  safeBlind: boolean;
  /** Consult first, then complete (the caller's leg replaced by the consult's). */
  attended: boolean;
  /** Talk to either leg during a consult. */
  swap: boolean;
  /** Follow (or offer the agent) the far end's own transfer of a call. */
  incomingRefer: boolean;
  /**
   * The platform ends our leg itself while it takes the call over, possibly
   * before it confirms the hand-over: that end is not the caller hanging up.
   * Absent: false (SIP: the caller's side ends our leg only after a 202, if at all).
   */
  handOverEndsLeg?: boolean;
  /**
   * Attended transfers are the platform's own: it dials the transferee onto
   * our leg (the caller on its music, muted), we complete by leaving the
   * call, and cancel through `cancelConsult`. Needs `consultOnLeg` and
   * `cancelConsult`. Absent: false (SIP: a consult call of ours, Replaces).
   */
  consultOnLeg?: boolean;
}

/** How the platform's consult on our own leg goes, in the order it happens. */
export interface ConsultReport {
  /** The platform took the request and dials the transferee. */
  accepted(): void;
  /** The platform refused the request, with a SIP-like status (403 no permission, 404 call gone, 408 no answer to the request, 500 …). */
  rejected(code: number): void;
  ringing(): void;
  answered(): void;
  /** The transferee's call ended unanswered: busy 486, no answer 480, time-out 408, cancelled 487, failed 500. */
  failed(code: number | null): void;
  /** The transferee hung up after answering; the platform gives the caller back to our leg. */
  ended(): void;
}

/** How the network answers one hand-over, in the order it happens. */
export interface HandOverReport {
  /** The far end took the request (SIP: 2xx to the REFER). */
  accepted(): void;
  /** The far end refused it, with the status (SIP: a final non-2xx, or 408 when none came). */
  rejected(code: number): void;
  /**
   * Progress towards the transferee as a SIP status code (SIP: a NOTIFY's message/sipfrag), with the
   * far end's own words for it when it gave some (its reason phrase).
   */
  progress(code: number, phrase?: string): void;
  /**
   * No further report will come, though no final progress did (SIP: the REFER
   * subscription was terminated, or the console stopped keeping it after our
   * BYE). Optional: a backend whose reports always end on a final one never calls it.
   */
  finished?(): void;
}

/** The far end asks us to transfer one of our calls (SIP: an incoming REFER). */
export interface IncomingTransferRequest {
  callId: string;
  /** Names this request in `reportIncoming` / `refuseIncoming`. */
  requestId: string;
  /** Where to: a SIP URI without headers. */
  target: string;
}

export interface TransferBackend {
  readonly capabilities: TransferCapabilities;
  /**
   * Hand `callId`'s far end over to `referTo`: the complete target URI,
   * with `?Replaces=…` already escaped for an attended completion. Throws
   * when the call cannot carry a transfer (no confirmed dialog any more).
   * `callId` is whichever leg gets the request: usually the caller's, the
   * transferee's when the completion goes the other way (RFC 5589).
   */
  handOver(callId: string, referTo: string, report: HandOverReport): void;
  /**
   * The call's confirmed dialog as seen from our side (for Replaces), with what
   * its far end announced it supports (SIP: Supported and Allow of its INVITE,
   * 1xx/2xx and re-INVITEs; absent: not known — the transfer machine then
   * completes as it always has); null before it is confirmed.
   */
  dialog(callId: string): DialogId | null;
  onIncomingRequest(listener: (request: IncomingTransferRequest) => void): () => void;
  /** How following an incoming request goes (SIP: a NOTIFY sipfrag; a final code ends it). */
  reportIncoming(requestId: string, code: number): void;
  /** Refuse an incoming request (SIP: NOTIFY with the code, subscription terminated). */
  refuseIncoming(requestId: string, code: number): void;
  /** With `consultOnLeg`: ask the platform to dial `target` onto `callId`'s own leg. */
  consultOnLeg?(callId: string, target: string, report: ConsultReport): void;
  /** With `consultOnLeg`: hang up the platform's consult of `callId` (the caller comes back to our leg). */
  cancelConsult?(callId: string): void;
  dispose(): void;
}

/** Everything a full SIP stack can do. */
export const allCapabilities: TransferCapabilities = { safeBlind: true, attended: true, swap: true, incomingRefer: true };
