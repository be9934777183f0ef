/**
 * What the history screen needs from main beyond paging and search: the
 * "seen" mark for missed calls (migration 0005, kept across restarts), the
 * change push, where a call was transferred and whether it was held, and an
 * export that reports progress and honours the save dialog.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryChanged, HistoryExportProgress, Result } from '../../../preload/contract';
import { openDatabase } from '../../../main/history/database';
import { migrations } from '../../../main/history/migrations';
import { HistoryRepository } from '../../../main/history/repository';
import { registerHistoryHandlers } from '../../../main/ipc/history';
import { createRouter } from '../../../main/ipc/router';
import { silentLogger } from '../../../main/logging/logger';
import { fakeUiTransport, UI_URL } from '../../support/ui-transport';
import { openRepo, recordCall, tempDir } from './history-fixtures';

const T0 = 1_700_000_000_000;
let tmp: ReturnType<typeof tempDir>;
let repo: HistoryRepository | null = null;
beforeEach(() => {
  tmp = tempDir('history-seen-');
});
afterEach(() => {
  repo?.close();
  repo = null;
  tmp.remove();
});

const missed = (r: HistoryRepository, callId: string, at: number) => recordCall(r, { callId, at, number: '+1 202 555 0100', outcome: 'missed', answered: false });

describe('0005-missed-seen (from version 4 with calls)', () => {
  it('adds the mark at the newest existing call, so calls that predate the badge are not "new"', () => {
    const path = join(tmp.dir, 'history.sqlite3');
    const old = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 4) });
    const insert = old.prepare(
      "INSERT INTO calls (call_key, direction, local_line, remote_digits, started_at, ended_at, outcome) VALUES (?, 'incoming', 'l', '1', ?, ?, ?)",
    );
    insert.run('a', T0, T0 + 1, 'missed');
    insert.run('b', T0 + 2, T0 + 3, 'answered');
    insert.run('c', T0 + 4, T0 + 5, 'missed');
    old.close();

    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(5);
    expect(db.prepare('SELECT name, value FROM history_marks').all()).toEqual([{ name: 'missed_seen_through', value: 3 }]);
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'history_marks'").get()).toEqual({ strict: 1 });
    // The count reads the partial index, not the table.
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM calls WHERE outcome = 'missed' AND id > 1").all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/calls_missed/);
    expect(() => db.prepare("INSERT INTO history_marks (name, value) VALUES ('other', 1)").run()).toThrow(/CHECK/);
    db.close();

    repo = new HistoryRepository(path);
    expect(repo.missedCalls()).toEqual({ unseen: 0, seenThrough: 3 });
  });

  it('starts an empty file at zero', () => {
    repo = openRepo(tmp.dir);
    expect(repo.missedCalls()).toEqual({ unseen: 0, seenThrough: 0 });
  });
});

describe('missed calls seen', () => {
  it('counts missed calls after the mark; marking moves it forward only, never past the newest call, and survives a restart', () => {
    repo = openRepo(tmp.dir);
    missed(repo, 'm1', T0);
    recordCall(repo, { callId: 'a1', at: T0 + 100_000 });
    missed(repo, 'm2', T0 + 200_000);
    expect(repo.missedCalls()).toEqual({ unseen: 2, seenThrough: 0 });

    expect(repo.markMissedSeen(1)).toEqual({ unseen: 1, seenThrough: 1 });
    expect(repo.markMissedSeen(0)).toEqual({ unseen: 1, seenThrough: 1 }); // never back
    expect(repo.markMissedSeen(999)).toEqual({ unseen: 0, seenThrough: 3 }); // not past the newest call
    missed(repo, 'm3', T0 + 300_000);
    expect(repo.missedCalls()).toEqual({ unseen: 1, seenThrough: 3 });

    repo.close();
    repo = openRepo(tmp.dir);
    expect(repo.missedCalls()).toEqual({ unseen: 1, seenThrough: 3 });
    expect(repo.markMissedSeen()).toEqual({ unseen: 0, seenThrough: 4 });
  });
});

describe('row summary', () => {
  it('names where the call was transferred (the completed step first) and whether it was held', () => {
    repo = openRepo(tmp.dir);
    recordCall(repo, { callId: 'plain', at: T0 });
    recordCall(repo, { callId: 'moved', at: T0 + 100_000, transferTo: 'sip:2000@pbx' });
    repo.callStarted({ callId: 'tried', direction: 'incoming', localLine: 'l', remote: { number: '7', uri: null, displayName: null }, at: T0 + 200_000 });
    repo.callAnswered('tried', T0 + 201_000);
    repo.holdStarted('tried', T0 + 202_000, 'silence');
    repo.transferStep({ callId: 'tried', transferId: 't1', step: 'requested', mode: 'attended', target: 'sip:3000@pbx', at: T0 + 203_000 });
    repo.transferStep({ callId: 'tried', transferId: 't1', step: 'failed', mode: 'attended', target: 'sip:3000@pbx', sipCode: 486, at: T0 + 204_000 });
    repo.callEnded({ callId: 'tried', at: T0 + 205_000, outcome: 'answered', endedBy: 'agent' });
    const rows = repo.page().items.map((c) => [c.callId, c.transferTarget, c.held]);
    expect(rows).toEqual([
      ['tried', 'sip:3000@pbx', true],
      ['moved', 'sip:2000@pbx', false],
      ['plain', null, false],
    ]);
  });
});

describe('history channels for the screen', () => {
  function setup(chooseExportFile?: (name: string) => Promise<string | null>) {
    repo = openRepo(tmp.dir);
    const ui = fakeUiTransport();
    const router = createRouter(ui.transport, { uiUrl: () => UI_URL, log: silentLogger });
    const deferred: Array<() => void> = [];
    const off = registerHistoryHandlers(router, repo, 'x', {
      defer: (fn) => deferred.push(fn),
      ...(chooseExportFile && { chooseExportFile }),
    });
    const invoke = (channel: string, payload?: unknown) => ui.invoke(channel, payload) as Promise<Result<unknown>>;
    return { ui, router, deferred, off, invoke, repo };
  }

  it('pushes one history:changed per burst of recorded events or marks, with the unseen count and the newest id', async () => {
    const { ui, deferred, off, invoke, repo } = setup();
    missed(repo, 'm1', T0);
    missed(repo, 'm2', T0 + 1_000);
    expect(deferred).toHaveLength(1); // four events (two starts, two ends), one push queued
    deferred.splice(0).forEach((fn) => fn());
    expect(ui.pushed<HistoryChanged>('history:changed')).toEqual([{ missed: { unseen: 2, seenThrough: 0 }, latestId: 2 }]);

    expect(await invoke('history:missed')).toEqual({ ok: true, value: { unseen: 2, seenThrough: 0 } });
    expect(await invoke('history:mark-seen', { throughId: 1 })).toEqual({ ok: true, value: { unseen: 1, seenThrough: 1 } });
    expect(await invoke('history:mark-seen', {})).toEqual({ ok: true, value: { unseen: 0, seenThrough: 2 } });
    expect((await invoke('history:mark-seen', { throughId: -1 })).ok).toBe(false);
    // Marking moved the count: every window (and the tray) hears it, once for the burst.
    expect(deferred).toHaveLength(1);
    deferred.splice(0).forEach((fn) => fn());
    expect(ui.pushed<HistoryChanged>('history:changed').at(-1)).toEqual({ missed: { unseen: 0, seenThrough: 2 }, latestId: 2 });

    off();
    missed(repo, 'm3', T0 + 2_000);
    expect(deferred).toHaveLength(0);
  });

  it('reports export progress (total first, then rows) and writes where the save dialog said', async () => {
    const chosen = join(tmp.dir, 'picked.csv');
    const names: string[] = [];
    const { ui, invoke, repo } = setup(async (name) => {
      names.push(name);
      return chosen;
    });
    for (let i = 0; i < 12; i++) recordCall(repo, { callId: `c${i}`, at: T0 + i * 100_000, number: `+1 202 555 01${String(i).padStart(2, '0')}` });
    const r = await invoke('history:export', { filter: { direction: 'incoming' } });
    expect(r).toEqual({ ok: true, value: { path: chosen, rows: 12 } });
    expect(names[0]).toMatch(/^call-history-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(readFileSync(chosen, 'utf8').trim().split('\n')).toHaveLength(13);
    expect(existsSync(`${chosen}.partial`)).toBe(false);
    const progress = ui.pushed<HistoryExportProgress>('history:export-progress');
    expect(progress[0]).toEqual({ rows: 0, total: 12 });
    expect(progress.at(-1)).toEqual({ rows: 12, total: 12 });
  });

  it('answers cancelled and writes nothing when the agent closes the save dialog', async () => {
    const { invoke, ui } = setup(async () => null);
    expect(await invoke('history:export', {})).toEqual({ ok: true, value: { cancelled: true } });
    expect(ui.pushed('history:export-progress')).toEqual([]);
  });

  it('answers unavailable on the new channels when the history could not be opened', async () => {
    const ui = fakeUiTransport();
    const router = createRouter(ui.transport, { uiUrl: () => UI_URL, log: silentLogger });
    registerHistoryHandlers(router, null, 'The call history could not be opened: disk full.');
    expect(await ui.invoke('history:missed', undefined)).toMatchObject({ ok: false, code: 'unavailable', message: /disk full/ });
    expect(await ui.invoke('history:mark-seen', {})).toMatchObject({ ok: false, code: 'unavailable' });
  });
});
