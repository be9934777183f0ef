/**
 * SIP outcomes → what the agent reads. Short words the agent can act on
 * ("busy", "no answer"), the SIP code kept alongside for the timeline.
 */
import type { TransferReason } from './types';

/**
 * A final failure of the transferee's leg, from a NOTIFY sipfrag (RFC 3515
 * §2.4.5) or the consult call's final response. `null` = no response at all
 * (our own time-out).
 */
export function reasonForFailure(sipCode: number | null): TransferReason {
  switch (sipCode) {
    case null:
    case 408: // Request Timeout
    case 480: // Temporarily Unavailable (often: no answer / DND)
    case 487: // Request Terminated (the INVITE was cancelled — by a ring time-out upstream)
      return { code: 'no-answer', message: 'no answer', sipCode };
    case 486: // Busy Here
    case 600: // Busy Everywhere
      return { code: 'busy', message: 'busy', sipCode };
    case 404: // Not Found
    case 484: // Address Incomplete
    case 604: // Does Not Exist Anywhere
      return { code: 'not-found', message: 'not found', sipCode };
    case 603: // Decline
      return { code: 'declined', message: 'declined', sipCode };
    default:
      return { code: 'failed', message: `the transfer failed (SIP ${sipCode})`, sipCode };
  }
}

/**
 * The REFER itself got a final non-2xx: 403/405/501 and friends mean the
 * caller's side will not carry out a transfer. The caller is never dropped for it.
 */
export function reasonForReferRejection(sipCode: number): TransferReason {
  return { code: 'refer-refused', message: 'the other side does not accept transfers', sipCode };
}

export const transfereeHungUp: TransferReason = {
  code: 'transferee-hung-up',
  message: 'the transferee hung up',
  sipCode: null,
};

export const callerHungUp: TransferReason = {
  code: 'caller-hung-up',
  message: 'the caller hung up',
  sipCode: null,
};

export const cancelledByAgent: TransferReason = { code: 'cancelled', message: 'cancelled', sipCode: null };

export const referOffered: TransferReason = {
  code: 'refer-offered',
  message: 'the other side asks to transfer this call',
  sipCode: null,
};

export const referNotAnsweredInTime: TransferReason = {
  code: 'not-answered-in-time',
  message: 'the transfer request was not answered in time and was declined',
  sipCode: null,
};

export const anotherTransfer: TransferReason = {
  code: 'another-transfer',
  message: 'another transfer of this call is under way',
  sipCode: null,
};

/** The caller could not be put on hold, so nothing was sent: a transfer never goes out over a live caller. */
export function callerNotHeld(why: string): TransferReason {
  return { code: 'failed', message: `the caller could not be put on hold (${why})`, sipCode: null };
}
