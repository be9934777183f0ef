import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../main/logging/logger';
import { applyRetention, retentionCutoff, startRetention, tidySearchIndex, type Prunable } from '../../../main/history/retention';
import { openRepo, recordCall, tempDir } from './history-fixtures';

const day = 24 * 60 * 60 * 1000;
const NOW = 1_800_000_000_000;

describe('retentionCutoff', () => {
  it('is now minus N days, or null (keep forever)', () => {
    expect(retentionCutoff(NOW, 30)).toBe(NOW - 30 * day);
    expect(retentionCutoff(NOW, null)).toBeNull();
  });
});

describe('applyRetention', () => {
  it('deletes in bounded batches until a short batch, and does nothing when kept forever', async () => {
    let left = 1_050;
    const limits: number[] = [];
    const store: Prunable = {
      deleteEndedBefore(_cutoff, limit) {
        limits.push(limit);
        const n = Math.min(limit, left);
        left -= n;
        return n;
      },
    };
    expect(await applyRetention(store, null)).toBe(0);
    expect(limits).toEqual([]);
    expect(await applyRetention(store, 123, { batchSize: 100 })).toBe(1_050);
    expect(limits).toEqual(Array(11).fill(100));
  });

  it('against the real database: removes old ended calls with their notes, steps and search rows; keeps recent and live ones', async () => {
    const tmp = tempDir('history-retention-');
    const repo = openRepo(tmp.dir, () => NOW);
    try {
      for (let i = 0; i < 1_234; i++) {
        recordCall(repo, { callId: `old${i}`, at: NOW - 40 * day + i, number: '+12025550134', name: 'Old Caller', transferTo: i % 10 ? undefined : 'sip:q@pbx' });
      }
      for (let i = 0; i < 5; i++) recordCall(repo, { callId: `new${i}`, at: NOW - day + i, number: '+12025550134' });
      repo.addNote(1, 'old note about pineapples');
      // Started long ago and still up: never pruned while live.
      repo.callStarted({ callId: 'live', direction: 'incoming', localLine: 'l', remote: { number: '999' }, at: NOW - 50 * day });

      const batches: number[] = [];
      const spy: Prunable = { deleteEndedBefore: (c, l) => (batches.push(l), repo.deleteEndedBefore(c, l)) };
      expect(await applyRetention(spy, retentionCutoff(NOW, 30), { batchSize: 100 })).toBe(1_234);
      expect(batches).toHaveLength(13);

      const left = repo.page({ limit: 200 }).items.map((c) => c.callId);
      expect(left).toEqual(['new4', 'new3', 'new2', 'new1', 'new0', 'live']);
      expect(repo.search({ query: 'pineapples' }).items).toEqual([]);
      expect(repo.search({ query: 'old caller' }).items).toEqual([]);
      expect(repo.search({ query: '2025550134' }).items).toHaveLength(5);
      expect(repo.integrityCheck()).toBe('ok');
    } finally {
      repo.close();
      tmp.remove();
    }
  });
});

describe('tidySearchIndex', () => {
  it('merges the search index in bounded steps until nothing is left, and search still finds everything', async () => {
    const tmp = tempDir('history-tidy-');
    const repo = openRepo(tmp.dir, () => NOW);
    try {
      // One transaction per call: every commit leaves a small FTS5 segment behind.
      for (let i = 0; i < 300; i++) recordCall(repo, { callId: `c${i}`, at: NOW + i, name: `Caller ${i}`, number: `+1202555${String(i).padStart(4, '0')}` });
      let steps = 0;
      const counting: Prunable = {
        deleteEndedBefore: () => 0,
        mergeSearchIndexStep: () => (steps++, repo.mergeSearchIndexStep(64)),
      };
      expect(await tidySearchIndex(counting)).toBe(steps);
      expect(steps).toBeGreaterThan(1); // bounded: more than one step for this much
      expect(repo.mergeSearchIndexStep()).toBe(false); // nothing left
      expect(repo.search({ query: 'caller 299' }).items.map((c) => c.callId)).toEqual(['c299']);
      expect(repo.search({ query: 'caller' }).items).toHaveLength(50);
      expect(repo.integrityCheck()).toBe('ok');
      expect(await tidySearchIndex({ deleteEndedBefore: () => 0 })).toBe(0);
      expect(await tidySearchIndex(counting, { maxSteps: 1 })).toBe(1);
    } finally {
      repo.close();
      tmp.remove();
    }
  });
});

describe('startRetention', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at start and then daily with the setting read each time; its timer is unref’d and stopped', async () => {
    vi.useFakeTimers();
    const cutoffs: Array<number> = [];
    let merges = 0;
    const store: Prunable = { deleteEndedBefore: (cutoff) => (cutoffs.push(cutoff), 0), mergeSearchIndexStep: () => (merges++, false) };
    let days: number | null = 30;
    let now = NOW;
    const unref = vi.spyOn(globalThis, 'setInterval');
    const task = startRetention({ store, retentionDays: () => days, now: () => now, log: silentLogger });
    await vi.advanceTimersByTimeAsync(0);
    expect(cutoffs).toEqual([NOW - 30 * day]);
    expect(merges).toBe(1); // the search index is tidied on the same pass
    const timer = unref.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);

    days = 7;
    now = NOW + day;
    await vi.advanceTimersByTimeAsync(day);
    expect(cutoffs).toEqual([NOW - 30 * day, NOW + day - 7 * day]);

    days = null; // "forever": the next run deletes nothing (but still tidies the index)
    await vi.advanceTimersByTimeAsync(day);
    expect(cutoffs).toHaveLength(2);
    expect(merges).toBe(3);

    task.stop();
    days = 1;
    await vi.advanceTimersByTimeAsync(3 * day);
    expect(cutoffs).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    unref.mockRestore();
  });

  it('logs a failing run instead of throwing into the event loop', async () => {
    const errors: unknown[] = [];
    const log = { ...silentLogger, error: (m: string, d?: unknown) => errors.push([m, d]) };
    const task = startRetention({
      store: {
        deleteEndedBefore: () => {
          throw new Error('disk gone');
        },
      },
      retentionDays: () => 1,
      now: () => NOW,
      log,
    });
    expect(await task.runNow()).toBe(0);
    task.stop();
    expect(errors).toEqual([['history: retention failed', { error: 'Error: disk gone' }]]);
  });
});
