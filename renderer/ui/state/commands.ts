/**
 * A keyboard command (shortcuts.ts) carried out on the console model: which
 * call it acts on, and only ever an action main allows that call now.
 */
import type { CallActionName } from '../../../preload/contract';
import { cardOf, currentCall, partyName } from './call-view';
import type { ConsoleModel } from './console.svelte';
import type { Command } from './shortcuts';

export function runCommand(m: ConsoleModel, command: Command): boolean {
  const calls = m.calls;
  const current = currentCall(m.groups, calls.focusedId);
  const act = (callId: string | undefined, ...choices: CallActionName[]) => {
    const c = calls.list.find((k) => k.id === callId);
    const action = c && choices.find((a) => c.allowedActions.includes(a));
    if (!c || !action) return false;
    void calls.act(action, c.id);
    return true;
  };
  switch (command.type) {
    case 'answer': {
      const ring = m.ringing.find((c) => c.allowedActions.includes('answer'));
      if (!ring) return false;
      m.show('calls');
      return act(ring.id, 'answer');
    }
    case 'decline':
      return act(m.ringing[0]?.id, 'decline');
    case 'hangup':
      return act(current?.id, 'hangup');
    case 'hold':
      return act(current?.id, 'hold', 'unhold');
    case 'mute':
      return act(current?.id, 'mute', 'unmute');
    case 'keypad':
      if (!current?.allowedActions.includes('dtmf')) return false;
      m.show('calls');
      calls.toggleKeypad(current.id);
      return true;
    case 'tones':
      if (!calls.keypadFor) return false;
      void calls.act('dtmf', calls.keypadFor, command.tones);
      return true;
    case 'transfer-step': {
      // The transfer belongs to the card's caller leg, whichever leg is current.
      const card = current ? cardOf(m.groups, current.id) : null;
      if (!card || !m.transfers.snapshot(card)?.allowedActions.includes(command.action)) return false;
      void m.transfers.act(card, command.action);
      return true;
    }
    case 'transfer': {
      const id = current?.id;
      if (!id || !m.transfers.canStart(id)) return false;
      m.show('calls');
      m.picker.open(id, partyName(current));
      return true;
    }
    case 'next-call': {
      const cards = m.groups.map((g) => g.call.id);
      if (cards.length === 0) return false;
      const at = cards.indexOf(calls.focusedId ?? '');
      const next = cards[(at + command.step + cards.length) % cards.length]!;
      m.show('calls');
      calls.focusedId = next;
      calls.focusRequest = { callId: next, slot: 'card' };
      return true;
    }
    case 'dial':
      m.show('calls');
      calls.focusRequest = { dialer: true };
      return true;
    case 'search': {
      const id = ({ calls: 'targets-search', history: 'history-search', settings: null } as const)[m.view];
      const el = id ? document.getElementById(id) : null;
      el?.focus();
      return !!el;
    }
    case 'view':
      m.show(command.view);
      return true;
    case 'help':
      m.helpOpen = !m.helpOpen;
      return true;
  }
}
