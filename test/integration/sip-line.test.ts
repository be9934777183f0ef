/**
 * The SIP line against a scripted SIP peer over a real local WebSocket:
 * registration (401 challenge → 200), failure mapping, TLS options, reconnect
 * with re-registration and a re-emitted line state (JsSIP #337).
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LineStatus } from '../../preload/contract';
import { silentLogger } from '../../main/logging/logger';
import { createLine, describeRegistrationFailure, type Line, type LineAccount } from '../../main/sip/line';
import { until as waitUntil } from '../support/until';
import { fakeMicrophone, installFakeWebRTC, SipPeer, startSelfSignedSipPeer } from './sip-peer';

let restore: () => void;
beforeAll(() => (restore = installFakeWebRTC()));
afterAll(() => restore());

const lines: Line[] = [];
const peers: SipPeer[] = [];
afterEach(async () => {
  await Promise.all(lines.splice(0).map((l) => l.stop()));
  await Promise.all(peers.splice(0).map((p) => p.stop()));
});

async function peer() {
  const p = await SipPeer.start();
  peers.push(p);
  return p;
}

function line(account: Partial<LineAccount> & { wsUrl: string }) {
  const l = createLine(
    { sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false, ...account },
    {
      log: silentLogger,
      media: fakeMicrophone(),
      keepAliveMs: 0,
      registerTimeoutMs: 700,
      registerRetryMs: 60_000,
      reconnectMinSec: 1,
      reconnectMaxSec: 1,
    },
  );
  lines.push(l);
  const seen: LineStatus[] = [];
  l.onStatus((s) => seen.push(s));
  const until = (pred: (s: LineStatus) => boolean, ms = 6000) => {
    // The status as last announced; checked at every announcement, so a passing state is seen too.
    let last = l.status();
    return waitUntil(() => pred(last) && last, {
      timeoutMs: ms,
      what: 'a line status',
      wake: (check) =>
        l.onStatus((s) => {
          last = s;
          check();
        }),
      detail: () => `line stayed ${JSON.stringify(l.status())}; saw ${seen.map((s) => s.state).join(' → ')}`,
    });
  };
  return { l, seen, until };
}

const registers = (p: SipPeer) => p.received.filter((m) => m.method === 'REGISTER');

describe('registration', () => {
  it('answers the 401 challenge and registers: connecting → registering → registered', async () => {
    const p = await peer();
    const { l, seen, until } = line({ wsUrl: p.url });
    l.start();
    await until((s) => s.state === 'registered');
    expect(seen.map((s) => s.state)).toEqual(['connecting', 'registering', 'registered']);
    expect(registers(p).map((m) => (m.headers.has('authorization') ? 'with-credentials' : 'bare'))).toEqual(['bare', 'with-credentials']);
    expect(p.bindings.has('1001')).toBe(true);
  });

  it('unregisters on stop (Expires 0) and ends unregistered', async () => {
    const p = await peer();
    const { l, until } = line({ wsUrl: p.url });
    l.start();
    await until((s) => s.state === 'registered');
    await l.stop();
    expect(p.bindings.has('1001')).toBe(false);
    expect(l.status().state).toBe('unregistered');
  });

  it.each([
    ['wrong password (401 twice)', 'wrong-credentials', 'digest', { password: 'not-it' }],
    ['403', 'forbidden', 'forbidden', {}],
    ['404', 'not-found', 'not-found', {}],
    ['no answer', 'timeout', 'silent', {}],
  ] as const)('%s → failed with reason %s and a human message', async (_name, code, policy, account) => {
    const p = await peer();
    p.registerPolicy = policy;
    const { l, until } = line({ wsUrl: p.url, ...account });
    l.start();
    const s = await until((x) => x.state === 'failed');
    expect(s.reason?.code).toBe(code);
    expect(s.reason?.message).toMatch(/[A-Z].{20,}/);
  });

  it('no stored password → failed no-password without touching the network', async () => {
    const p = await peer();
    const { l } = line({ wsUrl: p.url, password: null });
    l.start();
    expect(l.status()).toMatchObject({ state: 'failed', reason: { code: 'no-password' } });
    // Positive control: a line WITH a password, started after it, reaches the same server and registers…
    const control = line({ wsUrl: p.url });
    control.l.start();
    await control.until((s) => s.state === 'registered');
    // …and over the whole window the server saw that one connection and nothing from the first line.
    expect(p.connectionsAccepted).toBe(1);
    expect(registers(p).map((m) => m.headers.has('authorization') ? 'with-credentials' : 'bare')).toEqual(['bare', 'with-credentials']);
    expect(l.status().state).toBe('failed');
  });

  it('nothing listening → failed unreachable', async () => {
    const p = await peer();
    const url = p.url;
    await p.stop();
    peers.pop();
    const { l, until } = line({ wsUrl: url });
    l.start();
    const s = await until((x) => x.state === 'failed');
    expect(s.reason).toMatchObject({ code: 'unreachable' });
    expect(s.reason?.message).toMatch(/nothing is listening/);
  });

  it('maps every registration failure cause', () => {
    expect(describeRegistrationFailure('Authentication Error', 407).code).toBe('wrong-credentials');
    expect(describeRegistrationFailure('SIP Failure Code', 503)).toMatchObject({ code: 'server-error', message: expect.stringContaining('503') });
    expect(describeRegistrationFailure('Request Timeout', null).code).toBe('timeout');
    expect(describeRegistrationFailure('Connection Error', null).code).toBe('unreachable');
    // A request the server refuses as such is not retried; "try later" answers are.
    expect(describeRegistrationFailure('SIP Failure Code', 400).message).toMatch(/Check the account in Settings/);
    expect(describeRegistrationFailure('SIP Failure Code', 400).message).not.toMatch(/Retrying/);
    expect(describeRegistrationFailure('SIP Failure Code', 429).message).toMatch(/Retrying/);
  });

  it.each([
    ['bad-request', 400, 1],
    ['unavailable', 503, 2],
  ] as const)('a REGISTER refused %s (%i) is sent again only when trying again can help', async (policy, status, expected) => {
    const p = await peer();
    p.registerPolicy = policy;
    const l = createLine(
      { sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false, wsUrl: p.url },
      { log: silentLogger, media: fakeMicrophone(), keepAliveMs: 0, registerTimeoutMs: 5_000, registerRetryMs: 300, reconnectMinSec: 1, reconnectMaxSec: 1 },
    );
    lines.push(l);
    l.start();
    await waitUntil(() => l.status().state === 'failed' && l.status(), { timeoutMs: 5000, what: 'the line failed' });
    expect(l.status().reason?.message).toContain(String(status));
    // Past the retry time twice over: a transient refusal was sent again, a final one was not.
    await waitUntil(() => registers(p).length >= expected || null, { timeoutMs: 5000, what: `${expected} REGISTER(s)` });
    const window = Date.now() + 900;
    await waitUntil(() => Date.now() >= window || null, { timeoutMs: 2000, what: 'the retry window', intervalMs: 50 });
    if (expected === 1) expect(registers(p)).toHaveLength(1);
    else expect(registers(p).length).toBeGreaterThanOrEqual(2);
  });
});

describe('TLS (wss://) options', () => {
  let cert: string;
  let wss: Awaited<ReturnType<typeof startSelfSignedSipPeer>>;
  beforeAll(async () => {
    wss = await startSelfSignedSipPeer();
    cert = readFileSync(wss.cert, 'utf8');
  });
  afterAll(() => wss.stop());
  const url = () => wss.url();

  it('a self-signed server certificate fails as "tls", with the reason', async () => {
    const { l, until } = line({ wsUrl: url() });
    l.start();
    const s = await until((x) => x.state === 'failed');
    expect(s.reason?.code).toBe('tls');
    expect(s.reason?.message).toMatch(/self-signed/);
  });
  it('"accept self-signed" (lab servers) registers', async () => {
    const { l, until } = line({ wsUrl: url(), acceptSelfSigned: true });
    l.start();
    await until((x) => x.state === 'registered');
  });
  it('a custom CA registers with full verification', async () => {
    const { l, until } = line({ wsUrl: url(), ca: cert });
    l.start();
    await until((x) => x.state === 'registered');
  });
});

describe('reconnect', () => {
  it('line:reconnect on a registered line refreshes the binding and stays registered', async () => {
    const p = await peer();
    const { l, seen, until } = line({ wsUrl: p.url });
    l.start();
    await until((s) => s.state === 'registered');
    const before = registers(p).length;
    const answered = () => p.log.filter((e) => e.dir === 'out' && e.line.startsWith('SIP/2.0 200')).length;
    const answeredBefore = answered();
    seen.length = 0;
    l.reconnect();
    // A fresh REGISTER goes out on the same connection, and the state is re-announced, never "registering".
    await expect.poll(() => registers(p).length, { timeout: 3000 }).toBeGreaterThan(before);
    // The refresh is answered (the server's 200 to it left) and the line still says registered.
    await expect.poll(answered, { timeout: 3000 }).toBeGreaterThan(answeredBefore);
    expect(l.status().state).toBe('registered');
    // `seen` recorded every status since reconnect(): never "registering" — the only state that arms the
    // line's register time-out (main/sip/line.ts) — so no time-out can follow; no need to sit it out.
    expect(seen.map((s) => s.state)).toEqual(['registered']);
  });

  it('WebSocket drop → reconnecting → re-REGISTER on the new connection → registered pushed again (JsSIP #337)', async () => {
    const p = await peer();
    const { l, seen, until } = line({ wsUrl: p.url });
    l.start();
    await until((s) => s.state === 'registered');
    const before = registers(p).length;
    p.dropConnections();
    await until((s) => s.state === 'reconnecting');
    expect(l.status().reason?.message).toMatch(/Reconnecting/);
    await until((s) => s.state === 'registered' && seen.filter((x) => x.state === 'registered').length === 2, 8000);
    expect(registers(p).length).toBeGreaterThan(before);
    expect(seen.map((s) => s.state)).toEqual(['connecting', 'registering', 'registered', 'reconnecting', 'registering', 'registered']);
    expect(p.log.filter((e) => e.line.startsWith('REGISTER')).map((e) => e.conn).at(-1)).toBe(2);
  });

  it('keep-alive: a server that stops answering pings is dropped, and the line reconnects and re-registers', async () => {
    const p = await SipPeer.start({ autoPong: false });
    peers.push(p);
    const l = createLine(
      { wsUrl: p.url, sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false },
      { log: silentLogger, media: fakeMicrophone(), keepAliveMs: 150, pongTimeoutMs: 150, reconnectMinSec: 1, reconnectMaxSec: 1 },
    );
    lines.push(l);
    const states: string[] = [];
    l.onStatus((s) => states.push(s.state));
    l.start();
    // connect → registered → (no pong within 150 ms of the first ping) → dropped → reconnect after 1 s → registered
    await waitUntil(() => states.filter((s) => s === 'registered').length >= 2, { timeoutMs: 6000, what: 'registered a second time', detail: () => states.join(' → ') });
    expect(states.slice(0, 6)).toEqual(['connecting', 'registering', 'registered', 'reconnecting', 'registering', 'registered']);
    expect(p.connectionsAccepted).toBeGreaterThanOrEqual(2);
  });
});
