/**
 * How a transfer is worded for the agent: the phase under way, the outcome
 * line once it is over, the action buttons and the timeline's steps. Main
 * decides every fact (phase, outcome, reason, allowed actions); this file
 * only puts them into the agent's language through the message catalogue.
 */
import type {
  TimelineEntryView,
  TransferActionName,
  TransferReasonCode,
  TransferReasonView,
  TransferSnapshot,
  TransferStepName,
} from '../../../preload/contract';
import { t, type MessageKey } from '../i18n/index.svelte';

export type TransferOutcome = NonNullable<TransferSnapshot['outcome']>;

/** Capitalised as the start of a sentence ("the other party was busy" → "The other …"). */
function sentence(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** The target as the agent reads it; a neutral word when main does not know it. */
export function targetName(label: string | null | undefined): string {
  return label ?? t('transfer.someone');
}

const causeKeys: Partial<Record<TransferReasonCode, MessageKey>> = {
  busy: 'transfer.cause.busy',
  'no-answer': 'transfer.cause.no-answer',
  'not-answered-in-time': 'transfer.cause.no-answer',
  'not-found': 'transfer.cause.not-found',
  declined: 'transfer.cause.declined',
  'refer-refused': 'transfer.cause.refer-refused',
  'transferee-hung-up': 'transfer.cause.transferee-hung-up',
  'caller-hung-up': 'transfer.cause.caller-hung-up',
  failed: 'transfer.cause.failed',
  cancelled: 'transfer.cause.cancelled',
};

/** Why it did not go through, naming the target: "2002 was busy". Main's message words any reason this file has no phrase for. */
export function describeCause(reason: TransferReasonView | null, target: string): string {
  if (!reason) return t('transfer.cause.none', { target });
  const key = causeKeys[reason.code];
  return key ? t(key, { target }) : t('transfer.cause.other', { target, reason: reason.message });
}

/** The one outcome line for a transfer that is over: "Transferred to 2002", "2002 was busy — the caller is back with you". */
export function describeOutcome(outcome: TransferOutcome): string {
  const target = targetName(outcome.target);
  const cause = () => describeCause(outcome.reason, target);
  switch (outcome.result) {
    case 'transferred':
      return sentence(t('transfer.outcome.transferred', { target }));
    case 'new-call':
      return sentence(t('transfer.outcome.new-call', { target }));
    case 'released':
      return sentence(t('transfer.outcome.released', { target }));
    case 'caller-back':
      return sentence(t('transfer.outcome.caller-back', { cause: cause() }));
    case 'caller-lost':
      return sentence(t('transfer.outcome.caller-lost', { cause: cause() }));
    case 'back-to-consult':
      return sentence(t('transfer.outcome.back-to-consult', { cause: cause(), target }));
    case 'cancelled':
      return sentence(t('transfer.outcome.cancelled', { target }));
    case 'undone':
      return sentence(t('transfer.outcome.undone', { target }));
    case 'caller-hung-up':
      return t('transfer.outcome.caller-hung-up');
  }
}

/** How the outcome reads at a glance: went through, came back to the agent, or lost. */
export function outcomeTone(outcome: TransferOutcome): 'ok' | 'info' | 'warn' | 'problem' {
  switch (outcome.result) {
    case 'transferred':
    case 'released':
      return 'ok';
    case 'caller-back':
    case 'cancelled':
    case 'undone':
      return 'info';
    case 'back-to-consult':
    case 'new-call':
      return 'warn';
    case 'caller-lost':
    case 'caller-hung-up':
      return 'problem';
  }
}

const phaseKeys: Record<TransferSnapshot['phase'], MessageKey | null> = {
  idle: null,
  pending: 'transfer.phase.pending',
  referring: 'transfer.phase.referring',
  'consult-dialing': 'transfer.phase.consult-dialing',
  consulting: 'transfer.phase.consulting',
  completing: 'transfer.phase.completing',
  'refer-offered': 'transfer.phase.refer-offered',
  following: 'transfer.phase.following',
  done: null,
};

/** What is happening now ("Calling 2002 — the caller hears music"); empty when nothing is under way. */
export function describePhase(s: TransferSnapshot): string {
  const target = targetName(s.target?.label);
  if (s.phase === 'referring' && s.safe) return t('transfer.phase.referring-safe', { target });
  // The phone system's consult on this very call: leaving before the answer would drop the caller.
  if (s.mode === 'attended' && s.consultOnLeg && s.phase === 'consult-dialing') return t('transfer.phase.consult-on-leg', { target });
  // A safe blind is supervised: main reaches the transferee on a leg of its own (docs/transfers.md).
  if (s.mode === 'blind' && s.legs.consult !== null) {
    if (s.phase === 'consult-dialing') return t('transfer.phase.reaching', { target });
    if (s.phase === 'completing') return t('transfer.phase.handing-over', { target });
  }
  const key = phaseKeys[s.phase];
  return key ? t(key, { target }) : '';
}

/**
 * What Complete will do when a phone cannot swap calls (main's `completion`,
 * from what each phone announced): said before the agent presses it. Empty
 * when the hand-over is the usual seamless one.
 */
export function describeCompletion(s: TransferSnapshot): string {
  const plan = s.completion;
  if (!plan) return '';
  const target = targetName(s.target?.label);
  if (plan.via === 'transferee') {
    return plan.expect === 'swap' ? t('transfer.completion.via-transferee', { target }) : t('transfer.completion.caller-new-call', { target });
  }
  if (plan.expect === 'swap') return '';
  if (plan.unable === 'caller') return t('transfer.completion.rings-again', { target });
  if (plan.unable === 'transferee') return t('transfer.completion.target-rings', { target });
  return t('transfer.completion.neither', { target });
}

/** Main's reason as a detail line: "Reason: busy (SIP 486)". */
export function describeReason(reason: TransferReasonView): string {
  return reason.sipCode === null
    ? t('transfer.reason', { reason: reason.message })
    : t('transfer.reason-sip', { reason: reason.message, code: String(reason.sipCode) });
}

/** The button for one of main's actions on a transfer under way (start actions are the drop's and the picker's). */
export function actionLabel(action: Exclude<TransferActionName, 'blind' | 'safe-blind' | 'attended'>, phase: TransferSnapshot['phase']): string {
  // Inside the undo window, Complete skips the rest of the window (docs/transfers.md, "Undo window").
  if (action === 'complete' && phase === 'pending') return t('transfer.action.now');
  return t(`transfer.action.${action}`);
}

export function stepLabel(step: TransferStepName): string {
  return t(`transfer.step.${step}`);
}

/** One timeline line's words: the step, its SIP code and main's note. */
export function describeStep(entry: TimelineEntryView): string {
  const step = stepLabel(entry.step);
  const withCode = entry.sipCode === null ? step : t('transfer.step-sip', { step, code: String(entry.sipCode) });
  return entry.note ? t('transfer.step-note', { step: withCode, note: entry.note }) : withCode;
}
