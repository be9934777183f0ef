/**
 * What a global hotkey does right now, decided from the call and transfer
 * snapshots alone — pure, so every situation is a unit test. The snapshots'
 * `allowedActions` are main's own decisions (main/calls/): a hotkey offers
 * nothing the call card would not, it only picks which call it means.
 *
 * Which call: the one the agent is talking on (answered, not held by us);
 * for Answer the longest-ringing incoming call; for Hang up, with nobody on
 * the line, the outgoing call still ringing out; for Resume the call held
 * most recently.
 */
import type { CallSnapshot, HotkeyAction, Hotkeys, TransferSnapshot } from '../../preload/contract';
import { hotkeyActions } from '../../preload/contract';

export type HotkeyCommand =
  | { kind: 'call'; action: 'answer' | 'hangup' | 'hold' | 'unhold' | 'mute' | 'unmute'; callId: string }
  | { kind: 'transfer'; intent: 'complete' | 'cancel' | 'undo'; callId: string }
  /** Open the transfer picker for this call (a push to the UI, with the window shown). */
  | { kind: 'picker'; callId: string }
  | { kind: 'show-window' }
  /** Nothing to act on; `why` goes to the log. */
  | { kind: 'none'; why: string };

type Call = Pick<CallSnapshot, 'id' | 'direction' | 'state' | 'hold' | 'allowedActions' | 'startedAt' | 'heldSince'>;
type Transfer = Pick<TransferSnapshot, 'callId' | 'allowedActions'>;

const may = (c: Call, action: CallSnapshot['allowedActions'][number]) => c.allowedActions.includes(action);
const byStart = (a: Call, b: Call) => a.startedAt - b.startedAt;

const talking = (calls: readonly Call[]) => calls.find((c) => c.state === 'established' && !c.hold.local);
const ringingIn = (calls: readonly Call[]) =>
  calls.filter((c) => c.direction === 'incoming' && (c.state === 'ringing' || c.state === 'early-media') && may(c, 'answer')).sort(byStart)[0];
const ringingOut = (calls: readonly Call[]) =>
  calls.filter((c) => c.direction === 'outgoing' && c.state !== 'established' && c.state !== 'ended' && may(c, 'hangup')).sort(byStart)[0];

function hangup(calls: readonly Call[]): HotkeyCommand {
  const t = talking(calls);
  if (t && may(t, 'hangup')) return { kind: 'call', action: 'hangup', callId: t.id };
  const out = ringingOut(calls);
  if (out) return { kind: 'call', action: 'hangup', callId: out.id };
  return { kind: 'none', why: 'no call to hang up' };
}

function transferIntent(transfers: readonly Transfer[], intent: 'complete' | 'cancel' | 'undo'): HotkeyCommand {
  const t = transfers.find((x) => x.allowedActions.includes(intent));
  return t ? { kind: 'transfer', intent, callId: t.callId } : { kind: 'none', why: `no transfer to ${intent}` };
}

export function commandFor(action: HotkeyAction, calls: readonly Call[], transfers: readonly Transfer[]): HotkeyCommand {
  switch (action) {
    case 'answer': {
      const c = ringingIn(calls);
      return c ? { kind: 'call', action: 'answer', callId: c.id } : { kind: 'none', why: 'no call is ringing' };
    }
    case 'hangup':
      return hangup(calls);
    case 'answerOrHangup': {
      const c = ringingIn(calls);
      return c ? { kind: 'call', action: 'answer', callId: c.id } : hangup(calls);
    }
    case 'hold': {
      const t = talking(calls);
      if (t) return may(t, 'hold') ? { kind: 'call', action: 'hold', callId: t.id } : { kind: 'none', why: 'the call cannot be held now' };
      const held = calls.filter((c) => may(c, 'unhold')).sort((a, b) => (b.heldSince ?? 0) - (a.heldSince ?? 0))[0];
      return held ? { kind: 'call', action: 'unhold', callId: held.id } : { kind: 'none', why: 'no call to hold or resume' };
    }
    case 'mute': {
      const t = talking(calls);
      if (t && may(t, 'mute')) return { kind: 'call', action: 'mute', callId: t.id };
      if (t && may(t, 'unmute')) return { kind: 'call', action: 'unmute', callId: t.id };
      return { kind: 'none', why: 'no call to mute' };
    }
    case 'transferPicker': {
      const t = talking(calls);
      const transfer = t && transfers.find((x) => x.callId === t.id);
      const canStart = (transfer?.allowedActions ?? []).some((a) => a === 'blind' || a === 'safe-blind' || a === 'attended');
      return t && canStart ? { kind: 'picker', callId: t.id } : { kind: 'none', why: 'no call that can be transferred now' };
    }
    case 'completeConsult':
      return transferIntent(transfers, 'complete');
    case 'cancelConsult':
      return transferIntent(transfers, 'cancel');
    case 'undoTransfer':
      return transferIntent(transfers, 'undo');
    case 'showWindow':
      return { kind: 'show-window' };
  }
}

/** The accelerators to register, one per action that has one, in the contract's order. */
export function hotkeyPlan(hotkeys: Hotkeys): { action: HotkeyAction; accelerator: string }[] {
  return hotkeyActions.filter((a) => hotkeys[a] !== '').map((action) => ({ action, accelerator: hotkeys[action] }));
}
