/**
 * VoIPBIN chosen the way an admin does it, through the real core: provider:save
 * with the access key (sealed, never echoed), the SIP account of the extension,
 * then targets:list / targets:changed show the platform's queues and agents
 * live; without credentials or an account the view says what to set up; back
 * to the configured list stops it. The platform is the local fake VoIPBIN.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetsView } from '../../preload/contract';
import type { ConsoleCore } from '../../main/core/index';
import { startTestCore } from '../support/core';
import type { FakeUiTransport } from '../support/ui-transport';
import { startFakeVoipbin, type FakeVoipbin } from '../support/voipbin-server';

let dir: string;
let server: FakeVoipbin;
let core: ConsoleCore | null = null;
let ui: FakeUiTransport;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'voipbin-core-'));
  server = await startFakeVoipbin();
  // The platform's "now" is today's; the core reads the same instant through its clock port, so the
  // waits it computes are exact rather than "about 45 s, give or take a slow machine".
  server.now = Date.now();
  const sales = server.addQueue({ name: 'Sales' });
  server.addWaiting(sales, 45_000);
  server.addAgent({ username: 'bob', name: 'Bob', status: 'busy', extension: '2002' });
  const started = await startTestCore({ dataDir: dir, now: () => server.now });
  core = started.core;
  ui = started.ui;
});
afterEach(async () => {
  await core?.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const latest = () => (ui.pushed('targets:changed') as TargetsView[]).at(-1);

describe('VoIPBIN as the console’s target provider', () => {
  it('says what to set up first: the access key, then the SIP account of the extension', async () => {
    await ui.invoke('provider:save', { kind: 'voipbin', apiUrl: server.url, login: { method: 'accesskey' } });
    await ui.until(() => latest()?.state === 'failed');
    expect(latest()!.reason).toMatch(/access key/);
    await ui.invoke('provider:save', { kind: 'voipbin', apiUrl: server.url, login: { method: 'accesskey', accessKey: 'key-1' } });
    await ui.until(() => /SIP account/.test(latest()?.reason ?? ''));
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('key-1');
  });

  it('with the extension’s account and an access key, the platform’s queues and agents are listed live; back to configured stops it', async () => {
    await ui.invoke('account:save', { wsUrl: 'wss://sip.voipbin.example:5066', sipUri: `sip:2001@${server.sipDomain}`, password: 'ext-secret' });
    const saved = await ui.invoke('provider:save', { kind: 'voipbin', apiUrl: server.url, login: { method: 'accesskey', accessKey: 'key-1' } });
    expect(saved).toMatchObject({ ok: true, value: { provider: { kind: 'voipbin', method: 'accesskey', hasSecret: true } } });
    const live = await ui.until(() => (latest()?.state === 'live' ? latest() : undefined), { timeoutMs: 5000, what: 'the VoIPBIN view live' });
    expect(live.queues).toMatchObject([{ name: 'Sales', waiting: 1, address: null }]);
    expect(live.queues[0]!.longestWaitSec).toBe(45);
    expect(live.colleagues).toMatchObject([{ name: 'Bob', presence: 'busy', address: `sip:2002@${server.sipDomain}` }]);
    expect(await ui.invoke('targets:list')).toMatchObject({ ok: true, value: { provider: 'voipbin', state: 'live' } });
    await ui.until(() => server.openSockets === 1, { what: 'the event socket open' });

    // The agent's own status is the console's to set: available, and wrap-up (sent as busy, shown as wrap-up).
    expect(await ui.invoke('targets:set-agent-status', { status: 'available' })).toMatchObject({ ok: true, value: { agentStatus: 'available' } });
    expect(server.requests.some((r) => r.method === 'PUT' && /service_agents\/me\/status$/.test(r.path))).toBe(true);
    expect(await ui.invoke('targets:set-agent-status', { status: 'wrap-up' })).toMatchObject({ ok: true, value: { agentStatus: 'wrap-up' } });
    expect(await ui.invoke('targets:set-agent-status', { status: 'dancing' })).toMatchObject({ ok: false, code: 'invalid-request' });

    await ui.invoke('provider:save', { kind: 'configured' });
    await ui.until(() => latest()?.provider === 'configured');
    await ui.until(() => server.openSockets === 0, { what: 'the event socket closed' });
    // The configured list keeps no status: refused in words, not an internal error.
    expect(await ui.invoke('targets:set-agent-status', { status: 'away' })).toMatchObject({ ok: false, code: 'not-allowed' });
  });

  it('the platform refusing a status change reaches the agent as a typed error', async () => {
    await ui.invoke('account:save', { wsUrl: 'wss://sip.voipbin.example:5066', sipUri: `sip:2001@${server.sipDomain}`, password: 'ext-secret' });
    await ui.invoke('provider:save', { kind: 'voipbin', apiUrl: server.url, login: { method: 'accesskey', accessKey: 'key-1' } });
    await ui.until(() => (latest()?.state === 'live' ? latest() : undefined), { timeoutMs: 5000, what: 'live' });
    server.fail('PUT', /service_agents\/me\/status$/, 500);
    const r = await ui.invoke('targets:set-agent-status', { status: 'away' });
    expect(r).toMatchObject({ ok: false, code: 'unavailable' });
  });
});
