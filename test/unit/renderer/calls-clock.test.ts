/**
 * The call timers' clock (CallsModel.now, renderer/ui/state/calls.svelte.ts):
 * an idle console keeps no timer at all; the once-a-second tick runs while a
 * call is up and stops when the last one ends; and a call's timer is exact
 * the moment the call appears, however long the console was idle — timers
 * are computed from the call's timestamps, not counted in ticks.
 */
import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import App from '../../../renderer/ui/App.svelte';
import { CallsModel } from '../../../renderer/ui/state/calls.svelte';
import { callSnapshot } from '../../support/call-snapshot';
import { fakeConsoleApi, settle } from '../../support/console-api';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A call the agent has been talking on for `secondsAgo` seconds. */
const talking = (id: string, secondsAgo: number): CallSnapshot =>
  callSnapshot({ id, state: 'established', answeredAt: Date.now() - secondsAgo * 1000, startedAt: Date.now() - (secondsAgo + 3) * 1000, allowedActions: ['hangup'] });

function calls(initial: CallSnapshot[] = []) {
  const fake = fakeConsoleApi({ answers: { 'calls:list': () => ({ ok: true, value: initial }) } });
  const model = new CallsModel(fake.api);
  const stop = model.start();
  return { fake, model, stop };
}

describe('the calls clock', () => {
  it('keeps no timer while there is no call, and its time stands still', async () => {
    const { model, stop } = calls();
    await settle();
    expect(model.list).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    const before = model.now;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(model.now).toBe(before);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts with the first call, ticks each second, and stops when the last call ends', async () => {
    const { fake, model, stop } = calls();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);

    await fake.emit('calls:changed', [talking('c1', 5)]);
    // Set by the push itself: exact at once, not at the next tick.
    expect(model.now).toBe(Date.now());
    expect(vi.getTimerCount()).toBe(1);
    const at = model.now;
    await vi.advanceTimersByTimeAsync(1000);
    expect(model.now).toBe(at + 1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(model.now).toBe(at + 3000);

    // A second call shares the one tick.
    await fake.emit('calls:changed', [talking('c1', 8), talking('c2', 0)]);
    expect(vi.getTimerCount()).toBe(1);
    // One ended, one still up: still ticking.
    await fake.emit('calls:changed', [{ ...talking('c1', 8), state: 'ended', endedAt: Date.now() }, talking('c2', 0)]);
    expect(vi.getTimerCount()).toBe(1);
    // The last ended (its card may stay a moment, its timer stands at endedAt): no tick.
    await fake.emit('calls:changed', [{ ...talking('c2', 0), state: 'ended', endedAt: Date.now() }]);
    expect(vi.getTimerCount()).toBe(0);
    const ended = model.now;
    await vi.advanceTimersByTimeAsync(5000);
    expect(model.now).toBe(ended);
    // Gone from the list: nothing either.
    await fake.emit('calls:changed', []);
    expect(vi.getTimerCount()).toBe(0);

    // The next call starts it again, and the stop clears it.
    await fake.emit('calls:changed', [talking('c3', 0)]);
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ticks from the start when main already has a call up', async () => {
    const { model, stop } = calls([talking('c1', 42)]);
    await settle();
    expect(model.list.map((c) => c.id)).toEqual(['c1']);
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts no tick when main answers the first read after the stop', async () => {
    const { model, stop } = calls([talking('c1', 42)]);
    stop();
    await settle();
    expect(model.list).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the call timer on screen', () => {
  it('shows the exact time the moment a call appears after a long idle, then counts on', async () => {
    const fake = fakeConsoleApi({
      // An account, so the console opens on the calls view.
      account: { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1@pbx.example.com', acceptSelfSigned: false, hasPassword: true },
      answers: { 'calls:list': () => ({ ok: true, value: [] }), 'transfer:list': () => ({ ok: true, value: [] }) },
    });
    render(App, { api: fake.api });
    await settle();
    // A quarter of an hour without a call: no tick moved the clock.
    await vi.advanceTimersByTimeAsync(15 * 60_000);

    await fake.emit('calls:changed', [talking('c1', 65)]);
    const timer = () => document.querySelector('[data-call-id="c1"] time')?.textContent;
    expect(timer()).toBe('1:05');
    expect(screen.getByLabelText(/1 minute 5 seconds/)).toBeTruthy();
    await vi.advanceTimersByTimeAsync(1000);
    expect(timer()).toBe('1:06');
  });
});
