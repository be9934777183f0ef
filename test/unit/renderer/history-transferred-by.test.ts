/**
 * Who transferred a call, on the history screen: the row's compact mark and
 * accessible name, the detail's sentence, English and German, axe, and the
 * keyboard path from the list to the detail. Calls that did not arrive by
 * transfer say nothing of it.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import axe from 'axe-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallSummary } from '../../../preload/contract';
import HistoryView from '../../../renderer/ui/components/history/HistoryView.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import { rowSummary, transferredByText, transferrerName } from '../../../renderer/ui/state/history-describe';
import { HistoryModel } from '../../../renderer/ui/state/history.svelte';
import { settle } from '../../support/console-api';
import { fakeHistoryApi, summary } from './history-fake';

afterEach(() => {
  locale.choice = 'en';
});

const anna = { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Anna Berg' };
const rows = (): CallSummary[] => [
  summary(3, { transferredBy: anna, remote: { number: '+1 202 555 0003', uri: null, displayName: 'Ada Lovelace' } }),
  summary(2, { transferredBy: { number: null, uri: 'sip:bob@pbx.example.com;transport=ws', displayName: null } }),
  summary(1),
];

async function view() {
  const fake = fakeHistoryApi(0, {}, rows());
  const model = new HistoryModel(fake.api, { typingQuietMs: 0, pageSize: 50 });
  const stop = model.start();
  const r = render(HistoryView, { props: { model, oncallback: vi.fn() } });
  await settle();
  return { fake, model, stop, ...r };
}

const grid = () => screen.getByRole('grid', { name: 'Calls, newest first' });
/** A row by its call's id, in any language. */
const row = (id: number) => screen.getByRole('grid').querySelector<HTMLElement>(`[data-call-id="${id}"]`)!;

describe('who transferred a call: what the screen says', () => {
  it('names them by name, else number, else address without its scheme and parameters', () => {
    const [a, b, plain] = rows();
    expect(transferrerName(a!)).toBe('Anna Berg');
    expect(transferrerName(b!)).toBe('bob@pbx.example.com');
    expect(transferrerName(summary(9, { transferredBy: { number: '2002', uri: 'sip:2002@pbx', displayName: null } }))).toBe('2002');
    expect(transferrerName(plain!)).toBeNull();
    expect(transferredByText(a!)).toBe('Transferred to you by Anna Berg (2001)');
    expect(transferredByText(b!)).toBe('Transferred to you by bob@pbx.example.com');
    expect(transferredByText(plain!)).toBeNull();
    expect(rowSummary(a!, '5 Jan')).toBe('Incoming call, Ada Lovelace +1 202 555 0003, 5 Jan, Answered, transferred to you by Anna Berg, talked 1 minute');
  });

  it('speaks German', () => {
    locale.choice = 'de';
    const [a, b] = rows();
    expect(transferredByText(a!)).toBe('Von Anna Berg (2001) an Sie weitergeleitet');
    expect(transferredByText(b!)).toBe('Von bob@pbx.example.com an Sie weitergeleitet');
    expect(rowSummary(a!, '5. Jan.')).toContain('von Anna Berg an Sie weitergeleitet');
  });
});

describe('who transferred a call: the list and the detail', () => {
  it('marks the row compactly and says it in the row’s accessible name; other rows carry no mark', async () => {
    await view();
    expect(within(row(3)).getByTestId('history-row-via').textContent).toBe('Via Anna Berg');
    expect(row(3).getAttribute('aria-label')).toContain('transferred to you by Anna Berg');
    expect(within(row(2)).getByTestId('history-row-via').textContent).toBe('Via bob@pbx.example.com');
    expect(within(row(1)).queryByTestId('history-row-via')).toBeNull();
    expect(row(1).getAttribute('aria-label')).not.toContain('transferred to you');
  });

  it('opens by keyboard on a detail that says "Transferred to you by Anna Berg", with axe finding nothing', async () => {
    const { fake, container } = await view();
    grid().focus();
    await fireEvent.keyDown(grid(), { key: 'Home' });
    await fireEvent.keyDown(grid(), { key: 'Enter' });
    await settle();
    expect(fake.raw.history.get).toHaveBeenLastCalledWith(3);
    const detail = screen.getByTestId('history-detail');
    expect(within(detail).getByRole('heading', { name: 'Call with Ada Lovelace' })).toBeTruthy();
    expect(within(detail).getByTestId('history-transferred-by').textContent).toBe('Transferred to you by Anna Berg (2001)');
    const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false }, region: { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);

    // Esc gives the list the keyboard back; the next call, not transferred, says nothing of it.
    await fireEvent.keyDown(window, { key: 'Escape' });
    await settle();
    await fireEvent.keyDown(grid(), { key: 'End' });
    await fireEvent.keyDown(grid(), { key: 'Enter' });
    await settle();
    expect(fake.raw.history.get).toHaveBeenLastCalledWith(1);
    expect(within(screen.getByTestId('history-detail')).queryByTestId('history-transferred-by')).toBeNull();
  });

  it('in German, the mark and the detail', async () => {
    locale.choice = 'de';
    await view();
    expect(within(row(3)).getByTestId('history-row-via').textContent).toBe('Über Anna Berg');
    await fireEvent.dblClick(row(3));
    await settle();
    expect(screen.getByTestId('history-transferred-by').textContent).toBe('Von Anna Berg (2001) an Sie weitergeleitet');
  });
});
