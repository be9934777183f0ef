/**
 * The telephony wiring inside startCore, over the router like the UI uses it:
 * account saved → line registers (line:changed pushed, line:status answers),
 * calls:dial refused with typed errors, a private CA file for wss://, and the
 * line restarted when the account changes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { LineStatus, Result } from '../../preload/contract';
import { startCore, type ConsoleCore } from '../../main/core/index';
import type { IpcSender, UiTransport } from '../../main/ipc/router';
import { Listeners, type MediaHostLink } from '../../main/media/link';
import { silentLogger } from '../../main/logging/logger';
import { harnessSecretStore } from '../harness/secrets';
import { SipPeer } from './sip-peer';

const UI_URL = 'http://127.0.0.1:4000/ui/index.html';
const uiSender: IpcSender = { window: 'ui', isMainFrame: true, frameUrl: UI_URL };

/** A media host that never answers: enough for registration (no call needs audio here). */
function silentHost(): MediaHostLink {
  const gone = new Listeners<[string]>();
  return { post() {}, onMessage: () => () => {}, onGone: (l) => gone.add(l) };
}

let dir: string;
let core: ConsoleCore | null = null;
const peers: SipPeer[] = [];
afterEach(async () => {
  await core?.stop();
  core = null;
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(sip: Parameters<typeof startCore>[0]['sip'] = {}) {
  dir = mkdtempSync(join(tmpdir(), 'sip-core-'));
  const handlers = new Map<string, (s: IpcSender, p: unknown) => Promise<Result<unknown>>>();
  const pushed: Array<{ channel: string; payload: unknown }> = [];
  const waiters = new Set<() => void>();
  const transport: UiTransport = {
    handle(channel, l) {
      handlers.set(channel, l);
      return () => handlers.delete(channel);
    },
    push(channel, payload) {
      pushed.push({ channel, payload });
      for (const w of [...waiters]) w();
    },
  };
  core = await startCore({
    ui: transport,
    uiUrl: () => UI_URL,
    secrets: harnessSecretStore(),
    dataDir: dir,
    log: silentLogger,
    app: { name: 'Agent Console', version: 'test', platform: process.platform, electron: null },
    media: silentHost(),
    sip: { keepAliveMs: 0, ...sip },
  });
  const invoke = (channel: string, payload?: unknown) => handlers.get(channel)!(uiSender, payload);
  const line = (pred: (s: LineStatus) => boolean, ms = 5000) =>
    new Promise<LineStatus>((resolve, reject) => {
      const find = () => pushed.filter((p) => p.channel === 'line:changed').map((p) => p.payload as LineStatus).find(pred);
      const hit = find();
      if (hit) return resolve(hit);
      const timer = setTimeout(() => reject(new Error(`line never matched: ${JSON.stringify(pushed.filter((p) => p.channel === 'line:changed'))}`)), ms);
      const check = () => {
        const h = find();
        if (h) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(h);
        }
      };
      waiters.add(check);
    });
  return { invoke, line, pushed };
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
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.bindings.has('1001')).toBe(false);
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
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.count((m) => m.method === 'REGISTER')).toBeGreaterThan(before);
  });
});

describe('a private CA for wss://', () => {
  let tls: string;
  let server: Server;
  let peer: SipPeer;
  beforeAll(async () => {
    tls = mkdtempSync(join(tmpdir(), 'sip-core-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'ca.pem')], { stdio: 'ignore' });
    server = createServer({ key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'ca.pem')) });
    peer = await SipPeer.start({ server });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await peer.stop();
    server.close();
    rmSync(tls, { recursive: true, force: true });
  });
  const wss = () => `wss://127.0.0.1:${(server.address() as { port: number }).port}`;

  it('registers with the CA file', async () => {
    const ui = await start({ caFile: join(tls, 'ca.pem') });
    await ui.invoke('account:save', { wsUrl: wss(), sipUri: 'sip:1001@lab.test', password: 'secret-1001' });
    await ui.line((s) => s.state === 'registered');
  });
  it('an unreadable CA file is a tls failure that names the file', async () => {
    const ui = await start({ caFile: join(tls, 'missing.pem') });
    await ui.invoke('account:save', { wsUrl: wss(), sipUri: 'sip:1001@lab.test', password: 'secret-1001' });
    const s = await ui.line((x) => x.state === 'failed');
    expect(s.reason).toMatchObject({ code: 'tls', message: expect.stringContaining('missing.pem') });
  });
});
