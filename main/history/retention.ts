/**
 * Retention: keep N days of history (preferences.history.retentionDays; null
 * keeps everything), followed by merging the search index's segments.
 * Applied at start and then daily, in bounded batches —
 * one short transaction each, yielding to the event loop between them — so
 * pruning a year of calls never stalls a live call's SIP handling.
 *
 * `retentionCutoff` and `applyRetention` are pure of timers; only
 * `startRetention` owns one (unref'd, so it never keeps the process alive,
 * and cleared by `stop()`).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '../logging/logger';

const dayMs = 24 * 60 * 60 * 1000;

/** Calls that started before this instant are past retention; null: keep forever. */
export function retentionCutoff(now: number, retentionDays: number | null): number | null {
  return retentionDays === null ? null : now - retentionDays * dayMs;
}

export interface Prunable {
  /** Deletes up to `limit` ended calls started before `cutoff` in one transaction; returns the count. */
  deleteEndedBefore(cutoff: number, limit: number): number;
  /** One bounded step of search-index merging; true while more remains. */
  mergeSearchIndexStep?(): boolean;
}

/** Merges the search index in bounded steps, yielding between them; returns the number of steps taken. */
export async function tidySearchIndex(store: Prunable, options: { maxSteps?: number; shouldStop?: () => boolean } = {}): Promise<number> {
  if (!store.mergeSearchIndexStep) return 0;
  let steps = 0;
  while (steps < (options.maxSteps ?? 10_000) && !options.shouldStop?.()) {
    steps++;
    if (!store.mergeSearchIndexStep()) break;
    await yieldToEventLoop();
  }
  return steps;
}

export async function applyRetention(
  store: Prunable,
  cutoff: number | null,
  options: { batchSize?: number; shouldStop?: () => boolean } = {},
): Promise<number> {
  if (cutoff === null) return 0;
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  for (;;) {
    if (options.shouldStop?.()) break;
    const deleted = store.deleteEndedBefore(cutoff, batchSize);
    total += deleted;
    if (deleted < batchSize) break;
    await yieldToEventLoop();
  }
  return total;
}

export interface RetentionOptions {
  store: Prunable;
  /** Read at every run, so a changed setting applies at the next run. */
  retentionDays: () => number | null;
  now: () => number;
  log: Logger;
  intervalMs?: number;
  batchSize?: number;
}

export interface RetentionTask {
  /** Runs one pass now (also what the timer does); resolves to the number of calls deleted. */
  runNow(): Promise<number>;
  stop(): void;
}

export function startRetention(options: RetentionOptions): RetentionTask {
  let stopped = false;
  let running: Promise<number> | null = null;
  const runNow = () => {
    if (running) return running;
    running = applyRetention(options.store, retentionCutoff(options.now(), options.retentionDays()), {
      batchSize: options.batchSize,
      shouldStop: () => stopped,
    })
      .then(async (deleted) => {
        if (deleted > 0) options.log.info('history: retention removed old calls', { deleted });
        // Daily upkeep rides on the same pass: keep the search index compact (bounded steps too).
        await tidySearchIndex(options.store, { shouldStop: () => stopped });
        return deleted;
      })
      .catch((e: unknown) => {
        options.log.error('history: retention failed', { error: String(e) });
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.intervalMs ?? dayMs);
  timer.unref();
  void runNow();
  return {
    runNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
