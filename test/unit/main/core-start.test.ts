/** startCore over a fake UiTransport: the whole core minus Electron, in plain Node. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCore } from '../../../main/core/index';
import type { SecretStore } from '../../../main/settings/secrets';
import { startTestCore } from '../../support/core';

const secrets: SecretStore = {
  isAvailable: () => true,
  seal: (p) => Buffer.from(`x${p}`).toString('base64'),
  open: (s) => Buffer.from(s, 'base64').toString().slice(1),
};

let dir: string;
let core: ConsoleCore | null;
let clock: number;
const start = async () => {
  const started = await startTestCore({ secrets, dataDir: dir, now: () => clock });
  core = started.core;
  return started.ui;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'core-test-'));
  core = null;
  clock = 1_000;
});
afterEach(async () => {
  await core?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('startCore', () => {
  it('answers app:info with the data folder and an unconfigured line on first start', async () => {
    const ui = await start();
    expect(await ui.invoke('app:info')).toEqual({
      ok: true,
      value: { name: 'Agent Console', version: '0.1.0', platform: 'linux', electron: null, dataDir: dir },
    });
    expect(await ui.invoke('line:status')).toEqual({ ok: true, value: { state: 'unconfigured', aor: null, reason: null, since: 1_000 } });
    expect(await ui.invoke('app:notices')).toEqual({ ok: true, value: [] });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).account).toBeNull();
  });

  it('saves an account: settings and line change are pushed, the password stays in main', async () => {
    const ui = await start();
    clock = 2_000;
    const result = await ui.invoke('account:save', { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'pw-123456' });
    expect(result).toMatchObject({ ok: true, value: { account: { sipUri: 'sip:1001@pbx.example.com', hasPassword: true } } });
    expect(ui.pushes.map((p) => p.channel)).toEqual(['settings:changed', 'line:changed']);
    expect(ui.pushes[1]?.payload).toEqual({ state: 'unregistered', aor: 'sip:1001@pbx.example.com', reason: null, since: 2_000 });
    expect(JSON.stringify(ui.pushes)).not.toContain('pw-123456');
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('pw-123456');
    expect(core?.settings.password()).toBe('pw-123456');

    const removed = await ui.invoke('account:remove');
    expect(removed).toMatchObject({ ok: true, value: { account: null } });
    expect(ui.pushes.at(-1)).toMatchObject({ channel: 'line:changed', payload: { state: 'unconfigured', aor: null } });
  });

  it('refuses a bad account with field messages and changes nothing', async () => {
    const ui = await start();
    const result = await ui.invoke('account:save', { wsUrl: 'https://pbx', sipUri: 'sip:1001@pbx.example.com' });
    expect(result).toMatchObject({ ok: false, code: 'invalid-request', fields: { wsUrl: expect.any(String) } });
    expect(ui.pushes).toEqual([]);
  });

  it('updates preferences and pushes the new settings', async () => {
    const ui = await start();
    const result = await ui.invoke('settings:update', { transfer: { safeBlindTimeoutSec: 45 } });
    expect(result).toMatchObject({ ok: true, value: { preferences: { transfer: { safeBlindTimeoutSec: 45, safeBlind: true } } } });
    expect(ui.pushes).toHaveLength(1);
  });

  it('reports a settings file kept aside as a notice the agent can dismiss', async () => {
    writeFileSync(join(dir, 'settings.json'), '{not json');
    const ui = await start();
    const notices = await ui.invoke('app:notices');
    expect(notices.ok).toBe(true);
    const list = (notices as { value: Array<{ id: string; level: string; message: string }> }).value;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ level: 'warning', message: expect.stringMatching(/could not be read.*settings\.json\.corrupt-/) });
    expect(readdirSync(dir).some((n) => n.startsWith('settings.json.corrupt-'))).toBe(true);

    expect(await ui.invoke('app:dismiss-notice', list[0]!.id)).toEqual({ ok: true, value: null });
    expect(await ui.invoke('app:notices')).toEqual({ ok: true, value: [] });
  });

  it('starts with a configured (not yet registered) line when an account is stored', async () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, account: { wsUrl: 'ws://lab:5066', sipUri: 'sip:7@lab' } }));
    const ui = await start();
    expect(await ui.invoke('line:status')).toMatchObject({ ok: true, value: { state: 'unregistered', aor: 'sip:7@lab' } });
  });

  it('stop() removes every IPC handler and is safe to call twice', async () => {
    const ui = await start();
    expect(ui.listeners.size).toBeGreaterThan(0);
    await core?.stop();
    await core?.stop();
    expect(ui.listeners.size).toBe(0);
  });
});
