/**
 * No user-supplied value can add a header line or a parameter to what the
 * console's line (main/sip/line.ts, JsSIP) puts on the wire: display name,
 * dial target, transfer target (Refer-To), DTMF. The values here bypass the
 * contract on purpose — main/sip is the second line of defence and must hold
 * on its own. In-process over the in-memory network (test/support/sip-memory.ts)
 * against a SIP.js party, whose independent parser reads what JsSIP wrote.
 */
import fc from 'fast-check';
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
import { fieldArb, sipUriArb, withHostile } from './account-arbitraries';
import { fakeMicrophone, installFakeWebRTC, SipPeer, type SipMessage } from './sip-peer';

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
    // Positive control: the next, good call's INVITE is the first INVITE on the network since the refusal.
    const { leg } = await callBob(r);
    expect(r.net.trace.slice(before).filter((e) => e.message.method === 'INVITE' && e.from === 'console').map((e) => e.message.ruri)).toEqual([r.bob.aor]);
    leg.hangup();
    await eventually(() => r.bob.live.length === 0, 'the call to end');
    leg.dispose();
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
    // Positive control: a good hand-over on the same call afterwards; its REFER is the only one ever sent.
    backend.handOver(leg.id, `sip:carol@${domain}`, { accepted: () => {}, rejected: () => {}, progress: () => {} });
    await eventually(() => sentByConsole(r.net).some((m) => m.method === 'REFER'), 'the good REFER');
    expect(sentByConsole(r.net).filter((m) => m.method === 'REFER').map((m) => m.headers.get('refer-to'))).toEqual([[`<sip:carol@${domain}>`]]);
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
    expect(sentByConsole(r.net).filter((m) => m.method === 'INFO')).toEqual([]);

    // Positive control after the refusals: real tones do go out — and they are the only INFOs ever sent.
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

/**
 * The same, as properties (fast-check): generated values — well-formed ones,
 * the same with hostile pieces spliced in, and any text at all — for every
 * field that reaches a SIP message. Each is either refused before anything is
 * sent, or every request the console writes keeps its shape: each header line
 * one of the headers JsSIP writes, none folded, none injected, and the value's
 * own header holding exactly what the parser read from it and no parameter of
 * its making. A failure prints the smallest value that broke it and its seed.
 */
