/**
 * Drag a call card onto a target (renderer/ui/state/drag.svelte.ts with the
 * targets panel): every target says whether it takes the call while it is
 * dragged, Shift drops attended and Alt blind, preferences.workspace.dropAction
 * decides without a modifier, a busy / ringing / offline target asks first,
 * and the request sent is exactly the one chosen (default blind omits
 * `safe`, plain blind says `safe: false`, attended names the target).
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Preferences, SettingsView, TargetsView, TransferSnapshot } from '../../../preload/contract';
import TargetsPanel from '../../../renderer/ui/components/targets/TargetsPanel.svelte';
import { DragModel, dragSource } from '../../../renderer/ui/state/drag.svelte';
import { TargetsModel } from '../../../renderer/ui/state/targets.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { basePreferences, fakeConsoleApi, settle, type Answer } from '../../support/console-api';
import { transferSnapshot } from '../../support/transfer-snapshot';

const view: TargetsView = {
  provider: 'sip',
  state: 'live',
  reason: null,
  queues: [
    { id: 'q1', name: 'Support', address: '2000', waiting: 0, longestWaitSec: 0, availableAgents: 1 },
    { id: 'q2', name: 'Billing', address: null, waiting: 1, longestWaitSec: 5, availableAgents: 0 },
  ],
  colleagues: [
    { id: 'a1', name: 'Anna', address: '2002', presence: 'available' },
    { id: 'a2', name: 'Bert', address: '2003', presence: 'busy' },
  ],
  agentStatus: null,
  updatedAt: 1,
};

const idle = (over: Partial<TransferSnapshot> = {}): TransferSnapshot => transferSnapshot(over);

let cleanupCard: (() => void) | null = null;
afterEach(() => {
  cleanupCard?.();
  cleanupCard = null;
  document.body.innerHTML = '';
});

async function setup(options: { snapshot?: TransferSnapshot; dropAction?: Preferences['workspace']['dropAction']; answers?: Record<string, Answer> } = {}) {
  const preferences: SettingsView['preferences'] = { ...basePreferences, workspace: { dropAction: options.dropAction ?? 'ask', favourites: [] } };
  const fake = fakeConsoleApi({
    preferences,
    answers: {
      'targets:list': () => ({ ok: true, value: view }),
      'history:page': () => ({ ok: true, value: { items: [], nextCursor: null } }),
      'transfer:list': () => ({ ok: true, value: [options.snapshot ?? idle()] }),
      'transfer:blind': () => ({ ok: true, value: idle({ phase: 'pending', allowedActions: ['undo'] }) }),
      'transfer:attended': () => ({ ok: true, value: idle({ phase: 'consult-dialing', allowedActions: ['cancel'] }) }),
      ...options.answers,
    },
  });
  const targets = new TargetsModel(fake.api);
  const transfers = new TransferModel(fake.api);
  const drag = new DragModel(fake.api, transfers);
  const stops = [targets.start(), transfers.start(), drag.start()];
  const started: string[] = [];
  render(TargetsPanel, { props: { targets, transfers, drag, onstart: (id: string) => started.push(id) } });
  // The lead's call card: anything focusable carrying the attachment.
  const card = document.createElement('article');
  card.tabIndex = -1;
  card.textContent = 'Call with Alice';
  document.body.append(card);
  cleanupCard = dragSource(drag, 'c1', 'Alice')(card) as () => void;
  await settle();
  return { fake, drag, card, started, stop: () => stops.forEach((s) => s()) };
}

const rowOf = (name: string) => screen.getAllByText(name, { selector: '.name' })[0].closest('li')!;

/** Presses the card, moves onto `row` (jsdom has no layout: the event's target is what lies under the pointer). */
async function dragOnto(card: HTMLElement, row: HTMLElement) {
  await fireEvent.pointerDown(card, { button: 0, pointerId: 1, clientX: 10, clientY: 10 });
  await fireEvent.pointerMove(row, { pointerId: 1, clientX: 200, clientY: 120 });
}
async function release(row: HTMLElement, mods: { shiftKey?: boolean; altKey?: boolean } = {}) {
  await fireEvent.pointerUp(row, { pointerId: 1, clientX: 200, clientY: 120, ...mods });
  // The click a browser fires right after a drag's pointerup is swallowed until the next task.
  await new Promise((r) => setTimeout(r, 0));
  await settle();
}

