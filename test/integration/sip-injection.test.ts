/**
 * No user-supplied value can add a header line or a parameter to what the
 * console's line (main/sip/line.ts, JsSIP) puts on the wire: display name,
 * dial target, transfer target (Refer-To), DTMF. The values here bypass the
 * contract on purpose — main/sip is the second line of defence and must hold
 * on its own. In-process over the in-memory network (test/support/sip-memory.ts)
 * against a SIP.js party, whose independent parser reads what JsSIP wrote.
 */
import { Grammar } from 'sip.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../main/calls/call/machine';
import type { CallLeg } from '../../main/calls/call/ports';
import type { HandOverReport } from '../../main/calls/transfer/backend';
import { silentLogger } from '../../main/logging/logger';
import { createLine, type Line } from '../../main/sip/line';
import { SessionRegistry } from '../../main/sip/sessions';
import { createSipTransferBackend } from '../../main/sip/transfer-backend';
import { ConsoleError, hasControlChars } from '../../preload/contract';
import { SipMemoryNetwork } from '../support/sip-memory';
import { eventually, SipJsPeer } from '../support/sip-memory-peer';
import { fakeMicrophone, installFakeWebRTC, type SipMessage } from './sip-peer';

let restoreWebRTC: () => void;
beforeAll(() => (restoreWebRTC = installFakeWebRTC()));
afterAll(() => restoreWebRTC());

const domain = 'memory.test';
const INJECTED = /\r\n\s*X-Injected\s*:/i;
/** Every value an agent (or a hand-edited file) could slip a header or a parameter into. */
const hostile = [
  'Eve\r\nX-Injected: yes',
  'Eve"\r\nX-Injected: yes\r\n',
  'Eve\nX-Injected: yes',
  'Eve\rX-Injected: yes',
  'Eve" <sip:evil@evil.test>;tag=1\r\nX-Injected: yes',
  'Eve\u0000\r\nX-Injected: yes',
];

interface Rig {
  net: SipMemoryNetwork;
  line: Line;
  sessions: SessionRegistry;
  bob: SipJsPeer;
}
let rig: Rig | null = null;

async function start(displayName?: string): Promise<Rig> {
  const net = new SipMemoryNetwork({ domain });
  const sessions = new SessionRegistry();
  const line = createLine(
    { wsUrl: `ws://${domain}`, sipUri: `sip:1001@${domain}`, password: 'unused', acceptSelfSigned: false, displayName },
    { log: silentLogger, media: fakeMicrophone(), sessions, socket: () => net.jssipSocket('console'), session: { iceCutoffMs: 20 } },
  );
  const registered = new Promise<void>((resolve) => line.onStatus((s) => s.state === 'registered' && resolve()));
  line.start();
  await registered;
  const bob = await SipJsPeer.start(net, 'bob');
  rig = { net, line, sessions, bob };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  await rig.line.stop();
  await rig.bob.stop();
  rig.net.close();
  rig = null;
});

/** What the console sent, raw, and the header names in it. */
const sentByConsole = (net: SipMemoryNetwork) => net.trace.filter((e) => e.from === 'console').map((e) => e.message);
const headerNames = (m: SipMessage) => [...m.headers.keys()];

function expectNothingInjected(net: SipMemoryNetwork) {
  for (const m of sentByConsole(net)) {
    expect(m.raw, m.startLine).not.toMatch(INJECTED);
    expect(headerNames(m), m.startLine).not.toContain('x-injected');
  }
}

/** The console dials bob, who answers; resolves with the established leg. */
async function callBob(r: Rig): Promise<{ leg: CallLeg; events: CallEvent[] }> {
  const events: CallEvent[] = [];
  const leg = r.line.dial(r.bob.aor, { number: 'bob', uri: r.bob.aor, displayName: null });
  leg.onEvent((e) => events.push(e));
  await eventually(() => events.some((e) => e.type === 'sip.accepted'), 'bob to answer');
  await eventually(() => r.net.trace.some((e) => e.from === 'console' && e.message.method === 'ACK'), 'the ACK');
  return { leg, events };
}

describe('display name', () => {
  it.each(hostile)('%j reaches From as one quoted string, on one line, with no parameter of its own', async (name) => {
    const r = await start(name);
    const register = sentByConsole(r.net).find((m) => m.method === 'REGISTER')!;
    expectNothingInjected(r.net);
    const from = register.headers.get('from') ?? [];
    expect(from).toHaveLength(1);
    // SIP.js parses what JsSIP wrote: the name is the text made printable, and the only parameter is JsSIP's tag.
    const parsed = Grammar.nameAddrHeaderParse(from[0]!);
    expect(parsed?.uri.toString()).toBe(`sip:1001@${domain}`);
    expect(hasControlChars(parsed?.displayName ?? '')).toBe(false);
    expect(Object.keys(parsed?.parameters ?? {})).toEqual(['tag']);
  });

  it('quotes and escapes " and \\ (RFC 3261 §25.1) so the name reads back as typed', async () => {
    const r = await start('Ann "The Ace" \\ Smith');
    const register = sentByConsole(r.net).find((m) => m.method === 'REGISTER')!;
    expect(register.headers.get('from')?.[0]).toMatch(/^"Ann \\"The Ace\\" \\\\ Smith" <sip:1001@memory\.test>;tag=/);
    expect(Grammar.nameAddrHeaderParse(register.headers.get('from')![0]!)?.displayName).toBe('Ann \\"The Ace\\" \\\\ Smith');
  });
});