describe('fast-check: no value becomes an extra header line or parameter', () => {
  /** Every header JsSIP 3.13.8 writes on the requests these flows send. */
  const JSSIP_HEADERS = new Set([
    'via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'contact', 'expires', 'allow', 'supported', 'user-agent',
    'content-type', 'content-length', 'authorization', 'refer-to', 'referred-by', 'route', 'event', 'subscription-state', 'accept',
  ]);
  const RUNS = Number(process.env.INJECTION_PROPERTY_RUNS ?? 25);

  function expectWellShaped(net: SipMemoryNetwork, what: string) {
    for (const m of sentByConsole(net).filter((x) => x.method !== null)) {
      const head = m.raw.split('\r\n\r\n')[0]!.split('\r\n').slice(1);
      for (const line of head) {
        expect(line, `${what}: ${m.startLine}`).toMatch(/^[A-Za-z-]+: \S/);
        expect(JSSIP_HEADERS.has(line.slice(0, line.indexOf(':')).toLowerCase()), `${what}: ${m.startLine}: ${line}`).toBe(true);
      }
      expect(m.raw, what).not.toMatch(INJECTED);
    }
  }

  async function lineOn(net: SipMemoryNetwork, account: { sipUri?: string; displayName?: string; authorizationUser?: string }) {
    const line = createLine(
      { wsUrl: `ws://${domain}`, sipUri: account.sipUri ?? `sip:1001@${domain}`, password: 'unused', acceptSelfSigned: false, displayName: account.displayName, authorizationUser: account.authorizationUser },
      { log: silentLogger, media: fakeMicrophone(), sessions: new SessionRegistry(), socket: () => net.jssipSocket('console'), session: { iceCutoffMs: 20 } },
    );
    let failed = false;
    line.onStatus((s) => (failed ||= s.state === 'failed'));
    line.start();
    // Up to the REGISTER on the wire (or a failure): whether the in-memory registrar routes every legal user back is not the point here.
    await eventually(() => failed || sentByConsole(net).some((m) => m.method === 'REGISTER'), 'the REGISTER');
    return line;
  }

  it('display name: From holds one quoted name and only JsSIP\'s tag', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fieldArb('displayName'), fc.constantFrom(...hostile)), async (name) => {
        const net = new SipMemoryNetwork({ domain });
        const line = await lineOn(net, { displayName: name });
        try {
          const what = JSON.stringify(name);
          expectWellShaped(net, what);
          const from = sentByConsole(net).find((m) => m.method === 'REGISTER')!.headers.get('from')!;
          expect(from, what).toHaveLength(1);
          const parsed = Grammar.nameAddrHeaderParse(from[0]!);
          expect(parsed?.uri.toString(), what).toBe(`sip:1001@${domain}`);
          expect(Object.keys(parsed?.parameters ?? {}), what).toEqual(['tag']);
          expect(hasControlChars(parsed?.displayName ?? ''), what).toBe(false);
        } finally {
          await line.stop();
          net.close();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('SIP address (with any authorization user): refused when the line is built, or From and To carry exactly it', async () => {
    const value = fc.record({ sipUri: fieldArb('sipUri', sipUriArb(fc.constant(domain))), authorizationUser: fc.option(fieldArb('authorizationUser'), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(value, async (account) => {
        const what = JSON.stringify(account);
        const net = new SipMemoryNetwork({ domain });
        let line: Line | null = null;
        try {
          try {
            line = await lineOn(net, account);
          } catch (e) {
            expect((e as Error).name, what).toBe('LineAccountError');
            expect(net.trace, what).toEqual([]);
            return;
          }
          expectWellShaped(net, what);
          const register = sentByConsole(net).find((m) => m.method === 'REGISTER')!;
          const from = Grammar.nameAddrHeaderParse(register.headers.get('from')![0]!);
          const to = Grammar.nameAddrHeaderParse(register.headers.get('to')![0]!);
          expect(Object.keys(from?.parameters ?? {}), what).toEqual(['tag']);
          expect(Object.keys(to?.parameters ?? {}), what).toEqual([]);
          // The address on the wire is the one the stack parsed from the setting, nothing added.
          expect(to?.uri.toString(), what).toBe(from?.uri.toString());
          expect(to?.uri.user, what).toBe(Grammar.URIParse(account.sipUri.replace(/^sips?:/i, 'sip:'))?.user);
        } finally {
          await line?.stop();
          net.close();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('authorization user: refused when the line is built, or the digest answer names exactly it, once', async () => {
    await fc.assert(
      fc.asyncProperty(fieldArb('authorizationUser'), async (user) => {
        const what = JSON.stringify(user);
        const peer = await SipPeer.start(); // challenges every REGISTER (RFC 2617 digest)
        let line: Line | null = null;
        try {
          try {
            line = createLine(
              { wsUrl: peer.url, sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false, authorizationUser: user },
              { log: silentLogger, media: fakeMicrophone(), keepAliveMs: 0 },
            );
          } catch (e) {
            expect((e as Error).name, what).toBe('LineAccountError');
            return;
          }
          line.start();
          const answer = await peer.waitFor((m) => m.method === 'REGISTER' && m.headers.has('authorization'), 5000);
          const head = answer.raw.split('\r\n\r\n')[0]!.split('\r\n').slice(1);
          expect(head.filter((l) => /^authorization:/i.test(l)), what).toHaveLength(1);
          expect(answer.raw, what).not.toMatch(INJECTED);
          const auth = answer.headers.get('authorization')![0]!;
          // The one quoted username parameter, holding the value as typed; no parameter of its making.
          expect([...auth.matchAll(/(?:^Digest |, ?)(\w+)=/g)].map((m) => m[1]).sort(), what).toEqual(['algorithm', 'cnonce', 'nc', 'nonce', 'qop', 'realm', 'response', 'uri', 'username']);
          // An empty authorization user is "not given": the digest names the SIP URI's user.
          expect(/username="([^"]*)"/.exec(auth)?.[1], what).toBe(user === '' ? '1001' : user);
        } finally {
          await line?.stop();
          await peer.stop();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('dial target: refused as invalid-target before anything is sent, or one INVITE whose Request-URI and To are that address', async () => {
    const r = await start();
    r.bob.answer = 'manual';
    const target = fc.oneof(fieldArb('sipUri', sipUriArb(fc.constant(domain))), withHostile(fc.constant(r.bob.aor)));
    await fc.assert(
      fc.asyncProperty(target, async (uri) => {
        const what = JSON.stringify(uri);
        const before = r.net.trace.length;
        let leg: CallLeg;
        try {
          leg = r.line.dial(uri, { number: 'x', uri, displayName: null });
        } catch (e) {
          expect(e, what).toBeInstanceOf(ConsoleError);
          expect((e as ConsoleError).code, what).toBe('invalid-target');
          await new Promise((resolve) => setTimeout(resolve, 5));
          expect(r.net.trace.slice(before).filter((x) => x.message.method === 'INVITE'), what).toEqual([]);
          return;
        }
        const invite = await eventually(() => r.net.trace.slice(before).find((x) => x.from === 'console' && x.message.method === 'INVITE')?.message, 'the INVITE');
        leg.hangup();
        await eventually(() => r.net.trace.slice(before).some((x) => x.from === 'console' && (x.message.method === 'CANCEL' || x.message.method === 'BYE')) || r.net.trace.slice(before).some((x) => x.to === 'console' && (x.message.status ?? 0) >= 300), 'the call to end');
        leg.dispose();
        const net = { trace: r.net.trace.slice(before) } as SipMemoryNetwork;
        expectWellShaped(net, what);
        const to = Grammar.nameAddrHeaderParse(invite.headers.get('to')![0]!);
        expect(Object.keys(to?.parameters ?? {}), what).toEqual([]);
        expect(to?.uri.toString(), what).toBe(Grammar.URIParse(invite.ruri!)?.toString());
        // A URI's ?headers never travel (they would be headers of the target's making).
        expect(Object.keys(Grammar.URIParse(invite.ruri!)?.headers ?? {}), what).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('transfer target: refused before a REFER exists, or one Refer-To holding exactly the parsed address', async () => {
    const r = await start();
    const backend = createSipTransferBackend({ sessions: r.sessions, log: silentLogger });
    const { leg } = await callBob(r);
    const report: HandOverReport = { accepted: () => {}, rejected: () => {}, progress: () => {} };
    const target = fc.oneof(fieldArb('sipUri', sipUriArb(fc.constant(domain))), withHostile(fc.constant(`sip:carol@${domain}`)));
    try {
      await fc.assert(
        fc.asyncProperty(target, async (uri) => {
          const what = JSON.stringify(uri);
          const before = r.net.trace.length;
          try {
            backend.handOver(leg.id, uri, report);
          } catch (e) {
            expect((e as Error).message, what).toMatch(/not a SIP address/);
            await new Promise((resolve) => setTimeout(resolve, 5));
            expect(r.net.trace.slice(before).filter((x) => x.message.method === 'REFER'), what).toEqual([]);
            return;
          }
          const refer = await eventually(() => r.net.trace.slice(before).find((x) => x.from === 'console' && x.message.method === 'REFER')?.message, 'the REFER');
          const referral = await r.bob.referrals.next('the REFER at bob');
          await referral.referral.reject().catch(() => undefined);
          expectWellShaped({ trace: r.net.trace.slice(before) } as SipMemoryNetwork, what);
          const referTo = refer.headers.get('refer-to') ?? [];
          expect(referTo, what).toHaveLength(1);
          const parsed = Grammar.nameAddrHeaderParse(referTo[0]!);
          expect(Object.keys(parsed?.parameters ?? {}), what).toEqual([]);
          expect(parsed?.uri.toString(), what).toBe(Grammar.URIParse(uri)?.toString() ?? parsed?.uri.toString());
        }),
        { numRuns: RUNS },
      );
    } finally {
      leg.hangup();
      await eventually(() => r.bob.live.length === 0, 'the call to end');
      leg.dispose();
      backend.dispose();
    }
  });

  it('DTMF: nothing outside the tone alphabet is sent; what is sent is one Signal line per tone', async () => {
    const r = await start();
    const { leg } = await callBob(r);
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.stringMatching(/^[0-9A-D*#]{1,4}$/), withHostile(fc.stringMatching(/^[0-9*#]{1,3}$/)), fc.string({ unit: 'binary', maxLength: 8 })), async (tones) => {
          const what = JSON.stringify(tones);
          const before = r.net.trace.length;
          leg.dtmf(tones, 'info');
          const legal = /^[0-9A-Da-d*#,]{1,64}$/.test(tones);
          const expected = legal ? tones.replace(/,/g, '').length : 0;
          const infos = () => r.net.trace.slice(before).filter((x) => x.from === 'console' && x.message.method === 'INFO').map((x) => x.message);
          if (expected > 0) await eventually(() => infos().length === expected, `${expected} INFOs for ${what}`, 5000 + 200 * tones.length);
          else await new Promise((resolve) => setTimeout(resolve, 10));
          expect(infos().length, what).toBe(expected);
          for (const info of infos()) expect(info.body, what).toMatch(/^Signal=[0-9A-D*#]\r\nDuration=\d+(\r\n)?$/);
          expectWellShaped({ trace: r.net.trace.slice(before) } as SipMemoryNetwork, what);
        }),
        { numRuns: RUNS },
      );
    } finally {
      leg.hangup();
      await eventually(() => r.bob.live.length === 0, 'the call to end');
      leg.dispose();
    }
  });
});
