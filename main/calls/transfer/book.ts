/**
 * Rules across the agent's transfers (pure, no I/O). Each call has its own
 * transfer machine, keyed by the call's id; a consult call is an ordinary call
 * of its own AND a leg of another call's transfer. These decide which machine
 * an event from a call goes to, and which calls may start a transfer, so
 * "one transfer per call at a time" holds across both legs.
 */
import type { TransferState } from './types';

/** Phases in which a transfer holds on to a consult leg (in the undo window: an existing call chosen as it). */
const holdsConsult = (s: TransferState) =>
  s.phase === 'consult-dialing' || s.phase === 'consulting' || s.phase === 'completing' || (s.phase === 'pending' && !!s.transfer?.consult);

const active = (s: TransferState) => s.phase !== 'idle' && s.phase !== 'done';

export interface Routes {
  /** The machine of the call itself (events about its own leg: `caller.ended`, incoming REFER…). */
  asCaller: TransferState | undefined;
  /** The machine whose consult this call is (its progress, answer, failure, BYE as `consult.*`). */
  asConsult: TransferState | undefined;
}

/** Where events of call `callId` go. A consult's BYE goes to both: `consult.ended` and its own `caller.ended`. */
export function routesFor(transfers: Iterable<TransferState>, callId: string): Routes {
  let asCaller: TransferState | undefined;
  let asConsult: TransferState | undefined;
  for (const s of transfers) {
    if (s.callId === callId) asCaller = s;
    else if (holdsConsult(s) && s.transfer?.consult?.callId === callId && s.transfer.consult.state !== 'ended') asConsult = s;
  }
  return { asCaller, asConsult };
}

/** The transfer (if any) that has `callId` as its consult leg. */
export function consultOwner(transfers: Iterable<TransferState>, callId: string): TransferState | undefined {
  return routesFor(transfers, callId).asConsult;
}

/**
 * Why call `callId` may not start a transfer now (null = it may): it has one
 * under way, or it is the consult leg of another call's transfer. With
 * `consultCallId`, the same for the existing call offered as the consult.
 */
export function transferBlocker(
  transfers: Iterable<TransferState>,
  callId: string,
  consultCallId?: string,
): string | null {
  const all = [...transfers];
  const check = (id: string, role: string): string | null => {
    const { asCaller, asConsult } = routesFor(all, id);
    if (asCaller && active(asCaller)) return `${role} already has a transfer under way`;
    if (asCaller?.phase === 'done') return `${role} has ended`;
    if (asConsult) return `${role} is the consult of another transfer`;
    return null;
  };
  return check(callId, 'this call') ?? (consultCallId === undefined ? null : check(consultCallId, 'the other call'));
}
