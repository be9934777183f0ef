/**
 * The IPC requests of preload/contract/transfer.ts → transfer machine events,
 * and the machine's refusals → typed IPC errors. Pure: whatever the call
 * service knows (the clock, the account's domain, the caller's hold, an
 * existing call's dialog) comes in as a context, so the service's handlers
 * stay one line each.
 */
import type { z } from 'zod';
import { ConsoleError } from '../../../preload/contract/result';
import type { Preferences } from '../../../preload/contract/settings';
import type { attendedTransferRequestSchema, blindTransferRequestSchema } from '../../../preload/contract/transfer';
import { resolveTransferTarget, transferOptions } from './targets';
import type { CallerFacts, DialogId, PeerSupport, RefusalCode, TransferEvent } from './types';
import { IllegalTransferTransition } from './types';

export type BlindRequest = z.output<typeof blindTransferRequestSchema>;
export type AttendedRequest = z.output<typeof attendedTransferRequestSchema>;

export interface RequestContext {
  /** Unique per console run: timer ids derive from it. */
  transferId: string;
  at: number;
  /** The account's SIP domain (numbers are dialled on it). */
  domain: string;
  prefs: Preferences['transfer'];
  /** The caller is on hold now (its call: held, no hold change under way). */
  callerHeld: boolean;
  /** What the caller's phone announced and its dialog (omitted: unknown). */
  caller?: CallerFacts;
}

export function blindRequestEvent(req: BlindRequest, ctx: RequestContext): TransferEvent {
  return {
    type: 'request.blind',
    at: ctx.at,
    transferId: ctx.transferId,
    target: resolveTransferTarget(req.target, ctx.domain),
    options: transferOptions(ctx.prefs, { safe: req.safe }),
    callerHeld: ctx.callerHeld,
    ...(ctx.caller ? { caller: ctx.caller } : {}),
  };
}

/**
 * `existing` is the call named by `consultCallId`, looked up by the service:
 * its confirmed dialog (for Replaces) and its URI; undefined
 * when there is no such answered call.
 */
export function attendedRequestEvent(
  req: AttendedRequest,
  ctx: RequestContext,
  existing?: { dialog: DialogId; label: string; support?: PeerSupport },
): TransferEvent {
  const options = transferOptions(ctx.prefs, { safe: req.safe });
  const base = {
    type: 'request.attended',
    at: ctx.at,
    transferId: ctx.transferId,
    options,
    callerHeld: ctx.callerHeld,
    ...(ctx.caller ? { caller: ctx.caller } : {}),
  } as const;
  if (req.consultCallId !== undefined) {
    if (!existing) throw new ConsoleError('not-found', 'That call is not an answered call any more; pick another one.');
    return {
      ...base,
      target: { kind: 'uri', label: existing.label, uri: existing.dialog.remoteUri },
      existing: { callId: req.consultCallId, dialog: existing.dialog, ...(existing.support ? { support: existing.support } : {}) },
    };
  }
  if (req.target === undefined) throw new ConsoleError('invalid-request', 'An attended transfer needs a target or a call.');
  return { ...base, target: resolveTransferTarget(req.target, ctx.domain) };
}

export type TransferIntent = 'complete' | 'cancel' | 'swap' | 'undo';

export function intentEvent(intent: TransferIntent, at: number): TransferEvent {
  const type = ({ complete: 'agent.complete', cancel: 'agent.cancel', swap: 'agent.swap', undo: 'agent.undo' } as const)[intent];
  return { type, at };
}

/** "Transfer in progress" is the agent's `busy`; every other refusal is `not-allowed`. */
const errorCodeFor = (refusal: RefusalCode) => (refusal === 'transfer-in-progress' ? 'busy' : 'not-allowed');

/**
 * The machine refused an agent intent: the typed error the UI renders. Any
 * other error is re-thrown untouched (it is a bug, reported as `internal`).
 */
export function refusalToConsoleError(error: unknown): ConsoleError {
  if (error instanceof IllegalTransferTransition) {
    const message = error.detail.charAt(0).toUpperCase() + error.detail.slice(1) + '.';
    return new ConsoleError(errorCodeFor(error.refusal), message);
  }
  throw error;
}
