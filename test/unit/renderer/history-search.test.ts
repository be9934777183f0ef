/**
 * Search as you type: the first keystroke after a pause searches at once,
 * a burst of keystrokes is one search when typing pauses, and a slow answer
 * to an older query never replaces the answer to a newer one.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Result } from '../../../preload/contract';
import { HistoryModel } from '../../../renderer/ui/state/history.svelte';
import { TypingDebounce, type TypingTimers } from '../../../renderer/ui/state/history-typing';
import { settle } from '../../support/console-api';
import { fakeHistoryApi, summary } from './history-fake';

/** Timers the test moves by hand. */
function manualTimers() {
  let now = 0;
  let queue: Array<{ at: number; fn: () => void; id: number }> = [];
  let next = 1;
  const timers: TypingTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      queue = queue.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of queue.filter((q) => q.at <= now)) {
      queue = queue.filter((q) => q !== t);
      t.fn();
    }
  };
  return { timers, advance, pending: () => queue.length };
}

describe('TypingDebounce', () => {
  it('runs the first keystroke after a pause at once, and a burst once, when typing stops', () => {
    const { timers, advance, pending } = manualTimers();
    const run = vi.fn();
    const typing = new TypingDebounce(run, 100, timers);
    typing.input('2');
    expect(run.mock.calls).toEqual([['2']]);
    advance(40);
    typing.input('20');
    advance(40);
    typing.input('202');
    advance(40);
    typing.input('2025');
    expect(run).toHaveBeenCalledTimes(1);
    advance(99);
    expect(run).toHaveBeenCalledTimes(1);
    advance(1);
    expect(run.mock.calls).toEqual([['2'], ['2025']]);
    expect(pending()).toBe(0);
    // After a pause, the next keystroke runs at once again.
    advance(500);
    typing.input('20255');
    expect(run.mock.calls.at(-1)).toEqual(['20255']);
  });

  it('flush runs what waits now (Enter), dispose drops it', () => {
    const { timers, advance, pending } = manualTimers();
    const run = vi.fn();
    const typing = new TypingDebounce(run, 100, timers);
    typing.input('a');
    typing.input('ad');
    typing.flush();
    expect(run.mock.calls).toEqual([['a'], ['ad']]);
    typing.input('ada');
    typing.dispose();
    advance(1000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(pending()).toBe(0);
  });
});

describe('HistoryModel search', () => {
  it('shows the newest query’s answer even when an older query answers last', async () => {
    const answers: Record<string, (r: Result<unknown>) => void> = {};
    const fake = fakeHistoryApi(20, {
      'history:search': (req: { query: string }) =>
        new Promise<Result<unknown>>((resolve) => {
          answers[req.query] = resolve;
        }),
    });
    const model = new HistoryModel(fake.api, { typingQuietMs: 0 });
    model.start();
    await settle();
    expect(model.row(0)?.id).toBe(20);

    model.type('ada');
    model.type('ada l');
    expect(Object.keys(answers)).toEqual(['ada', 'ada l']);
    answers['ada l']!({ ok: true, value: { items: [summary(7, { remote: { number: '7', uri: null, displayName: 'Ada Lovelace' } })], nextCursor: null } });
    await settle();
    expect(model.known).toBe(1);
    expect(model.row(0)?.id).toBe(7);
    // The slow, older answer arrives: it is not shown.
    answers['ada']!({ ok: true, value: { items: [summary(3), summary(2)], nextCursor: null } });
    await settle();
    expect(model.known).toBe(1);
    expect(model.row(0)?.id).toBe(7);
    expect(model.activeQuery).toBe('ada l');
    model.dispose();
  });

  it("keeps the list while main refuses the search as typed, and shows main's reason", async () => {
    const fake = fakeHistoryApi(5, {
      'history:search': () => ({ ok: false, code: 'invalid-request', message: 'Type at least 3 digits to search for a number.' }),
    });
    const model = new HistoryModel(fake.api, { typingQuietMs: 0 });
    model.start();
    await settle();
    model.type('12');
    await settle();
    expect(model.hint).toBe('Type at least 3 digits to search for a number.');
    expect(model.status).toBe('ready');
    expect(model.known).toBe(5);
    model.dispose();
  });

  it('sends the filters with the search, the whole "to" day included', async () => {
    const fake = fakeHistoryApi(5);
    const model = new HistoryModel(fake.api, { typingQuietMs: 0 });
    model.start();
    await settle();
    model.setFilter({ direction: 'incoming', outcome: 'missed', transferred: true, from: '2026-01-02', to: '2026-01-03' });
    model.type('ada');
    await settle();
    const search = fake.raw.history.search.mock.calls.at(-1)![0];
    expect(search).toMatchObject({
      query: 'ada',
      filter: {
        direction: 'incoming',
        outcomes: ['missed'],
        transferred: true,
        from: new Date(2026, 0, 2).getTime(),
        to: new Date(2026, 0, 4).getTime(),
      },
    });
    model.dispose();
  });
});
