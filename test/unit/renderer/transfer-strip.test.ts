/**
 * The call card's transfer strip (renderer/ui/components/transfer/TransferStrip.svelte):
 * main's actions as the only buttons, the phase, the outcome line naming the
 * target, main's reason, the folded timeline, one error at a time as an
 * alert, and nothing at all when there is nothing to say.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TransferSnapshot } from '../../../preload/contract';
import TransferStrip from '../../../renderer/ui/components/transfer/TransferStrip.svelte';
import { transferSnapshot } from '../../support/transfer-snapshot';

const snapshot = (over: Partial<TransferSnapshot> = {}): TransferSnapshot =>
  transferSnapshot({
    transferId: 't1',
    mode: 'attended',
    safe: true,
    phase: 'consulting',
    target: { kind: 'number', label: '2002', uri: 'sip:2002@pbx.test' },
    legs: { caller: { callId: 'c1', state: 'up', held: true, music: true }, consult: { callId: 'c2', state: 'up', held: false, music: false } },
    timeline: [
      { step: 'requested', at: 1_700_000_000_000, sipCode: null, note: null },
      { step: 'answered', at: 1_700_000_004_000, sipCode: null, note: null },
    ],
    allowedActions: ['complete', 'cancel', 'swap'],
    ...over,
  });

const idle = snapshot({ transferId: null, mode: null, phase: 'idle', target: null, timeline: [], allowedActions: [], legs: snapshot().legs });

describe('TransferStrip', () => {
  it('offers exactly main\u2019s actions on the transfer, never the start actions, and reports the one pressed', async () => {
    const onaction = vi.fn();
    render(TransferStrip, { props: { snapshot: snapshot({ allowedActions: ['blind', 'attended', 'complete', 'cancel', 'swap'] }), onaction } });
    const group = screen.getByRole('group', { name: 'Transfer actions' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Complete transfer', 'Cancel transfer', 'Swap']);
    await fireEvent.click(screen.getByRole('button', { name: 'Swap' }));
    expect(onaction).toHaveBeenCalledWith('swap');
    expect(screen.getByRole('status').textContent).toBe('Talking to 2002 privately — the caller hears music');
  });

  it('calls Complete "Transfer now" inside the undo window, and offers Undo', () => {
    render(TransferStrip, { props: { snapshot: snapshot({ phase: 'pending', undoDeadline: 5, allowedActions: ['undo', 'complete'] }), onaction: vi.fn() } });
    const group = screen.getByRole('group', { name: 'Transfer actions' });
    expect(within(group).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Undo', 'Transfer now']);
  });

  it('accepts or declines the far end\u2019s transfer', async () => {
    const onaction = vi.fn();
    render(TransferStrip, {
      props: { snapshot: snapshot({ mode: 'incoming-refer', phase: 'refer-offered', allowedActions: ['follow-refer', 'decline-refer'] }), onaction },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Decline transfer' }));
    expect(onaction).toHaveBeenCalledWith('decline-refer');
    expect(screen.getByRole('button', { name: 'Accept transfer' })).toBeTruthy();
  });

  it('keeps the outcome line with main\u2019s reason once the transfer is over', () => {
    const busy = { code: 'busy' as const, message: 'busy', sipCode: 486 };
    render(TransferStrip, {
      props: {
        snapshot: snapshot({ ...idle, reason: busy, outcome: { result: 'caller-back', target: '2002', reason: busy, at: 2 }, timeline: snapshot().timeline }),
        onaction: vi.fn(),
      },
    });
    expect(screen.getByRole('status').textContent?.trim()).toBe('2002 was busy — the caller is back with you');
    expect(screen.getByText('Reason: busy (SIP 486)')).toBeTruthy();
    expect(screen.queryByRole('group')).toBeNull();
  });

  it('shows a failed completion\u2019s outcome while the agent is still in the consult', () => {
    const refused = { code: 'refer-refused' as const, message: 'refused', sipCode: 403 };
    render(TransferStrip, { props: { snapshot: snapshot({ reason: refused, outcome: { result: 'back-to-consult', target: '2002', reason: refused, at: 2 } }), onaction: vi.fn() } });
    expect(screen.getByText('2002 refused the transfer — you are still talking to 2002')).toBeTruthy();
  });

  it('renders nothing for an idle call with nothing to say, and offers Transfer… when main allows a start', async () => {
    const { container, rerender } = render(TransferStrip, { props: { snapshot: idle, onaction: vi.fn() } });
    expect(container.innerHTML.replace(/<!---->/g, '').trim()).toBe('');
    const onpick = vi.fn();
    await rerender({ snapshot: { ...idle, allowedActions: ['safe-blind', 'blind', 'attended'] }, onaction: vi.fn(), onpick });
    await fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    expect(onpick).toHaveBeenCalledOnce();
  });

  it('shows one error as an alert, replaced by the next', async () => {
    const { rerender } = render(TransferStrip, {
      props: { snapshot: idle, error: { code: 'not-allowed', message: 'Transfer to 2002 failed: not now' }, onaction: vi.fn() },
    });
    expect(screen.getByRole('alert').textContent).toBe('Transfer to 2002 failed: not now');
    await rerender({ snapshot: idle, error: { code: 'invalid-target', message: 'Transfer to Sales failed: bad address' }, onaction: vi.fn() });
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Transfer to Sales failed: bad address']);
  });

  it('folds the timeline behind a button that says whether it is open', async () => {
    render(TransferStrip, { props: { snapshot: snapshot(), onaction: vi.fn() } });
    const toggle = screen.getByRole('button', { name: /Transfer steps/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('list', { name: 'Transfer steps' })).toBeNull();
    await fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const steps = within(screen.getByRole('list', { name: 'Transfer steps' })).getAllByRole('listitem');
    expect(steps.map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual([expect.stringMatching(/Requested$/), '+0:04 Answered']);
  });
});