describe('dragging a call onto targets', () => {
  it('shows on every target whether it takes the call, with a ghost under the pointer', async () => {
    const { card } = await setup();
    await dragOnto(card, rowOf('Anna'));
    expect(screen.getByTestId('drag-ghost').textContent?.trim()).toBe('Transfer Alice to Anna');
    expect(rowOf('Anna').dataset.verdict).toBe('accept');
    expect(within(rowOf('Anna')).getByText('Drop to transfer')).toBeTruthy();
    expect(rowOf('Anna').classList.contains('over')).toBe(true);
    expect(rowOf('Support').dataset.verdict).toBe('accept');
    expect(rowOf('Billing').dataset.verdict).toBe('refuse-address');
    expect(within(rowOf('Billing')).getByText('No address')).toBeTruthy();
    expect(rowOf('Bert').dataset.verdict).toBe('warn');
    expect(within(rowOf('Bert')).getByText('Busy — asks first')).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    expect(rowOf('Anna').dataset.verdict).toBeUndefined();
  });

  it('refuses every target when main allows the call no start, and a drop sends nothing', async () => {
    const { card, fake } = await setup({ snapshot: idle({ allowedActions: [] }) });
    await dragOnto(card, rowOf('Anna'));
    expect(rowOf('Anna').dataset.verdict).toBe('refuse-call');
    expect(within(rowOf('Anna')).getByText('Can’t transfer now')).toBeTruthy();
    expect(screen.getByTestId('drag-ghost').textContent?.trim()).toBe('Transfer Alice');
    await release(rowOf('Anna'), { shiftKey: true });
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
    expect(fake.raw.transfer.attended).not.toHaveBeenCalled();
    expect(screen.getByRole('status').textContent).toBe('The call with Alice can’t be transferred right now.');
  });

  it('a press that does not move is a click; the click ending a drag is not, and a button inside the card keeps its press', async () => {
    const { card } = await setup();
    const clicks = vi.fn();
    card.addEventListener('click', clicks);
    await fireEvent.pointerDown(card, { button: 0, pointerId: 1, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(card, { pointerId: 1, clientX: 12, clientY: 11 });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
    await fireEvent.pointerUp(card, { pointerId: 1, clientX: 12, clientY: 11 });
    await fireEvent.click(card);
    expect(clicks).toHaveBeenCalledTimes(1);

    await dragOnto(card, rowOf('Support'));
    await fireEvent.pointerUp(document.body, { pointerId: 1, clientX: 500, clientY: 500 });
    await fireEvent.click(card);
    expect(clicks).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('dialog')).toBeNull();

    const hangup = card.appendChild(document.createElement('button'));
    await fireEvent.pointerDown(hangup, { button: 0, pointerId: 2, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(rowOf('Support'), { pointerId: 2, clientX: 200, clientY: 200 });
    expect(screen.queryByTestId('drag-ghost')).toBeNull();
  });
});

describe('dropping', () => {
  it('Shift drops attended with the target, straight away', async () => {
    const { card, fake, started } = await setup();
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'), { shiftKey: true });
    expect(fake.raw.transfer.attended).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Anna', address: '2002' } });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(started).toEqual(['c1']);
  });

  it('Alt drops main\u2019s default blind: the request carries no `safe`', async () => {
    const { card, fake } = await setup();
    await dragOnto(card, rowOf('Support'));
    await release(rowOf('Support'), { altKey: true });
    expect(fake.raw.transfer.blind).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'queue', name: 'Support', address: '2000' } });
    expect(fake.raw.transfer.blind.mock.calls[0][0]).not.toHaveProperty('safe');
  });

  it('without a modifier, preferences.workspace.dropAction decides', async () => {
    const { card, fake } = await setup({ dropAction: 'attended' });
    await dragOnto(card, rowOf('Support'));
    await release(rowOf('Support'));
    expect(fake.raw.transfer.attended).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'queue', name: 'Support', address: '2000' } });
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
  });

  it('follows a dropAction changed in settings', async () => {
    const { card, fake } = await setup();
    await fake.emit('settings:changed', { account: null, provider: { kind: 'configured' }, preferences: { ...basePreferences, workspace: { dropAction: 'blind', favourites: [] } } });
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'));
    expect(fake.raw.transfer.blind).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Anna', address: '2002' } });
  });

  it('"ask" opens the choice with focus in it; Esc cancels and gives focus back to the call', async () => {
    const { card, fake } = await setup();
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'));
    const dialog = screen.getByRole('dialog', { name: 'Transfer Alice to Anna' });
    expect(within(dialog).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Blind', 'Plain blind', 'Attended', 'Cancel']);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Blind' }));
    expect(within(dialog).getByRole('button', { name: 'Plain blind' }).getAttribute('aria-describedby')).toBeTruthy();
    expect(within(dialog).getByText('You are released at once. If Anna is busy or doesn’t answer, the caller is lost.')).toBeTruthy();
    expect(within(dialog).getByText('Next time: hold Shift while dropping for attended, Alt for blind.')).toBeTruthy();
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(card);
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
  });

  it('the choice sends the explicit plain blind with `safe: false`, and the default blind without `safe`', async () => {
    const { card, fake } = await setup();
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'));
    await fireEvent.click(screen.getByRole('button', { name: 'Plain blind' }));
    await settle();
    expect(fake.raw.transfer.blind).toHaveBeenLastCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Anna', address: '2002' }, safe: false });
    expect(screen.queryByRole('dialog')).toBeNull();
    await fake.emit('transfer:changed', idle());
    await dragOnto(card, rowOf('Support'));
    await release(rowOf('Support'));
    await fireEvent.click(screen.getByRole('button', { name: 'Blind' }));
    await settle();
    expect(fake.raw.transfer.blind).toHaveBeenLastCalledWith({ callId: 'c1', target: { kind: 'queue', name: 'Support', address: '2000' } });
  });

  it('offers only what main allows: no plain blind beside a plain default, no attended where the backend cannot', async () => {
    const { card } = await setup({ snapshot: idle({ allowedActions: ['blind'], blindDefault: 'plain' }) });
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'), { shiftKey: true });
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Blind', 'Cancel']);
    // Without a safe blind, the default Blind spells out the plain blind's risk before the agent commits.
    expect(within(dialog).getByText('You are released as soon as Anna starts ringing. If they don\u2019t answer, the caller may be lost.')).toBeTruthy();
  });

  it('where attended is the phone system\u2019s consult on this very call, the choice says that hanging up early drops the caller', async () => {
    const { card } = await setup({ snapshot: idle({ allowedActions: ['blind', 'attended'], blindDefault: 'plain', consultOnLeg: true }) });
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByText(/Don\u2019t hang up before they answer — the phone system would drop the caller\./)).toBeTruthy();
  });

  it('a busy target warns before anything is sent, even with a modifier', async () => {
    const { card, fake } = await setup();
    await dragOnto(card, rowOf('Bert'));
    await release(rowOf('Bert'), { shiftKey: true });
    expect(fake.raw.transfer.attended).not.toHaveBeenCalled();
    const dialog = screen.getByRole('dialog', { name: 'Transfer Alice to Bert' });
    expect(within(dialog).getByText('Bert is busy right now.')).toBeTruthy();
    expect(dialog.getAttribute('aria-describedby')).toBe(within(dialog).getByText('Bert is busy right now.').id);
    // Shift preselected attended: focus starts there.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Attended' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Attended' }));
    await settle();
    expect(fake.raw.transfer.attended).toHaveBeenCalledWith({ callId: 'c1', target: { kind: 'colleague', name: 'Bert', address: '2003' } });
  });

  it('a queue without an address takes no drop and says why', async () => {
    const { card, fake } = await setup();
    await dragOnto(card, rowOf('Billing'));
    await release(rowOf('Billing'), { altKey: true });
    expect(fake.raw.transfer.blind).not.toHaveBeenCalled();
    expect(screen.getByRole('status').textContent).toBe('Billing has no address, so it can’t take a transfer.');
  });

  it('keeps the choice open with main\u2019s refusal, naming the target', async () => {
    const { card } = await setup({ answers: { 'transfer:attended': () => ({ ok: false, code: 'busy', message: 'another transfer is under way' }) } });
    await dragOnto(card, rowOf('Anna'));
    await release(rowOf('Anna'));
    await fireEvent.click(screen.getByRole('button', { name: 'Attended' }));
    await settle();
    expect(within(screen.getByRole('dialog')).getByRole('alert').textContent).toBe('Transfer to Anna failed: another transfer is under way');
  });
});
