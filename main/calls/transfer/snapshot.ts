/**
 * A transfer machine's state → the TransferSnapshot the UI renders
 * (preload/contract/transfer.ts), with the actions main allows right now.
 * The UI never re-derives telephony rules: it shows `allowedActions`. What
 * each leg hears is read from its call (hold lives in the call machine only).
 */
import type { TransferSnapshot } from '../../../preload/contract/transfer';
import { allCapabilities, type TransferCapabilities } from './backend';
import { completionPlan } from './completion';
import { consultPhases } from './rules';
import type { TransferAction, TransferState } from './types';

/**
 * What the service knows beyond the machine: may this call start a transfer
 * now (answered, not a leg of another call's transfer, an account to resolve
 * numbers on), and what a plain "Blind" means under the agent's setting.
 */
export interface TransferStart {
  callReady: boolean;
  safeBlindPreferred: boolean;
}
const notReady: TransferStart = { callReady: false, safeBlindPreferred: true };

/** A leg's hold as its call has it: held by us, and whether music plays to it. */
export type LegHold = (callId: string) => { held: boolean; music: boolean };

export function allowedTransferActions(
  s: TransferState,
  can: TransferCapabilities = allCapabilities,
  start: TransferStart = notReady,
): TransferAction[] {
  const starts: TransferAction[] = [];
  if (start.callReady && s.phase === 'idle') {
    starts.push('blind');
    if (can.safeBlind) starts.push('safe-blind');
    if (can.attended) starts.push('attended');
  }
  return [...starts, ...phaseActions(s).filter((a) => a !== 'swap' || can.swap)];
}

function phaseActions(s: TransferState): TransferAction[] {
  switch (s.phase) {
    case 'pending':
      return ['undo', 'complete'];
    case 'consult-dialing':
      // A supervised safe blind hands over on the answer by itself, and leaving a platform's consult on
      // our leg before the answer would drop the caller: in both the agent can only call it off.
      return s.transfer?.supervised || s.transfer?.options.consultOnLeg ? ['cancel'] : ['complete', 'cancel'];
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

const talking = { held: false, music: false };
/** Outcomes that are no failure: an earlier refusal's reason (a retried complete) is not theirs. */
const succeeded = new Set(['transferred', 'new-call', 'released', 'undone']);

/**
 * How Complete (or a supervised safe blind's answer) will hand the caller over, while a consult
 * is in view: the agent is told before pressing it when a phone cannot swap calls.
 */
function completionOf(s: TransferState): TransferSnapshot['completion'] {
  const t = s.transfer;
  if (!t || t.options.consultOnLeg || !t.consult || t.consult.state === 'ended') return null;
  if (t.mode !== 'attended' && !t.supervised) return null;
  if (!consultPhases.has(s.phase) && s.phase !== 'completing') return null;
  if (s.phase === 'completing' && t.handedOverVia !== null) {
    // What went out, not what would go out now.
    const plan = completionPlan(t.support.caller, t.support.transferee, t.callerDialog !== null);
    return plan.via === t.handedOverVia ? plan : { via: t.handedOverVia, expect: 'new-call', unable: plan.unable };
  }
  return completionPlan(t.support.caller, t.support.transferee, t.callerDialog !== null);
}

export function toTransferSnapshot(
  s: TransferState,
  hold: LegHold = () => talking,
  can: TransferCapabilities = allCapabilities,
  start: TransferStart = notReady,
): TransferSnapshot {
  const t = s.transfer;
  const callerUp = s.phase !== 'done';
  const onLeg = !!t?.options.consultOnLeg && consultPhases.has(s.phase);
  // A consult on our own leg is not a call of ours: the agent talks to the transferee on the caller's
  // leg while the platform plays the caller music (and mutes it) — as the snapshot's legs say.
  const consultHold = onLeg ? talking : t?.consult?.callId && t.consult.state === 'up' ? hold(t.consult.callId) : talking;
  const callerHold = onLeg ? { held: true, music: true } : hold(s.callId);
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
        ...(callerUp ? callerHold : talking),
      },
      // An existing call that served as the consult is the agent's own call again once the transfer is off.
      consult: t?.consult && !(s.phase === 'idle' && t.consult.existing) ? { callId: t.consult.callId, state: t.consult.state, ...consultHold } : null,
    },
    undoDeadline: s.phase === 'pending' ? (t?.undoDeadline ?? null) : null,
    reason: t?.reason ? { ...t.reason } : null,
    timeline: (t?.timeline ?? []).map((e) => ({ ...e })),
    allowedActions: allowedTransferActions(s, can, start),
    blindDefault: start.safeBlindPreferred && can.safeBlind ? 'safe' : 'plain',
    consultOnLeg: t?.mode === 'attended' ? !!t.options.consultOnLeg : !!can.consultOnLeg,
    completion: completionOf(s),
    outcome: t?.outcome
      ? { ...t.outcome, target: t.target?.label ?? null, reason: t.reason && !succeeded.has(t.outcome.result) ? { ...t.reason } : null }
      : null,
  };
}
