/**
 * The account's own custom CA (`caFile`, set by an admin in the account form)
 * through the real core: a wss:// server whose certificate is signed by a
 * private CA registers with full verification when the ACCOUNT names that CA,
 * fails as 'tls' without it (so verification really happens), the account
 * setting wins over the core option, and a CA file that vanished after it was
 * saved fails the line as 'tls' naming the file on the next start — no crash.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCore, type ConsoleCore } from '../../main/core/index';
import type { IpcSender, UiTransport } from '../../main/ipc/router';
import { silentLogger } from '../../main/logging/logger';
import { Listeners, type MediaHostLink } from '../../main/media/link';
import type { LineStatus, Result } from '../../preload/contract';
import { harnessSecretStore } from '../harness/secrets';
import { SipPeer } from './sip-peer';

const UI_URL = 'http://127.0.0.1:4000/ui/index.html';
const uiSender: IpcSender = { window: 'ui', isMainFrame: true, frameUrl: UI_URL };

/** A media host that never answers: enough for registration. */
function silentHost(): MediaHostLink {
  const gone = new Listeners<[string]>();
  return { post() {}, onMessage: () => () => {}, onGone: (l) => gone.add(l) };
}

let tls: string;
let server: Server;
let peer: SipPeer;
const dirs: string[] = [];
let core: ConsoleCore | null = null;

beforeAll(async () => {
  tls = mkdtempSync(join(tmpdir(), 'sip-ca-tls-'));
  const f = (name: string) => join(tls, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  // A private CA, and a server certificate it signs (not self-signed: the chain is CA → server).
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Example Corp Test CA', '-keyout', f('ca-key.pem'), '-out', f('ca.pem'));
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server-key.pem'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  // Another CA that did NOT sign the server: a wrong core option must not win over the account.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Other CA', '-keyout', f('other-key.pem'), '-out', f('other.pem'));
  server = createServer({ key: readFileSync(f('server-key.pem')), cert: readFileSync(f('server.pem')) });
  peer = await SipPeer.start({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  await peer.stop();
  server.close();
  rmSync(tls, { recursive: true, force: true });
});
afterEach(async () => {
  await core?.stop();
  core = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const wss = () => `wss://127.0.0.1:${(server.address() as { port: number }).port}/ws`;
const account = (caFile?: string) => ({ wsUrl: wss(), sipUri: 'sip:1001@lab.test', password: 'secret-1001', ...(caFile !== undefined && { caFile }) });

async function start(dataDir: string, sip: Parameters<typeof startCore>[0]['sip'] = {}) {
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
    dataDir,
    log: silentLogger,
    app: { name: 'Agent Console', version: 'test', platform: process.platform, electron: null },
    media: silentHost(),
    sip: { keepAliveMs: 0, ...sip },
  });
  const invoke = (channel: string, payload?: unknown) => handlers.get(channel)!(uiSender, payload);
  const statuses = () => pushed.filter((p) => p.channel === 'line:changed').map((p) => p.payload as LineStatus);
  const line = (pred: (s: LineStatus) => boolean, ms = 8000) =>
    new Promise<LineStatus>((resolve, reject) => {
      const hit = statuses().find(pred);
      if (hit) return resolve(hit);
      const timer = setTimeout(() => reject(new Error(`line never matched: ${JSON.stringify(statuses())}`)), ms);
      const check = () => {
        const h = statuses().find(pred);
        if (!h) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(h);
      };
      waiters.add(check);
    });
  return { invoke, line };
}
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sip-ca-'));
  dirs.push(d);
  return d;
};

describe('custom CA from the account (wss://)', () => {
  it('registers with full verification against a server signed by the account’s CA', async () => {
    const ui = await start(newDir());
    expect(await ui.invoke('account:save', account(join(tls, 'ca.pem')))).toMatchObject({ ok: true, value: { account: { caFile: join(tls, 'ca.pem') } } });
    const s = await ui.line((x) => x.state === 'registered' || x.state === 'failed');
    expect(s).toMatchObject({ state: 'registered', aor: 'sip:1001@lab.test' });
    expect(peer.bindings.has('1001')).toBe(true);
  });

  it('without the CA the same server fails as tls: verification is real, not switched off', async () => {
    const ui = await start(newDir());
    await ui.invoke('account:save', account());
    const s = await ui.line((x) => x.state === 'failed' || x.state === 'registered');
    expect(s).toMatchObject({ state: 'failed', reason: { code: 'tls' } });
  });

  it('the account’s CA wins over a different core option', async () => {
    const ui = await start(newDir(), { caFile: join(tls, 'other.pem') });
    await ui.invoke('account:save', account(join(tls, 'ca.pem')));
    expect(await ui.line((x) => x.state === 'registered' || x.state === 'failed')).toMatchObject({ state: 'registered' });
  });

  it('a CA file that vanished after saving: refused on a new save, and the next start fails as tls naming the file', async () => {
    const dataDir = newDir();
    const ca = join(dataDir, 'company-ca.pem');
    writeFileSync(ca, readFileSync(join(tls, 'ca.pem')));
    let ui = await start(dataDir);
    await ui.invoke('account:save', account(ca));
    expect(await ui.line((x) => x.state === 'registered' || x.state === 'failed')).toMatchObject({ state: 'registered' });

    unlinkSync(ca);
    expect(await ui.invoke('account:save', account(ca))).toMatchObject({ ok: false, code: 'invalid-request', fields: { caFile: 'No file at this path.' } });
    await core!.stop();
    core = null;

    ui = await start(dataDir);
    // The line starts quietly at core start; a reconnect publishes its state (the UI's "Reconnect" button).
    const status = await ui.invoke('line:status');
    expect(status).toMatchObject({ ok: true, value: { state: 'failed', reason: { code: 'tls', message: expect.stringContaining(ca) } } });
    await ui.invoke('line:reconnect');
    const failed = await ui.line((x) => x.state === 'failed');
    expect(failed.reason).toMatchObject({ code: 'tls', message: expect.stringContaining('company-ca.pem') });
  });
});
