/**
 * The calls column (renderer/ui/components/calls): main's allowedActions as the
 * only buttons, both legs of a consult in one card, focus moved to the agent's
 * next action instead of the page body, the transfer entry point only when
 * main allows a transfer to start, and the dialer's refusal in main's words.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { CallSnapshot, TransferSnapshot } from '../../../preload/contract';
import CallsColumn from '../../../renderer/ui/components/calls/CallsColumn.svelte';
import { describeCall, groupCalls } from '../../../renderer/ui/state/call-view';
import { callSnapshot } from '../../support/call-snapshot';
import { callsColumnProps, type CallsColumnOptions } from '../../support/calls-column-props';
import { transferSnapshot } from '../../support/transfer-snapshot';

const ringing = callSnapshot();
const talking = callSnapshot({ state: 'established', answeredAt: 1_000, ring: null, allowedActions: ['hangup', 'hold', 'mute', 'dtmf'] });

const idle = (callId: string, allowedActions: TransferSnapshot['allowedActions'] = []): TransferSnapshot => transferSnapshot({ callId, allowedActions });

function column(calls: CallSnapshot[], o: CallsColumnOptions = {}) {
  const props = callsColumnProps(calls, o);
  const r = render(CallsColumn, { props });
  return { props, ...r };
}

describe('calls column', () => {
  it('renders exactly the actions main allowed, and reports the clicked one with the call id', async () => {
    const { props } = column([ringing]);
    const card = screen.getByRole('article', { name: 'Call with Caller' });
    expect(within(card).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Answer', 'Decline']);
    await fireEvent.click(within(card).getByRole('button', { name: 'Answer' }));
    expect(props.onaction).toHaveBeenCalledWith('answer', 'c1');
    expect(within(card).getByText('Incoming call')).toBeTruthy();
  });

  it('a held call: timer from the answer, hold wording, what the caller hears', () => {
    column([{ ...talking, hold: { local: true, remote: false }, heldSince: 6_000, holdAudio: { music: 'Lounge' }, allowedActions: ['hangup', 'unhold'] }]);
    const card = screen.getByRole('article');
    expect(within(card).getByLabelText(/^Duration/).textContent).toBe('1:05');
    expect(within(card).getByText('On hold')).toBeTruthy();
    expect(within(card).getByTestId('caller-hears').textContent).toBe('On hold 1:00 · Caller hears music: Lounge');
    expect(within(card).getByRole('button', { name: 'Resume' }).id).toBe('call-c1-hold');
  });

  it('both legs of a consult read together in the caller\u2019s card; the consult has no card of its own', () => {
    const caller = { ...talking, hold: { local: true, remote: false }, allowedActions: ['unhold' as const] };
    const consult = callSnapshot({ id: 'k1', direction: 'outgoing', state: 'established', ring: null, remote: { number: '2001', uri: 'sip:2001@lab.test', displayName: 'Bob' }, allowedActions: ['hangup', 'hold'] });
    const transfer: TransferSnapshot = {
      ...idle('c1'),
      mode: 'attended',
      phase: 'consulting',
      legs: { caller: { callId: 'c1', state: 'up', held: true, music: true }, consult: { callId: 'k1', state: 'up', held: false, music: false } },
    };
    column([caller, consult], { transfers: { c1: transfer } });
    const cards = screen.getAllByRole('article');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.getAttribute('aria-label')).toBe('Call with Caller, consulting Bob');
    expect(within(cards[0]!).getByText('Bob')).toBeTruthy();
    expect(within(cards[0]!).getAllByRole('button', { name: 'Hang up' })).toHaveLength(1);
  });

  it('offers Transfer… only when main allows the call to start one, and opens the search for that call', async () => {
    const { props, rerender } = column([talking], { transfers: { c1: idle('c1') } });
    expect(screen.queryByRole('button', { name: 'Transfer…' })).toBeNull();
    await rerender({ ...props, groups: groupCalls([talking], { c1: idle('c1', ['blind', 'safe-blind', 'attended']) }) });
    await fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    expect(props.ontransfer).toHaveBeenCalledWith('c1');
  });

  it('after Hold, focus stays on the toggle — now Resume — instead of falling to the page body', async () => {
    const { props, rerender } = column([talking]);
    screen.getByRole('button', { name: 'Hold' }).focus();
    const held = { ...talking, hold: { local: true, remote: false }, allowedActions: ['hangup', 'unhold'] as CallSnapshot['allowedActions'] };
    await rerender({ ...props, groups: groupCalls([held], {}), focusRequest: { callId: 'c1', slot: 'hold' } });
    await tick();
    await Promise.resolve();
    expect(document.activeElement?.textContent?.trim()).toBe('Resume');
    expect(props.onfocused).toHaveBeenCalled();
  });

  it('after the last call ends, focus goes to the dialer', async () => {
    const { props, rerender } = column([talking]);
    await rerender({ ...props, groups: [], focusRequest: { dialer: true } });
    await tick();
    await Promise.resolve();
    expect(document.activeElement?.id).toBe('dial-target');
  });

  it('dialer: disabled while the line cannot dial; shows main\u2019s refusal as an alert', () => {
    column([], { canDial: false, target: '1002', error: 'That is not a number.' });
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('That is not a number.');
  });

  it('wording comes from the catalogue, and main\u2019s end reason is kept as is', () => {
    expect(describeCall({ ...ringing, ring: 'soft' })).toBe('Incoming (call waiting)');
    expect(describeCall({ ...ringing, state: 'ended', ended: { reason: 'Busy (486)', by: 'remote', code: 486 } })).toBe('Busy (486)');
  });
});
