/**
 * The telephony wiring inside startCore, over the router like the UI uses it:
 * account saved → line registers (line:changed pushed, line:status answers),
 * calls:dial refused with typed errors, a private CA file for wss://, and the
 * line restarted when the account changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { LineStatus } from '../../preload/contract';
import type { ConsoleCore, CorePorts } from '../../main/core/index';
import { silentMediaHost, startTestCore, untilLine } from '../support/core';
import { SipPeer, startSelfSignedSipPeer } from './sip-peer';
import { until } from '../support/until';

let dir: string;
let core: ConsoleCore | null = null;
const peers: SipPeer[] = [];
afterEach(async () => {
  await core?.stop();
  core = null;
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(sip: CorePorts['sip'] = {}) {
  dir = mkdtempSync(join(tmpdir(), 'sip-core-'));
  const started = await startTestCore({ dataDir: dir, media: silentMediaHost(), sip: { keepAliveMs: 0, ...sip } });
  core = started.core;
  const { ui } = started;
  return { invoke: ui.invoke, line: (pred: (s: LineStatus) => boolean) => untilLine(ui, pred) };
}

describe('telephony in the core', () => {
  it('saving the account registers the line; line:status and calls:list answer over the router', async () => {
    const peer = await SipPeer.start();
    peers.push(peer);
    const ui = await start();
    expect(await ui.invoke('calls:dial', { target: '1002' })).toMatchObject({ ok: false, code: 'not-configured' });
    const saved = await ui.invoke('account:save', { wsUrl: peer.url, sipUri: 'sip:1001@lab.test', password: 'secret-1001' });
    expect(saved.ok).toBe(true);
    await ui.line((s) => s.state === 'registered');
    expect(await ui.invoke('line:status')).toMatchObject({ ok: true, value: { state: 'registered', aor: 'sip:1001@lab.test' } });
    expect(await ui.invoke('calls:list')).toEqual({ ok: true, value: [] });
    expect(await ui.invoke('calls:dial', { target: 'not a number!' })).toMatchObject({ ok: false, code: 'invalid-target' });
    expect(await ui.invoke('calls:hangup', { callId: 'nope' })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await ui.invoke('calls:dtmf', { callId: 'x', tones: 'hello' })).toMatchObject({ ok: false, code: 'invalid-request' });

    // Removing the account stops the line (unregisters) and says so.
    await ui.invoke('account:remove');
    await ui.line((s) => s.state === 'unconfigured');
    await until(() => !peer.bindings.has('1001'), { timeoutMs: 3000, what: 'the binding removed (REGISTER Expires 0)' });
  });

  it('wrong password reaches the UI as wrong-credentials; line:reconnect retries', async () => {
    const peer = await SipPeer.start();
    peers.push(peer);
    const ui = await start();
    await ui.invoke('account:save', { wsUrl: peer.url, sipUri: 'sip:1001@lab.test', password: 'wrong' });
    const failed = await ui.line((s) => s.state === 'failed');
    expect(failed.reason?.code).toBe('wrong-credentials');
    const before = peer.count((m) => m.method === 'REGISTER');
    await ui.invoke('line:reconnect');
    await ui.line((s) => s.state === 'registering');
    await until(() => peer.count((m) => m.method === 'REGISTER') > before, { timeoutMs: 3000, what: 'a new REGISTER' });
  });
});

describe('a private CA for wss://', () => {
  let wss: Awaited<ReturnType<typeof startSelfSignedSipPeer>>;
  beforeAll(async () => {
    wss = await startSelfSignedSipPeer();
  });
  afterAll(() => wss.stop());

  it('registers with the CA file', async () => {
    const ui = await start({ caFile: wss.cert });
    await ui.invoke('account:save', { wsUrl: wss.url(), sipUri: 'sip:1001@lab.test', password: 'secret-1001' });
    await ui.line((s) => s.state === 'registered');
  });
  it('an unreadable CA file is a tls failure that names the file', async () => {
    const ui = await start({ caFile: join(wss.dir, 'missing.pem') });
    await ui.invoke('account:save', { wsUrl: wss.url(), sipUri: 'sip:1001@lab.test', password: 'secret-1001' });
    const s = await ui.line((x) => x.state === 'failed');
    expect(s.reason).toMatchObject({ code: 'tls', message: expect.stringContaining('missing.pem') });
  });
});
