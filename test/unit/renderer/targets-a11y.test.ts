/**
 * axe-core over the targets panel mid-drag, the drop choice, the keyboard
 * picker, an undo toast and a transfer strip, rendered together in jsdom:
 * zero violations of any impact (names, roles, labels, ARIA references).
 * Colour contrast needs a layout engine and is left to the built-UI tests in
 * Chromium; the colours all come from the theme's variables.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import type { TargetsView, TransferSnapshot } from '../../../preload/contract';
import TargetPicker from '../../../renderer/ui/components/targets/TargetPicker.svelte';
import TargetsPanel from '../../../renderer/ui/components/targets/TargetsPanel.svelte';
import TransferStrip from '../../../renderer/ui/components/transfer/TransferStrip.svelte';
import UndoToasts from '../../../renderer/ui/components/transfer/UndoToasts.svelte';
import { DragModel, dragSource } from '../../../renderer/ui/state/drag.svelte';
import { PickerModel } from '../../../renderer/ui/state/picker.svelte';
import { TargetsModel } from '../../../renderer/ui/state/targets.svelte';
import { TransferModel } from '../../../renderer/ui/state/transfer.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';
import { transferSnapshot } from '../../support/transfer-snapshot';

const view: TargetsView = {
  provider: 'voipbin',
  state: 'failed',
  reason: 'the platform refused the login',
  queues: [
    { id: 'q1', name: 'Support', address: '2000', waiting: 2, longestWaitSec: 40, availableAgents: 1 },
    { id: 'q2', name: 'Billing', address: null, waiting: null, longestWaitSec: null, availableAgents: null },
  ],
  colleagues: [
    { id: 'a1', name: 'Anna', address: '2002', presence: 'available' },
    { id: 'a2', name: 'Bert', address: '2003', presence: 'busy' },
    { id: 'a3', name: 'Cleo', address: '2004', presence: 'unknown' },
  ],
  agentStatus: null,
  updatedAt: 1,
};
const snap = (over: Partial<TransferSnapshot> = {}): TransferSnapshot => transferSnapshot(over);

async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.map((v) => `${v.impact}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('accessibility of the transfer workspace', () => {
  it('has no axe violations mid-drag, with the drop choice, the picker, a toast and strips open', async () => {
    const now = Date.now();
    const pending = snap({
      callId: 'c2',
      phase: 'pending',
      mode: 'blind',
      target: { kind: 'number', label: '4711', uri: 'sip:4711@pbx.test' },
      undoDeadline: now + 3000,
      timeline: [{ step: 'requested', at: now, sipCode: null, note: null }],
      allowedActions: ['undo', 'complete'],
    });
    const busy = { code: 'busy' as const, message: 'busy', sipCode: 486 };
    const fake = fakeConsoleApi({
      preferences: { ...basePreferences, workspace: { dropAction: 'ask', favourites: ['2002'] } },
      answers: {
        'targets:list': () => ({ ok: true, value: view }),
        'history:page': () => ({ ok: true, value: { items: [], nextCursor: null } }),
        'transfer:list': () => ({ ok: true, value: [snap(), pending] }),
      },
    });
    const targets = new TargetsModel(fake.api);
    const transfers = new TransferModel(fake.api);
    const drag = new DragModel(fake.api, transfers);
    const picker = new PickerModel(targets, transfers);
    const stops = [targets.start(), transfers.start(), drag.start(), picker.start()];
    // The panel sits in the app's complementary column, named by its heading.
    const aside = document.body.appendChild(document.createElement('aside'));
    aside.setAttribute('aria-labelledby', 'targets-heading');
    render(TargetsPanel, { target: aside, props: { targets, transfers, drag } });
    render(UndoToasts, { props: { transfers } });
    render(TargetPicker, { props: { picker } });
    // The strip lives in a call card inside the app's main landmark.
    const main = document.body.appendChild(document.createElement('main'));
    render(TransferStrip, {
      target: main,
      props: {
        snapshot: snap({ allowedActions: ['attended'], reason: busy, outcome: { result: 'caller-back', target: '2002', reason: busy, at: now }, timeline: pending.timeline }),
        error: { code: 'not-allowed', message: 'Transfer to 2002 failed: not now' },
        onaction: () => {},
        onpick: () => {},
      },
    });
    const card = document.createElement('article');
    card.setAttribute('aria-label', 'Call with Alice');
    main.append(card);
    const off = dragSource(drag, 'c1', 'Alice')(card) as () => void;
    await settle();

    // Mid-drag over a busy colleague: every row shows its verdict.
    const bert = screen.getAllByText('Bert', { selector: '.name' })[0].closest('li')!;
    await fireEvent.pointerDown(card, { button: 0, pointerId: 1, clientX: 0, clientY: 0 });
    await fireEvent.pointerMove(bert, { pointerId: 1, clientX: 50, clientY: 50 });
    expect(await violations()).toEqual([]);

    // Dropped: the choice with its warning; then the picker on top with results.
    await fireEvent.pointerUp(bert, { pointerId: 1, clientX: 50, clientY: 50 });
    await settle();
    expect(screen.getByRole('dialog', { name: 'Transfer Alice to Bert' })).toBeTruthy();
    picker.open('c1', 'Alice');
    picker.type('an');
    await settle();
    expect(screen.getAllByRole('option').length).toBeGreaterThan(0);
    expect(await violations()).toEqual([]);

    off();
    stops.forEach((s) => s());
  });
});
