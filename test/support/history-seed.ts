/**
 * Support for the history screen's built-UI test and benchmark, which run
 * against the built app (out/renderer, `npx electron-vite build` first):
 *
 * - `seedHistory(dataDir, { calls })` writes a history database of `calls`
 *   calls into `<dataDir>/history.sqlite3` before the core starts: one
 *   transaction of prepared inserts (the FTS triggers index as they go), the
 *   way test/bench/history.bench.ts generates its million. Deterministic
 *   (seeded), so the test knows its landmarks: `HistoryLandmarks` names a
 *   transferred call with full steps, a number that occurs once, and the
 *   newest call. 100,000 calls take about 3 s, 1,000,000 about 30 s.
 *
 * - `tidySeededHistory(dataDir)` then merges the search index as the app's
 *   daily upkeep would.
 *
 * - `waitForFirstView(ui)`: the app has settled on Settings (no SIP account),
 *   so a click on the History tab sticks.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openDatabase } from '../../main/history/database';
import { reverseDigits } from '../../main/history/migrations/0003-number-suffix';
import { HistoryRepository } from '../../main/history/repository';
import { tidySearchIndex } from '../../main/history/retention';
import { rendererOutDir } from '../harness/static-server';
import { seededRandom } from './random';

export const seedStart = Date.UTC(2025, 0, 1);
const span = 365 * 24 * 3600 * 1000;

const first = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Edsger', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Radia', 'Frances', 'Zoë', 'Ming', 'Aisha', 'Priya'];
const last = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Allen', 'Nguyen', 'Okafor', 'Müller', 'García'];
const outcomes = ['answered', 'answered', 'answered', 'answered', 'missed', 'declined', 'busy', 'no-answer', 'cancelled', 'failed', 'transferred'] as const;

export interface HistoryLandmarks {
  /**
   * A transferred call near the top of the list: handed to the agent by a colleague (`transferredBy`),
   * then a failed attended try, taken back, then blind to sip:sales@pbx.example.com.
   */
  transferred: { id: number; number: string; name: string; target: string; steps: string[]; transferredBy: { name: string; number: string } };
  /** A number (as stored, +1 and 10 digits) that occurs in exactly one call. */
  unique: { id: number; stored: string; digits: string };
  /** The newest call. */
  newestId: number;
}

