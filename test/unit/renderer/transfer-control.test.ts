/**
 * The transfer control (renderer/ui/components/transfer): starting each kind of
 * transfer from the keyboard, main's allowedActions as the only action buttons,
 * reason and timeline shown, and the model's request shapes (number vs SIP address).
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TransferSnapshot } from '../../../preload/contract';
import TransferControl from '../../../renderer/ui/components/transfer/TransferControl.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';

const snapshot = (over: Partial<TransferSnapshot>): TransferSnapshot => ({
  callId: 'c1',
  transferId: 't1',
  mode: 'attended',
  safe: true,
  semiAttended: false,
  phase: 'consulting',
  target: { kind: 'number', label: '2001', uri: 'sip:2001@pbx.test' },
  legs: { caller: { callId: 'c1', state: 'up', held: true, music: true }, consult: { callId: 'c2', state: 'up', held: false, music: false } },
  undoDeadline: null,
  reason: null,
  timeline: [
    { step: 'requested', at: 1_700_000_000_000, sipCode: null, note: null },
    { step: 'answered', at: 1_700_000_001_000, sipCode: null, note: null },
  ],
  allowedActions: ['complete', 'cancel', 'swap'],
  ...over,
});

const props = (over: Record<string, unknown> = {}) => ({
  callId: 'c1',
  party: 'Alice',
  canStart: true,
  snapshot: undefined,
  target: '',
  error: undefined,
  busy: false,
  ontarget: vi.fn(),
  onblind: vi.fn(),
  onattended: vi.fn(),
  onaction: vi.fn(),
  ...over,
});

describe('TransferControl', () => {
  it('starts blind, safe blind and attended transfers with native buttons in tab order after the target field', async () => {
    const p = props({ target: '2001' });
    const { container } = render(TransferControl, { props: p });
    // Native <input> + <button type=button>: focusable in this order, Enter/Space activate them (keyboard operable).
    const focusable = [...container.querySelectorAll('input, button')].map((e) => e.tagName + ':' + (e.textContent?.trim() || e.getAttribute('id')));
    expect(focusable).toEqual(['INPUT:transfer-target-c1', 'BUTTON:Blind', 'BUTTON:Safe blind', 'BUTTON:Attended']);
    for (const b of container.querySelectorAll('button')) expect(b.getAttribute('type')).toBe('button');
    const blind = screen.getByRole('button', { name: 'Blind' });
    blind.focus();
    expect(document.activeElement).toBe(blind);
    await fireEvent.click(blind);
    await fireEvent.click(screen.getByRole('button', { name: 'Safe blind' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Attended' }));
    expect(p.onblind.mock.calls).toEqual([[false], [true]]);
    expect(p.onattended).toHaveBeenCalledOnce();
  });

  it('offers no start button without a target, and reports typing', async () => {
    const p = props();
    render(TransferControl, { props: p });
    for (const name of ['Blind', 'Safe blind', 'Attended']) expect((screen.getByRole('button', { name }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Transfer to (number or SIP address)'), { target: { value: 'sip:q@pbx.test' } });
    expect(p.ontarget).toHaveBeenCalledWith('sip:q@pbx.test');
  });

  it('shows exactly main\u2019s allowed actions, the phase, the reason and the timeline', async () => {
    const p = props({ canStart: false, snapshot: snapshot({ reason: { code: 'busy', message: 'busy', sipCode: 486 } }) });
    render(TransferControl, { props: p });
    expect(screen.queryByLabelText('Transfer to (number or SIP address)')).toBeNull();
    const group = screen.getByRole('group', { name: 'Transfer actions' });
    expect([...group.querySelectorAll('button')].map((b) => b.textContent?.trim())).toEqual(['Complete transfer', 'Cancel transfer', 'Swap']);
    await fireEvent.click(screen.getByRole('button', { name: 'Swap' }));
    expect(p.onaction).toHaveBeenCalledWith('swap');
    expect(screen.getByRole('status').textContent).toContain('privately');
    expect(screen.getByRole('alert').textContent).toContain('busy (SIP 486)');
    const steps = screen.getByRole('list', { name: 'Transfer timeline' }).querySelectorAll('li');
    expect([...steps].map((li) => li.textContent)).toEqual([expect.stringContaining('requested'), expect.stringContaining('answered')]);
  });
});

describe('TransferModel', () => {
  it('sends a number as a number and a sip: address as a URI; a refusal becomes the call\u2019s error', async () => {
    expect(TransferModel.targetOf(' 2001 ')).toEqual({ kind: 'number', number: '2001' });
    expect(TransferModel.targetOf('SIP:sales@pbx.test')).toEqual({ kind: 'uri', uri: 'SIP:sales@pbx.test' });
    const blind = vi.fn(async () => ({ ok: false as const, code: 'invalid-target' as const, message: 'Enter the number to transfer to' }));
    const api = { transfer: { blind, onChanged: () => () => {}, list: async () => ({ ok: true as const, value: [] }) } };
    const model = new TransferModel(api as never);
    model.targets = { c1: '' };
    await model.blind('c1', true);
    expect(blind).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'number', number: '' }, safe: true });
    expect(model.errors.c1).toBe('Enter the number to transfer to');
  });
});
