/**
 * The history view in jsdom over the fake console API: empty states that tell
 * the truth, the keyboard (arrows, Enter, C, /, Esc), call-back by button and
 * by drag, the live region's count, and rows that keep their elements while
 * the list scrolls.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import HistoryView from '../../../renderer/ui/components/history/HistoryView.svelte';
import { HistoryModel, type HistoryModelOptions } from '../../../renderer/ui/state/history.svelte';
import { windowSlots } from '../../../renderer/ui/state/history-window';
import { settle } from '../../support/console-api';
import { manualPaintClock } from '../../support/paint-clock';
import { fakeHistoryApi } from './history-fake';

async function view(n: number, answers = {}, options: HistoryModelOptions = {}) {
  const fake = fakeHistoryApi(n, answers);
  const model = new HistoryModel(fake.api, { typingQuietMs: 0, pageSize: 50, ...options });
  const stop = model.start();
  const oncallback = vi.fn();
  const r = render(HistoryView, { props: { model, oncallback } });
  await settle();
  return { fake, model, oncallback, stop, ...r };
}

const grid = () => screen.getByRole('grid', { name: 'Calls, newest first' });
const activeRow = () => document.getElementById(grid().getAttribute('aria-activedescendant') ?? '');

describe('history view: empty states', () => {
  it('says "No calls yet" for an empty history', async () => {
    await view(0);
    expect(screen.getByRole('heading', { name: 'No calls yet' })).toBeTruthy();
    expect(screen.queryByRole('grid')).toBeNull();
  });

  it('says no call matches the search and how to widen it, and offers to clear the filters when some are set', async () => {
    const { model } = await view(3, { 'history:search': () => ({ ok: true, value: { items: [], nextCursor: null } }) });
    model.type('zzq');
    await settle();
    expect(screen.getByRole('heading', { name: 'No calls match “zzq”' })).toBeTruthy();
    expect(screen.getByText(/type fewer words, or only the last digits/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
    model.setFilter({ direction: 'outgoing' });
    await settle();
    const clear = screen.getAllByRole('button', { name: 'Clear filters' });
    expect(clear.length).toBeGreaterThan(0);
    await fireEvent.click(clear.at(-1)!);
    await settle();
    expect(model.filter.direction).toBe('');
  });

  it("says the history could not be opened, in main's words, with what to do", async () => {
    await view(3, { 'history:page': () => ({ ok: false, code: 'unavailable', message: 'The call history was written by a newer version of the console.' }) });
    expect(screen.getByRole('heading', { name: 'History could not be opened' })).toBeTruthy();
    expect(screen.getByText(/written by a newer version of the console\. Restart the console/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('reports the count in a live region', async () => {
    await view(7);
    const status = screen.getByTestId('history-count');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toBe('7 calls');
  });
});

describe('history view: keyboard and call-back', () => {
  it('moves with the arrows, opens with Enter, closes with Esc, and calls back with C', async () => {
    const { fake, oncallback, model } = await view(120);
    expect(activeRow()?.dataset['callId']).toBe('120');
    grid().focus();
    await fireEvent.keyDown(grid(), { key: 'ArrowDown' });
    await fireEvent.keyDown(grid(), { key: 'ArrowDown' });
    expect(activeRow()?.dataset['callId']).toBe('118');
    expect(activeRow()?.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(grid(), { key: 'End' });
    await settle();
    expect(model.activeIndex).toBe(model.known - 1);
    await fireEvent.keyDown(grid(), { key: 'Home' });
    await fireEvent.keyDown(grid(), { key: 'Enter' });
    await settle();
    expect(fake.raw.history.get).toHaveBeenLastCalledWith(120);
    expect(screen.getByRole('heading', { name: 'Call with Caller 120' })).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'Escape' });
    await settle();
    expect(screen.queryByTestId('history-detail')).toBeNull();
    await fireEvent.keyDown(grid(), { key: 'c' });
    expect(oncallback).toHaveBeenCalledWith('+1 202 555 0120');
  });

  it('/ focuses the search box (but types a slash inside a field)', async () => {
    await view(3);
    await fireEvent.keyDown(window, { key: '/' });
    expect(document.activeElement?.id).toBe('history-search');
  });

  it('calls back from the row button, never from a plain click on the row', async () => {
    const { oncallback } = await view(3);
    const row = document.querySelector('[data-call-id="2"]') as HTMLElement;
    await fireEvent.click(row);
    expect(oncallback).not.toHaveBeenCalled();
    await fireEvent.click(within(row).getByRole('button', { name: 'Call back Caller 2' }));
    expect(oncallback).toHaveBeenCalledWith('+1 202 555 0002');
  });

  it('puts the number on a dragged row as text/plain and as the console’s own type', async () => {
    await view(3);
    const row = document.querySelector('[data-call-id="3"]') as HTMLElement;
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), effectAllowed: '' };
    await fireEvent.dragStart(row, { dataTransfer });
    expect(Object.fromEntries(data)).toEqual({ 'text/plain': '+1 202 555 0003', 'application/x-agent-console-number': '+1 202 555 0003' });
  });

  it('marks missed calls seen when shown, and follows main’s pushes for the badge after the next paint', async () => {
    const paintClock = manualPaintClock();
    const { fake, model } = await view(3, {}, { paintClock });
    expect(fake.raw.history.markSeen).toHaveBeenCalledWith({ throughId: 3 });
    const before = model.unseenMissed;
    await fake.emit('history:changed', { missed: { unseen: 4, seenThrough: 3 }, latestId: 3 });
    // Not while a ringing card may be on its way to the screen: once that frame is painted.
    expect(model.unseenMissed).toBe(before);
    paintClock.paint();
    expect(model.unseenMissed).toBe(4);
  });
});

describe('history view: scrolling', () => {
  it('hands the element of a row scrolled out to the row scrolled in, and leaves the rows that stayed as they were', async () => {
    const { model } = await view(120);
    // The model's defaults: 6 rows of overscan, 12 more ahead while scrolling.
    const slots = windowSlots(model.viewportHeight, model.rowHeight, 6, 12);
    const leaving = document.getElementById('history-row-0')!;
    const staying = document.getElementById('history-row-8')!;
    const stayingRow = model.visibleRows.find((r) => r.index === 8);
    model.setViewport(10 * model.rowHeight, model.viewportHeight);
    await settle();
    expect(document.getElementById('history-row-0')).toBeNull();
    // Row `slots` took row 0's slot: the same element, now showing its call.
    expect(leaving.id).toBe(`history-row-${slots}`);
    expect(leaving.dataset['callId']).toBe(String(120 - slots));
    expect(document.getElementById('history-row-8')).toBe(staying);
    expect(model.visibleRows.find((r) => r.index === 8)).toBe(stayingRow);
  });
});
