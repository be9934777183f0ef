/**
 * The account's own custom CA (`caFile`, set by an admin in the account form)
 * through the real core: a wss:// server whose certificate is signed by a
 * private CA registers with full verification when the ACCOUNT names that CA,
 * fails as 'tls' without it (so verification really happens), the account
 * setting wins over the core option, and a CA file that vanished after it was
 * saved fails the line as 'tls' naming the file on the next start — no crash.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleCore, CorePorts } from '../../main/core/index';
import type { LineStatus } from '../../preload/contract';
import { silentMediaHost, startTestCore, untilLine } from '../support/core';
import { openssl } from '../support/tls';
import { startTlsSipPeer, type TlsSipPeer } from './sip-peer';

let tls: string;
let wss: TlsSipPeer;
const dirs: string[] = [];
let core: ConsoleCore | null = null;

beforeAll(async () => {
  tls = mkdtempSync(join(tmpdir(), 'sip-ca-tls-'));
  const f = (name: string) => join(tls, name);
  // A private CA, and a server certificate it signs (not self-signed: the chain is CA → server).
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Example Corp Test CA', '-keyout', f('ca-key.pem'), '-out', f('ca.pem'));
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server-key.pem'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  // Another CA that did NOT sign the server: a wrong core option must not win over the account.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Other CA', '-keyout', f('other-key.pem'), '-out', f('other.pem'));
  wss = await startTlsSipPeer({ key: f('server-key.pem'), cert: f('server.pem') });
});
afterAll(async () => {
  await wss.stop();
  rmSync(tls, { recursive: true, force: true });
});
afterEach(async () => {
  await core?.stop();
  core = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const account = (caFile?: string) => ({ wsUrl: wss.url('/ws'), sipUri: 'sip:1001@lab.test', password: 'secret-1001', ...(caFile !== undefined && { caFile }) });

async function start(dataDir: string, sip: CorePorts['sip'] = {}) {
  const started = await startTestCore({ dataDir, media: silentMediaHost(), sip: { keepAliveMs: 0, ...sip } });
  core = started.core;
  const { ui } = started;
  return { invoke: ui.invoke, line: (pred: (s: LineStatus) => boolean) => untilLine(ui, pred, 8000) };
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
    expect(wss.peer.bindings.has('1001')).toBe(true);
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
