/**
 * A transfer machine's state → the TransferSnapshot the UI renders
 * (preload/contract/transfer.ts), with the actions main allows right now.
 * The UI never re-derives telephony rules: it shows `allowedActions`.
 */
import type { TransferSnapshot } from '../../../preload/contract/transfer';
import type { TransferAction, TransferState } from './types';

export function allowedTransferActions(s: TransferState): TransferAction[] {
  switch (s.phase) {
    case 'pending':
      return ['undo', 'complete'];
    case 'consult-dialing':
      return ['complete', 'cancel'];
    case 'consulting':
      return ['complete', 'cancel', 'swap'];
    case 'refer-offered':
      return ['follow-refer', 'decline-refer'];
    case 'idle':
    case 'referring':
    case 'completing':
    case 'following':
    case 'done':
      return [];
  }
}

/** True while the call may not start another transfer. */
export function isTransferActive(s: TransferState): boolean {
  return s.phase !== 'idle' && s.phase !== 'done';
}

export function toTransferSnapshot(s: TransferState): TransferSnapshot {
  const t = s.transfer;
  const callerUp = s.phase !== 'done';
  return {
    callId: s.callId,
    transferId: t?.id ?? null,
    mode: t?.mode ?? null,
    safe: t?.options.safe ?? false,
    semiAttended: t?.semiAttended ?? false,
    phase: s.phase,
    target: t?.target ? { ...t.target } : null,
    legs: {
      caller: {
        callId: s.callId,
        state: callerUp ? 'up' : 'ended',
        held: t?.caller.held ?? false,
        music: t?.caller.music ?? false,
      },
      consult: t?.consult
        ? { callId: t.consult.callId, state: t.consult.state, held: t.consult.held, music: t.consult.music }
        : null,
    },
    undoDeadline: s.phase === 'pending' ? (t?.undoDeadline ?? null) : null,
    reason: t?.reason ? { ...t.reason } : null,
    timeline: (t?.timeline ?? []).map((e) => ({ ...e })),
    allowedActions: allowedTransferActions(s),
  };
}
