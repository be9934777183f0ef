/**
 * Crash safety: a child process records call events in a tight loop, one
 * transaction per event as the console does, and is killed with SIGKILL
 * mid-call, again and again. After every kill the database must pass
 * integrity_check, have lost no call the child reported, hold no half-written
 * event, and on reopen mark the calls that were up as interrupted.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/history/database';
import { HistoryRepository } from '../../main/history/repository';
import { tempDir } from '../unit/main/history-fixtures';

const RUNS = 6;
const writer = join(import.meta.dirname, 'history-crash-writer.ts');

function runAndKill(
  dbPath: string,
  run: number,
  killAfterMs: number,
): Promise<{ signal: NodeJS.Signals | null; stderr: string; lastCommitted: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dbPath, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (!stdout.includes('ready') && (stdout + d.toString()).includes('ready')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      stdout += d.toString();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      const committed = [...stdout.matchAll(/committed (\d+)\n/g)].map((m) => Number(m[1]));
      resolve({ signal, stderr, lastCommitted: committed.length ? Math.max(...committed) : -1 });
    });
  });
}

describe('history under SIGKILL', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;
  beforeAll(() => {
    tmp = tempDir('history-crash-');
    dbPath = join(tmp.dir, 'history.sqlite3');
  });
  afterAll(() => tmp.remove());

  it(`survives ${RUNS} kills mid-call: intact file, every reported call whole, whole events only, open calls interrupted on reopen`, { timeout: 120_000 }, async () => {
    let totalCalls = 0;
    for (let run = 0; run < RUNS; run++) {
      const { signal, stderr, lastCommitted } = await runAndKill(dbPath, run, 150 + run * 60);
      expect(signal, stderr).toBe('SIGKILL');
      expect(lastCommitted, 'the child recorded whole calls before the kill').toBeGreaterThanOrEqual(0);

      // Inspect the file exactly as the crash left it, before any recovery.
      const raw = openDatabase(dbPath, { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const recorded = (raw.prepare('SELECT count(*) AS n FROM calls WHERE queue = ?').get(`r${run}`) as { n: number }).n;
      // Nothing committed is lost: every call the child reported is there (plus at most the one it was recording).
      expect(recorded).toBeGreaterThanOrEqual(lastCommitted + 1);
      expect(recorded).toBeLessThanOrEqual(lastCommitted + 2);
      // Every reported call is complete: ended, both transfer steps, holds closed.
      expect(
        raw
          .prepare(
            `SELECT count(*) AS n FROM calls c WHERE c.queue = @queue AND CAST(substr(c.call_key, length(@queue) + 3) AS INTEGER) <= @last AND (
               c.ended_at IS NULL OR c.outcome IS NULL OR c.answered_at IS NULL
               OR (SELECT count(*) FROM transfer_steps t WHERE t.call_id = c.id) <> 2
               OR (SELECT count(*) FROM holds h WHERE h.call_id = c.id) <> 2
               OR EXISTS (SELECT 1 FROM holds h WHERE h.call_id = c.id AND h.ended_at IS NULL))`,
          )
          .get({ queue: `r${run}`, last: lastCommitted }),
      ).toEqual({ n: 0 });
      // Whole events only: an end always closed the hold with it, a new hold always closed the previous one.
      expect(
        raw
          .prepare(
            `SELECT count(*) AS n FROM calls c WHERE
               (c.ended_at IS NOT NULL AND EXISTS (SELECT 1 FROM holds h WHERE h.call_id = c.id AND h.ended_at IS NULL))
               OR (SELECT count(*) FROM holds h WHERE h.call_id = c.id AND h.ended_at IS NULL) > 1`,
          )
          .get(),
      ).toEqual({ n: 0 });
      // Stored in the call service's words.
      expect(
        raw.prepare("SELECT count(*) AS n FROM calls WHERE direction NOT IN ('incoming', 'outgoing') OR ended_by NOT IN ('agent', 'remote', 'system')").get(),
      ).toEqual({ n: 0 });
      const openNow = (raw.prepare('SELECT call_key FROM calls WHERE ended_at IS NULL').all() as Array<{ call_key: string }>).map((r) => r.call_key);
      expect(openNow).toContain(`live-${run}`);
      // At most the call being recorded at the kill is open besides it.
      expect(openNow.filter((k) => k !== `live-${run}`).every((k) => k === `r${run}-c${lastCommitted + 1}`)).toBe(true);
      raw.close();

      // Reopen as the console would at its next start.
      const repo = new HistoryRepository(dbPath);
      expect(repo.recoveredCalls).toBe(openNow.length);
      expect(repo.integrityCheck()).toBe('ok');
      const live = repo.search({ query: '2025550100' }).items.find((c) => c.callId === `live-${run}`);
      expect(live).toMatchObject({ outcome: 'interrupted', endedBy: 'system', durationMs: expect.any(Number) });
      expect(repo.get(live!.id).holds).toEqual([expect.objectContaining({ heard: 'music', endedAt: live!.endedAt })]);
      repo.close();

      const check = openDatabase(dbPath, { readonly: true });
      expect(check.prepare('SELECT count(*) AS n FROM calls WHERE ended_at IS NULL OR outcome IS NULL').get()).toEqual({ n: 0 });
      // The search index matches the calls exactly (FTS5's own consistency check throws if not).
      check.close();
      const rw = openDatabase(dbPath);
      rw.prepare("INSERT INTO call_search (call_search, rank) VALUES ('integrity-check', 1)").run();
      const counts = rw.prepare('SELECT (SELECT count(*) FROM calls) AS calls, (SELECT count(*) FROM call_search) AS indexed').get() as {
        calls: number;
        indexed: number;
      };
      expect(counts.indexed).toBe(counts.calls);
      expect(counts.calls).toBeGreaterThan(totalCalls);
      totalCalls = counts.calls;
      rw.close();
    }
  });
});