describe('dial target', () => {
  it.each([
    `sip:bob@${domain}\r\nX-Injected: yes`,
    `sip:bob@${domain};x="\r\nX-Injected: yes"`,
    `sip:bo"b@${domain}`,
    `sip:bob@${domain}>;tag=1`,
    `sip:bob@${domain}\u0000`,
    `sip:%FF@${domain}`,
  ])('%j is refused as invalid-target before anything is sent', async (target) => {
    const r = await start();
    const before = r.net.trace.length;
    let thrown: unknown;
    try {
      r.line.dial(target, { number: 'bob', uri: target, displayName: null });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConsoleError);
    expect((thrown as ConsoleError).code).toBe('invalid-target');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(r.net.trace.slice(before).filter((e) => e.message.method === 'INVITE')).toEqual([]);
  });

  it('a target with ?headers is dialled without them: nothing of the URI becomes a header', async () => {
    const r = await start();
    const target = `sip:bob@${domain}?X-Injected=yes&Subject=hi`;
    const leg = r.line.dial(target, { number: 'bob', uri: target, displayName: null });
    const invite = await eventually(() => sentByConsole(r.net).find((m) => m.method === 'INVITE'), 'the INVITE');
    expect(invite.ruri).toBe(`sip:bob@${domain}`);
    expect(headerNames(invite)).not.toContain('subject');
    expectNothingInjected(r.net);
    leg.hangup();
    await eventually(() => r.bob.live.length === 0, 'the call to end');
    leg.dispose();
  });
});

describe('transfer target (Refer-To)', () => {
  it.each([
    `sip:carol@${domain}\r\nX-Injected: yes`,
    `sip:carol@${domain}>\r\nX-Injected: yes`,
    `sip:car"ol@${domain}`,
    `sip:carol@${domain};x="`,
  ])('%j never becomes a REFER', async (referTo) => {
    const r = await start();
    const backend = createSipTransferBackend({ sessions: r.sessions, log: silentLogger });
    const { leg } = await callBob(r);
    const seen: string[] = [];
    const report: HandOverReport = { accepted: () => seen.push('accepted'), rejected: (c) => seen.push(`rejected ${c}`), progress: (c) => seen.push(`progress ${c}`) };
    expect(() => backend.handOver(leg.id, referTo, report)).toThrow(/not a SIP address/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sentByConsole(r.net).filter((m) => m.method === 'REFER')).toEqual([]);
    expect(seen).toEqual([]);
    expectNothingInjected(r.net);
    leg.hangup();
    await eventually(() => r.bob.live.length === 0, 'the call to end');
    leg.dispose();
    backend.dispose();
  });

  it('a good target goes out as one Refer-To header holding exactly that URI', async () => {
    const r = await start();
    const backend = createSipTransferBackend({ sessions: r.sessions, log: silentLogger });
    const { leg } = await callBob(r);
    const report: HandOverReport = { accepted: () => {}, rejected: () => {}, progress: () => {} };
    backend.handOver(leg.id, `sip:carol@${domain};user=phone`, report);
    const refer = await eventually(() => sentByConsole(r.net).find((m) => m.method === 'REFER'), 'the REFER');
    expect(refer.headers.get('refer-to')).toEqual([`<sip:carol@${domain};user=phone>`]);
    leg.hangup();
    await eventually(() => r.bob.live.length === 0, 'the call to end');
    leg.dispose();
    backend.dispose();
  });
});

describe('DTMF', () => {
  it('tones outside the DTMF alphabet send nothing; real tones go as INFO bodies of one Signal each', async () => {
    const r = await start();
    const { leg } = await callBob(r);
    for (const tones of ['1\r\nX-Injected: yes', '1\nSignal=9', '"', '5\u0000']) leg.dtmf(tones, 'info');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sentByConsole(r.net).filter((m) => m.method === 'INFO')).toEqual([]);

    leg.dtmf('1#', 'info');
    const infos = await eventually(() => {
      const sent = sentByConsole(r.net).filter((m) => m.method === 'INFO');
      return sent.length === 2 ? sent : undefined;
    }, 'two INFOs');
    expect(infos.map((m) => m.body.split('\r\n')[0])).toEqual(['Signal=1', 'Signal=#']);
    expectNothingInjected(r.net);
    leg.hangup();
    await eventually(() => r.bob.live.length === 0, 'the call to end');
    leg.dispose();
  });
});