export function seedHistory(dataDir: string, o: { calls: number; seed?: number }): HistoryLandmarks {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'history.sqlite3');
  const random = seededRandom(o.seed ?? 7);
  const db = openDatabase(path);
  const insertCall = db.prepare(`
    INSERT INTO calls (id, call_key, direction, local_line, remote_number, remote_digits, remote_digits_rev, remote_uri, remote_name, queue,
                       started_at, ringing_at, answered_at, ended_at, outcome, sip_code, sip_reason, ended_by, disposition)
    VALUES (?, ?, ?, 'sip:1001@pbx.example.com', ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const step = db.prepare('INSERT INTO transfer_steps (call_id, transfer_id, step, mode, target, sip_code, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const hold = db.prepare("INSERT INTO holds (call_id, started_at, ended_at, heard, music) VALUES (?, ?, ?, 'music', 'builtin:lounge')");
  const note = db.prepare('INSERT INTO call_notes (call_id, text, at) VALUES (?, ?, ?)');
  const handedBy = db.prepare(
    "UPDATE calls SET transferred_by_name = 'Anna Berg', transferred_by_number = '2001', transferred_by_uri = 'sip:2001@pbx.example.com' WHERE id = ?",
  );
  const target = 'sip:sales@pbx.example.com';
  // Numbers 555-0000…555-9999 repeat across calls; the unique one uses an exchange no other call uses.
  const uniqueDigits = '3125550199';
  const uniqueId = Math.max(1, o.calls - 40);
  const transferredId = Math.max(1, o.calls - 3);
  let transferredNumber = '';
  let transferredName = '';
  db.transaction(() => {
    for (let id = 1; id <= o.calls; id++) {
      const digits = id === uniqueId ? uniqueDigits : `${200 + Math.floor(random() * 700)}555${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
      const stored = `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
      const start = seedStart + Math.floor((id / o.calls) * span);
      const outcome = id === transferredId ? 'transferred' : id === uniqueId ? 'answered' : outcomes[Math.floor(random() * outcomes.length)]!;
      const answered = outcome === 'answered' || outcome === 'transferred';
      const end = start + 5_000 + Math.floor(random() * 600_000);
      const name = id === transferredId || random() < 0.7 ? `${first[Math.floor(random() * first.length)]} ${last[Math.floor(random() * last.length)]}` : null;
      insertCall.run(
        id,
        `seed-${id}`,
        outcome === 'missed' || outcome === 'declined' || id === transferredId || random() < 0.5 ? 'incoming' : 'outgoing',
        stored,
        `1${digits}`,
        reverseDigits(`1${digits}`),
        name,
        random() < 0.5 ? 'support' : 'sales',
        start,
        start + 50,
        answered ? start + 4_000 : null,
        end,
        outcome,
        answered ? null : 487,
        answered ? null : 'Request Terminated',
        random() < 0.5 ? 'remote' : 'agent',
        random() < 0.2 ? 'resolved' : null,
      );
      if (id === transferredId) {
        transferredNumber = stored;
        transferredName = name!;
        // A first attended try to a busy colleague, taken back; then a blind transfer to sales that completes.
        step.run(id, 't1', 'requested', 'attended', 'sip:2002@pbx.example.com', null, null, start + 10_000);
        step.run(id, 't1', 'failed', 'attended', 'sip:2002@pbx.example.com', 486, 'Busy Here', start + 12_000);
        step.run(id, 't1', 'taken-back', 'attended', 'sip:2002@pbx.example.com', null, null, start + 12_500);
        step.run(id, 't2', 'requested', 'blind', target, null, null, start + 20_000);
        step.run(id, 't2', 'refer-sent', 'blind', target, null, null, start + 20_100);
        step.run(id, 't2', 'accepted', 'blind', target, 202, 'Accepted', start + 20_300);
        step.run(id, 't2', 'completed', 'blind', target, 200, null, start + 21_000);
        hold.run(id, start + 10_000, start + 12_500);
        handedBy.run(id);
      } else if (outcome === 'transferred') {
        step.run(id, `t${id}`, 'requested', 'attended', 'sip:queue-sales@pbx', null, null, start + 10_000);
        step.run(id, `t${id}`, 'completed', 'attended', 'sip:queue-sales@pbx', 200, null, start + 20_000);
      }
      if (id !== transferredId && random() < 0.1) hold.run(id, start + 5_000, start + 9_000);
      if (random() < 0.05) note.run(id, `Asked about invoice ${Math.floor(random() * 1e6)}`, end);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return {
    transferred: {
      id: transferredId,
      number: transferredNumber,
      name: transferredName,
      target,
      steps: ['requested', 'failed', 'taken-back', 'requested', 'refer-sent', 'accepted', 'completed'],
      transferredBy: { name: 'Anna Berg', number: '2001' },
    },
    unique: { id: uniqueId, stored: `+1 ${uniqueDigits.slice(0, 3)}-${uniqueDigits.slice(3, 6)}-${uniqueDigits.slice(6)}`, digits: uniqueDigits },
    newestId: o.calls,
  };
}

/** Merges the search index as the app's daily upkeep does (a bulk load leaves many segments). */
export async function tidySeededHistory(dataDir: string): Promise<void> {
  const repo = new HistoryRepository(join(dataDir, 'history.sqlite3'));
  try {
    await tidySearchIndex(repo);
  } finally {
    repo.close();
  }
}

/** True when `npx electron-vite build` has put the app's UI page in out/renderer. */
export function appBuilt(): boolean {
  return existsSync(join(rendererOutDir, 'ui/index.html'));
}

/**
 * Waits until the app has settled on its first view. A console without a SIP
 * account opens on Settings once it has read them; a click on History before
 * that would be overridden by the switch to Settings.
 */
export async function waitForFirstView(ui: Page): Promise<void> {
  await ui.waitForFunction(() => document.querySelector('nav button[aria-current="page"]')?.textContent?.includes('Settings'));
}
