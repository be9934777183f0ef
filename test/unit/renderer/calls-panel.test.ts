/**
 * The minimal calls panel (renderer/ui/components/calls): one card per call
 * with main's allowedActions as buttons, timer, hold wording, keypad, dial form.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import CallsPanel from '../../../renderer/ui/components/calls/CallsPanel.svelte';
import { describeCall, formatDuration } from '../../../renderer/ui/state/calls.svelte';
import { callSnapshot } from '../../support/call-snapshot';

const base: CallSnapshot = callSnapshot();

function panel(calls: CallSnapshot[], extra: Partial<{ error: string | null; canDial: boolean; target: string }> = {}) {
  const props = {
    calls,
    now: 66_000,
    target: extra.target ?? '',
    error: extra.error ?? null,
    canDial: extra.canDial ?? true,
    dialling: false,
    ontarget: vi.fn(),
    ondial: vi.fn(),
    onaction: vi.fn(),
  };
  render(CallsPanel, { props });
  return props;
}

describe('calls panel', () => {
  it('renders exactly the actions main allowed, and reports the clicked one with the call id', async () => {
    const props = panel([base]);
    const card = screen.getByRole('article', { name: 'Call with Caller' });
    const buttons = within(card).getAllByRole('button').map((b) => b.textContent);
    expect(buttons).toEqual(['Answer', 'Decline']);
    await fireEvent.click(within(card).getByRole('button', { name: 'Answer' }));
    expect(props.onaction).toHaveBeenCalledWith('answer', 'c1', undefined);
    expect(within(card).getByRole('status').textContent).toBe('Incoming call');
  });

  it('an established, held call: timer from answer, hold wording, swap, keypad sends tones', async () => {
    const held: CallSnapshot = {
      ...base,
      state: 'established',
      answeredAt: 1_000,
      hold: { local: true, remote: false },
      holdAudio: 'silence',
      allowedActions: ['hangup', 'swap', 'mute', 'dtmf'],
    };
    const props = panel([held]);
    const card = screen.getByRole('article');
    expect(within(card).getByLabelText('Duration').textContent).toBe('1:05');
    expect(within(card).getByRole('status').textContent).toBe('On hold');
    expect(within(card).getByText('Caller hears silence')).toBeTruthy();
    await fireEvent.click(within(card).getByRole('button', { name: 'Swap to this call' }));
    expect(props.onaction).toHaveBeenLastCalledWith('swap', 'c1', undefined);
    await fireEvent.click(within(card).getByRole('button', { name: 'Keypad' }));
    await fireEvent.click(within(card).getByRole('button', { name: '#' }));
    expect(props.onaction).toHaveBeenLastCalledWith('dtmf', 'c1', '#');
  });

  it('dial form: disabled while the line cannot dial; shows main\'s refusal', () => {
    panel([], { canDial: false, target: '1002', error: 'That is not a number.' });
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('That is not a number.');
    expect(screen.getByLabelText('Number or SIP address')).toBeTruthy();
  });

  it('wording and durations', () => {
    expect(describeCall({ ...base, ring: 'soft' })).toBe('Incoming (call waiting)');
    expect(describeCall({ ...base, state: 'ended', ended: { reason: 'Busy (486)', by: 'remote', code: 486 } })).toBe('Busy (486)');
    expect(describeCall({ ...base, state: 'established', hold: { local: false, remote: true } })).toBe('They put you on hold');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(formatDuration(-5)).toBe('0:00');
  });
});
