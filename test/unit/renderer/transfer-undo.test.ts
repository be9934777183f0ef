/**
 * The undo toasts (renderer/ui/components/transfer/UndoToasts.svelte): a
 * countdown to main's undoDeadline, Undo sends transfer:undo, Transfer now
 * only when main allows `complete`, one polite announcement that does not
 * tick, keyboard-reachable buttons, and the toast gone on the phase change.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransferSnapshot } from '../../../preload/contract';
import UndoToasts from '../../../renderer/ui/components/transfer/UndoToasts.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { fakeConsoleApi, settle } from '../../support/console-api';
import { transferSnapshot } from '../../support/transfer-snapshot';

const t0 = 1_800_000_000_000;
const pending = (over: Partial<TransferSnapshot> = {}): TransferSnapshot =>
  transferSnapshot({
    transferId: 't1',
    mode: 'blind',
    safe: true,
    phase: 'pending',
    target: { kind: 'colleague', label: 'Anna', uri: 'sip:2002@pbx.test' },
    undoDeadline: t0 + 3000,
    timeline: [{ step: 'requested', at: t0, sipCode: null, note: null }],
    allowedActions: ['undo', 'complete'],
    ...over,
  });

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(t0);
});
afterEach(() => vi.useRealTimers());

async function setup() {
  const fake = fakeConsoleApi({
    answers: {
      'transfer:list': () => ({ ok: true, value: [] }),
      'transfer:undo': () => ({ ok: true, value: pending({ phase: 'idle', undoDeadline: null, allowedActions: [] }) }),
    },
  });
  const transfers = new TransferModel(fake.api);
  const stop = transfers.start();
  render(UndoToasts, { props: { transfers, party: (id: string) => (id === 'c1' ? 'Alice' : null) } });
  await settle();
  return { fake, transfers, stop };
}

describe('UndoToasts', () => {
  it('counts down to main\u2019s deadline while the announcement stays the same', async () => {
    const { fake } = await setup();
    const status = screen.getByRole('status');
    expect(status.textContent).toBe('');
    await fake.emit('transfer:changed', pending());
    const toast = screen.getByRole('group', { name: 'Transferring Alice to Anna' });
    const countdown = within(toast).getByTestId('undo-countdown');
    expect(countdown.textContent).toBe('starts in 3 seconds');
    const announced = 'Transfer of Alice to Anna starts in 3 seconds. Undo is still possible.';
    expect(status.textContent).toBe(announced);
    await vi.advanceTimersByTimeAsync(1000);
    expect(countdown.textContent).toBe('starts in 2 seconds');
    await vi.advanceTimersByTimeAsync(1000);
    expect(countdown.textContent).toBe('starts in 1 second');
    await vi.advanceTimersByTimeAsync(1000);
    expect(countdown.textContent).toBe('starting now…');
    expect(status.textContent).toBe(announced);
  });

  it('Undo sends transfer:undo from the keyboard, and the toast goes with the phase change', async () => {
    const { fake } = await setup();
    await fake.emit('transfer:changed', pending());
    const undo = screen.getByRole('button', { name: 'Undo the transfer of Alice to Anna' });
    undo.focus();
    expect(document.activeElement).toBe(undo);
    await fireEvent.click(undo);
    await settle();
    expect(fake.raw.transfer.undo).toHaveBeenCalledWith({ callId: 'c1' });
    expect(screen.queryByRole('group')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('offers Transfer now only when main allows complete, and disappears when main moves on', async () => {
    const { fake, transfers, stop } = await setup();
    await fake.emit('transfer:changed', pending({ allowedActions: ['undo'] }));
    expect(screen.queryByRole('button', { name: /now/ })).toBeNull();
    await fake.emit('transfer:changed', pending());
    await fireEvent.click(screen.getByRole('button', { name: 'Transfer Alice to Anna now' }));
    expect(fake.raw.transfer.complete).toHaveBeenCalledWith({ callId: 'c1' });
    await fake.emit('transfer:changed', pending({ phase: 'referring', undoDeadline: null, allowedActions: [] }));
    expect(screen.queryByRole('group')).toBeNull();
    expect(transfers.pending).toEqual([]);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('names the caller generically when the call has no name, and shows one toast per pending transfer', async () => {
    const { fake } = await setup();
    await fake.emit('transfer:changed', pending());
    await fake.emit('transfer:changed', pending({ callId: 'c9', undoDeadline: t0 + 5000, target: { kind: 'number', label: '4711', uri: 'sip:4711@pbx.test' } }));
    expect(screen.getAllByRole('group').map((g) => g.getAttribute('aria-label'))).toEqual(['Transferring Alice to Anna', 'Transferring the caller to 4711']);
  });
});
