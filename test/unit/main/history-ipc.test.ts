/** The history channels end to end through startCore and the router, over a fake UI transport. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../preload/contract';
import type { ConsoleCore } from '../../../main/core/index';
import { openDatabase } from '../../../main/history/database';
import { startTestCore } from '../../support/core';
import { openRepo, recordCall, tempDir } from './history-fixtures';

const NOW = 1_800_000_000_000;
const day = 24 * 60 * 60 * 1000;

let tmp: ReturnType<typeof tempDir>;
let core: ConsoleCore | null = null;
let invoke: (channel: string, payload?: unknown) => Promise<Result<unknown>>;

async function start() {
  const started = await startTestCore({ dataDir: tmp.dir, now: () => NOW });
  invoke = (channel, payload) => started.ui.invoke(channel, payload);
  core = started.core;
  return core;
}

beforeEach(() => {
  tmp = tempDir('history-ipc-');
});
afterEach(async () => {
  await core?.stop();
  core = null;
  tmp.remove();
});

const value = <T,>(r: Result<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
};

describe('history channels', () => {
  it('page, search, get, note, disposition and export answer with contract-shaped values', async () => {
    const c = await start();
    expect(value(await invoke('history:page', {}))).toEqual({ items: [], nextCursor: null });
    recordCall(c.history!, { callId: 'a', at: NOW - 60_000, number: '+1 (202) 555-0134', name: 'Ada' });
    recordCall(c.history!, { callId: 'b', at: NOW - 30_000, number: '+44 20 7946 0958', name: 'Grace', direction: 'outgoing' });

    const page = value(await invoke('history:page', { limit: 1 })) as { items: Array<{ id: number; callId: string }>; nextCursor: unknown };
    expect(page.items.map((i) => i.callId)).toEqual(['b']);
    const next = value(await invoke('history:page', { limit: 1, cursor: page.nextCursor })) as typeof page;
    expect(next.items.map((i) => i.callId)).toEqual(['a']);
    expect(value(await invoke('history:page', { filter: { direction: 'outgoing' } }))).toMatchObject({ items: [{ callId: 'b' }] });

    const found = value(await invoke('history:search', { query: '2025550134' })) as typeof page;
    expect(found.items.map((i) => i.callId)).toEqual(['a']);
    const id = found.items[0]!.id;
    expect(value(await invoke('history:get', id))).toMatchObject({ call: { callId: 'a' }, transfers: [], holds: [], notes: [] });
    expect(value(await invoke('history:note', { id, text: 'VIP' }))).toMatchObject({ notes: [{ text: 'VIP', at: NOW }] });
    expect(value(await invoke('history:disposition', { id, code: 'sale' }))).toMatchObject({ call: { disposition: 'sale', noteCount: 1 } });

    const exported = value(await invoke('history:export', { filter: { direction: 'incoming' } })) as { path: string; rows: number };
    expect(exported.rows).toBe(1);
    expect(exported.path.startsWith(join(tmp.dir, 'exports'))).toBe(true);
    expect(readFileSync(exported.path, 'utf8')).toContain('"+1 (202) 555-0134"');
  });

  it('answers bad input with typed errors, never an exception', async () => {
    await start();
    const bad: Array<[string, unknown, string]> = [
      ['history:search', { query: 'x'.repeat(10_240) }, 'invalid-request'],
      ['history:search', { query: '"' }, 'invalid-request'],
      ['history:search', { query: '' }, 'invalid-request'],
      ['history:search', { query: 42 }, 'invalid-request'],
      ['history:page', { limit: 10_000 }, 'invalid-request'],
      ['history:page', { filter: { from: 10, to: 1 } }, 'invalid-request'],
      ['history:page', { filter: { direction: 'up' } }, 'invalid-request'],
      ['history:page', { cursor: { startedAt: -1, id: 0 } }, 'invalid-request'],
      ['history:page', { sql: 'DROP TABLE calls' }, 'invalid-request'],
      ['history:get', 'one', 'invalid-request'],
      ['history:get', 12345, 'not-found'],
      ['history:note', { id: 1, text: '   ' }, 'invalid-request'],
      ['history:note', { id: 12345, text: 'hello' }, 'not-found'],
      ['history:disposition', { id: 1, code: '=1+1' }, 'invalid-request'],
      ['history:export', { path: '/etc/passwd' }, 'invalid-request'],
      ['history:export', { query: '%' }, 'invalid-request'],
    ];
    for (const [channel, payload, code] of bad) {
      const r = await invoke(channel, payload);
      expect(r, `${channel} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, code });
    }
    // FTS operators and wildcards are searched literally and simply find nothing here.
    for (const query of ['NEAR(abc def)', 'abc* OR def*', '%_%', "'; DROP TABLE calls; --"]) {
      expect(await invoke('history:search', { query })).toEqual({ ok: true, value: { items: [], nextCursor: null } });
    }
  });

  it('marks calls a crash left open as interrupted at start and tells the agent', async () => {
    const repo = openRepo(tmp.dir);
    repo.callStarted({ callId: 'x', direction: 'incoming', localLine: 'l', remote: { number: '123' }, at: NOW - 5_000 });
    repo.callAnswered('x', NOW - 4_000);
    repo.close();
    await start();
    expect(value(await invoke('history:page', {}))).toMatchObject({ items: [{ callId: 'x', outcome: 'interrupted' }] });
    expect(value(await invoke('app:notices'))).toEqual([expect.objectContaining({ level: 'info', message: expect.stringMatching(/1 call.*interrupted/) })]);
  });

  it('applies the retention setting at start', async () => {
    const repo = openRepo(tmp.dir);
    recordCall(repo, { callId: 'ancient', at: NOW - 400 * day });
    recordCall(repo, { callId: 'recent', at: NOW - day });
    repo.close();
    const c = await start();
    expect(c.settings.file().preferences.history.retentionDays).toBeNull(); // default: forever
    expect((value(await invoke('history:page', {})) as { items: unknown[] }).items).toHaveLength(2);
    value(await invoke('settings:update', { history: { retentionDays: 365 } }));
    await c.stop();
    await start();
    // The start-up pass runs asynchronously: wait for its result, not for a fixed time.
    await expect.poll(async () => (value(await invoke('history:page', {})) as { items: { callId: string }[] }).items.map((i) => i.callId), { timeout: 3000 }).toEqual(['recent']);
  });

  it('keeps running with a database from a newer console: notice, channels unavailable, file untouched', async () => {
    const path = join(tmp.dir, 'history.sqlite3');
    const db = openDatabase(path);
    db.pragma('user_version = 99');
    db.close();
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const c = await start();
    expect(c.history).toBeNull();
    const notices = value(await invoke('app:notices')) as Array<{ level: string; message: string }>;
    expect(notices).toEqual([expect.objectContaining({ level: 'error', message: expect.stringMatching(/newer version of the console/) })]);
    expect(await invoke('history:page', {})).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringMatching(/newer version/) });
    await c.stop();
    core = null;
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});
