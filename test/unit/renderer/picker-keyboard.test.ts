/**
 * The keyboard transfer picker (renderer/ui/components/targets/TargetPicker.svelte
 * over state/picker.svelte.ts): a combobox over the targets search; type a
 * name and Enter transfers blind (main's default, no `safe`), Shift+Enter
 * attended, Enter on a bare number transfers to that number, a name that
 * matches nothing says so (never a number error), Esc closes and hands focus
 * back through onclose.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TargetsView, TransferSnapshot } from '../../../preload/contract';
import TargetPicker from '../../../renderer/ui/components/targets/TargetPicker.svelte';
import { PickerModel, transferKeyHelp } from '../../../renderer/ui/state/picker.svelte';
import { TargetsModel } from '../../../renderer/ui/state/targets.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { basePreferences, fakeConsoleApi, settle, type Answer } from '../../support/console-api';
import { transferSnapshot } from '../../support/transfer-snapshot';

const view: TargetsView = {
  provider: 'configured',
  state: 'configured',
  reason: null,
  queues: [{ id: 'q1', name: 'Support', address: '2000', waiting: null, longestWaitSec: null, availableAgents: null }],
  colleagues: [
    { id: 'a1', name: 'Anna Schmidt', address: '2002', presence: 'available' },
    { id: 'a2', name: 'Andreas Kohl', address: '2005', presence: 'away' },
  ],
  agentStatus: null,
  updatedAt: 1,
};
const snap = (over: Partial<TransferSnapshot> = {}): TransferSnapshot => transferSnapshot(over);

async function setup(answers: Record<string, Answer> = {}) {
  const fake = fakeConsoleApi({
    preferences: { ...basePreferences, workspace: { dropAction: 'ask', favourites: ['2000'] } },
    answers: {
      'targets:list': () => ({ ok: true, value: view }),
      'history:page': () => ({ ok: true, value: { items: [], nextCursor: null } }),
      'transfer:list': () => ({ ok: true, value: [snap()] }),
      'transfer:blind': () => ({ ok: true, value: snap({ phase: 'pending' }) }),
      'transfer:attended': () => ({ ok: true, value: snap({ phase: 'consult-dialing' }) }),
      ...answers,
    },
  });
  const targets = new TargetsModel(fake.api);
  const transfers = new TransferModel(fake.api);
  const picker = new PickerModel(targets, transfers);
  const stops = [targets.start(), transfers.start(), picker.start()];
  const onclose = vi.fn();
  render(TargetPicker, { props: { picker, onclose } });
  await settle();
  picker.open('c1', 'Alice');
  await settle();
  const input = screen.getByRole('combobox', { name: 'Transfer to' }) as HTMLInputElement;
  return { fake, picker, onclose, input, stop: () => stops.forEach((s) => s()) };
}

const type = async (input: HTMLInputElement, value: string) => {
  await fireEvent.input(input, { target: { value } });
  await settle();
};
const options = () => screen.queryAllByRole('option').map((o) => o.querySelector('.name')?.textContent);

describe('TargetPicker', () => {
  it('opens for the call with focus in the combobox and the favourites listed', async () => {
    const { input } = await setup();
    expect(screen.getByRole('dialog', { name: 'Transfer the call with Alice' })).toBeTruthy();
    expect(document.activeElement).toBe(input);
    expect(options()).toEqual(['Support']);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe(screen.getAllByRole('option')[0].id);
  });

  it('type a name, Enter: main\u2019s default blind to that colleague (no `safe`), and the picker closes', async () => {
    const { input, fake, onclose } = await setup();
    await type(input, 'anna');
    expect(options()).toEqual(['Anna Schmidt']);
    await fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(fake.raw.transfer.blind).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Anna Schmidt', address: '2002' } });
    expect(fake.raw.transfer.blind.mock.calls[0][0]).not.toHaveProperty('safe');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onclose).toHaveBeenCalledWith('c1');
  });

  it('arrows move the highlight; Shift+Enter transfers attended to the highlighted target', async () => {
    const { input, fake } = await setup();
    await type(input, 'an');
    expect(options()).toEqual(['Anna Schmidt', 'Andreas Kohl']);
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getAllByRole('option')[1].getAttribute('aria-selected')).toBe('true');
    expect(input.getAttribute('aria-activedescendant')).toBe(screen.getAllByRole('option')[1].id);
    await fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    await settle();
    expect(fake.raw.transfer.attended).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Andreas Kohl', address: '2005' } });
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
  });

  it('Enter on a bare number transfers to that number', async () => {
    const { input, fake } = await setup();
    await type(input, '+49 30 1234');
    expect(within(screen.getAllByRole('option')[0]).getByText('Number')).toBeTruthy();
    await fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(fake.raw.transfer.blind).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'number', number: '+49 30 1234' } });
  });

  it('a name that matches nothing says so and sends nothing — never a number error', async () => {
    const { input, fake } = await setup();
    await type(input, 'Zoe');
    expect(input.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByText('No target matches “Zoe”. Type a number or SIP address to transfer there.')).toBeTruthy();
    await fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('No target matches “Zoe”. Type a number or SIP address to transfer there.');
    expect(screen.getByRole('alert').textContent).not.toMatch(/digits|number to transfer to/);
  });

  it('stays open with main\u2019s refusal naming the target', async () => {
    const { input, onclose } = await setup({ 'transfer:blind': () => ({ ok: false, code: 'not-allowed', message: 'the call is not answered yet' }) });
    await type(input, 'support');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await settle();
    expect(screen.getByRole('alert').textContent).toBe('Transfer to Support failed: the call is not answered yet');
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(onclose).not.toHaveBeenCalled();
  });

  it('Esc closes without sending and hands the call back for focus', async () => {
    const { input, fake, onclose, picker } = await setup();
    await type(input, 'anna');
    await fireEvent.keyDown(input, { key: 'Escape' });
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onclose).toHaveBeenCalledWith('c1');
    expect(picker.isOpen).toBe(false);
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
    // Opened again, it starts empty.
    picker.open('c1');
    await settle();
    expect((screen.getByRole('combobox') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('dialog', { name: 'Transfer the call' })).toBeTruthy();
  });

  it('has the buttons for a mouse, and words its keys for the help screen', async () => {
    const { input, fake } = await setup();
    await type(input, 'anna');
    await fireEvent.click(screen.getByRole('button', { name: 'Attended' }));
    await settle();
    expect(fake.raw.transfer.attended).toHaveBeenCalledOnce();
    expect(transferKeyHelp().picker).toBe('In the transfer picker: Enter transfers blind, Shift+Enter attended, Esc closes.');
  });
});
