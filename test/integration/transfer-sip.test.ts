/**
 * The SIP transfer backend (main/sip/transfer-backend.ts) through the console's
 * real line (main/sip/line.ts, JsSIP 3.13.8) against SIP.js 0.21 parties, all
 * in-process over an in-memory network (test/support/sip-memory.ts): no
 * Kamailio, no socket, no root, no Chromium, so it runs on every `npm test`
 * even where the lab is skipped. Two independent stacks, so what one side
 * builds is checked by the other's parser: the Refer-To and Replaces SIP.js
 * received, the sipfrag bodies each side got, and the reports the backend
 * delivered, in order. Transfer behaviour: docs/transfers.md.
 */
import { type Session, SessionState, UserAgent } from 'sip.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../main/calls/call/machine';
import type { CallLeg } from '../../main/calls/call/ports';
import type { HandOverReport, IncomingTransferRequest, TransferBackend } from '../../main/calls/transfer/backend';
import { referToWithReplaces, replacesFor } from '../../main/calls/transfer/replaces';
import { silentLogger, type Logger } from '../../main/logging/logger';
import { createLine, type Line } from '../../main/sip/line';
import { SessionRegistry } from '../../main/sip/sessions';
import { createSipTransferBackend, sipfragCode } from '../../main/sip/transfer-backend';
import { SipMemoryNetwork } from '../support/sip-memory';
import { dialogOf, eventually, Inbox, parseReplaces, SipJsPeer, terminated } from '../support/sip-memory-peer';
import { fakeMicrophone, header, installFakeWebRTC, type SipMessage } from './sip-peer';
import { RawSipParty, type RawDialog } from './sip-raw-party';

let restoreWebRTC: () => void;
beforeAll(() => (restoreWebRTC = installFakeWebRTC()));
afterAll(() => restoreWebRTC());

/** One console leg and everything it reported. */
interface Watched {
  leg: CallLeg;
  events: CallEvent[];
}

interface Rig {
  net: SipMemoryNetwork;
  line: Line;
  sessions: SessionRegistry;
  backend: TransferBackend;
  media: ReturnType<typeof fakeMicrophone>;
  /** Warnings logged by the line and the backend. */
  warnings: string[];
  /** Incoming legs the line offered, in order. */
  offered: Inbox<Watched>;
  legs: Watched[];
  peers: SipJsPeer[];
}
let rig: Rig;

const domain = 'memory.test';
const aor = (user: string) => `sip:${user}@${domain}`;

function recordingLogger(warnings: string[]): Logger {
  const log: Logger = {
    ...silentLogger,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(`error: ${message}`),
    scope: () => log,
  };
  return log;
}

beforeEach(async () => {
  const net = new SipMemoryNetwork({ domain });
  const warnings: string[] = [];
  const log = recordingLogger(warnings);
  const sessions = new SessionRegistry();
  // Made before the line: the backend follows sessions as the line adds them.
  const backend = createSipTransferBackend({ sessions, log });
  const media = fakeMicrophone();
  const line = createLine(
    { wsUrl: `ws://${domain}`, sipUri: aor('1001'), password: 'unused', acceptSelfSigned: false },
    // REFER subscriptions of ended calls are kept a short while here, so the test sees one run out.
    { log, media, sessions, socket: () => net.jssipSocket('console'), session: { iceCutoffMs: 20 }, referUsageLingerMs: 600 },
  );
  const offered = new Inbox<Watched>();
  rig = { net, line, sessions, backend, media, warnings, offered, legs: [], peers: [] };
  line.onIncoming((leg) => offered.push(watch(leg)));
  const registered = new Promise<void>((resolve) => line.onStatus((s) => s.state === 'registered' && resolve()));
  line.start();
  await registered;
});

afterEach(async () => {
  // Whatever a failed test left: hang up, let the far ends see it, stop everything.
  for (const w of rig.legs) w.leg.hangup();
  await Promise.all(rig.peers.map((p) => eventually(() => p.live.length === 0, `${p.user}'s calls to end`, 1000).catch(() => undefined)));
  for (const w of rig.legs) w.leg.dispose();
  rig.backend.dispose();
  await rig.line.stop();
  // One at a time: a party's BYEs to another must find it still there.
  for (const p of rig.peers) await p.stop();
  rig.net.close();
});

/** Records a console leg's events; disposes it once it ended, as the call service does. */
function watch(leg: CallLeg): Watched {
  const w: Watched = { leg, events: [] };
  leg.onEvent((e) => {
    w.events.push(e);
    if (e.type === 'sip.ended') leg.dispose();
  });
  rig.legs.push(w);
  return w;
}

function saw(w: Watched, type: CallEvent['type'], what: string = type) {
  return eventually(() => w.events.find((e) => e.type === type), `${what} on console leg ${w.leg.id.slice(0, 8)}`);
}

async function peer(user: string) {
  const p = await SipJsPeer.start(rig.net, user);
  rig.peers.push(p);
  return p;
}

/** `p` calls the console; the console answers. Resolves with both ends once the console has the ACK. */
async function callIn(p: SipJsPeer) {
  const calling = p.call(aor('1001'));
  const leg = await rig.offered.next(`${p.user}'s call at the console`);
  leg.leg.answer();
  await saw(leg, 'sip.accepted');
  const session = await calling;
  await confirmed(leg);
  return { leg, session };
}

/** The console dials `p`, which answers. */
async function dialOut(p: SipJsPeer) {
  const leg = watch(rig.line.dial(p.aor, { number: p.user, uri: p.aor, displayName: null }));
  const { invitation } = await p.incoming.next(`the console's call at ${p.user}`);
  await saw(leg, 'sip.accepted');
  await eventually(() => invitation.state === SessionState.Established, `${p.user} to see the ACK`);
  await confirmed(leg);
  return { leg, session: invitation as Session };
}

/** The call's dialog as the backend reports it, once JsSIP has handled the ACK (incoming) or sent it (outgoing). */
function confirmed(w: Watched) {
  return eventually(() => {
    const d = rig.backend.dialog(w.leg.id);
    if (!d) return undefined;
    if (d.direction === 'outgoing') return d;
    const acked = rig.net.received('console', { method: 'ACK' }).some((m) => header(m, 'call-id') === d.callId);
    return acked ? d : undefined;
  }, `call ${w.leg.id.slice(0, 8)} confirmed`);
}

/** A HandOverReport that writes down what it is told, in order. */
function recordReport() {
  const seen: string[] = [];
  const report: HandOverReport = {
    accepted: () => seen.push('accepted'),
    rejected: (code) => seen.push(`rejected ${code}`),
    progress: (code) => seen.push(`progress ${code}`),
    finished: () => seen.push('finished'),
  };
  return { seen, report };
}

/** Hangs up every console call still up, waits until every party saw its end, and checks nothing is left. */
async function endAll() {
  for (const w of rig.legs) w.leg.hangup();
  for (const p of rig.peers) await eventually(() => p.live.length === 0, `${p.user}'s calls to end`);
  // A leg we hung up reports no sip.ended (the call machine already ended it): dispose it here, as the service does.
  for (const w of rig.legs) w.leg.dispose();
  expect(rig.sessions.size).toBe(0);
  expect(rig.media.live.size).toBe(0);
}

/** NOTIFYs the console sent to `user` (delivered or not yet), as sipfrag bodies. */
const notifiesTo = (user: string) =>
  rig.net.trace.filter((e) => e.from === 'console' && e.to === user && e.message.method === 'NOTIFY').map((e) => e.message.body.trim());

// ---------------------------------------------------------------------------------------------

describe('sipfragCode', () => {
  it('takes a status code only from a parsed status line within 100..699', () => {
    expect(sipfragCode({ status_code: '180' })).toBe(180);
    expect(sipfragCode({ status_code: 200 })).toBe(200);
    expect(sipfragCode(undefined)).toBeNull();
    expect(sipfragCode({ status_code: 'abc' })).toBeNull();
    expect(sipfragCode({ status_code: '999' })).toBeNull();
    expect(sipfragCode({ status_code: '099' })).toBeNull();
  });
});

describe('handOver: our REFER on an answered call', () => {
  it('REFER → 202 → NOTIFY sipfrag 100, 180, 200: reported as accepted, then progress 100, 180, 200 in order', async () => {
    const a = await peer('2002');
    const { leg, session } = await callIn(a);
    const { seen, report } = recordReport();

    rig.backend.handOver(leg.leg.id, aor('3003'), report);

    const { session: on, referral } = await a.referrals.next('the REFER at 2002');
    expect(on).toBe(session);
    // Exactly the Refer-To we asked for (RFC 3515 §2.1), and who refers (RFC 3892).
    expect(referral.request.getHeader('refer-to')).toBe(`<${aor('3003')}>`);
    expect(referral.referTo.uri.toString()).toBe(aor('3003'));
    expect(referral.replaces).toBeUndefined();
    expect(referral.referredBy).toBe(`<${aor('1001')}>`);

    await referral.accept(); // 202
    await eventually(() => seen.length > 0, 'the 202 reported');
    expect(seen).toEqual(['accepted']);
    expect(rig.net.received('console', { responseTo: 'REFER' }).map((m) => m.status)).toEqual([202]);

    // The console answers each NOTIFY 200 after reporting it, so the report is complete when SIP.js has the 200.
    expect(await a.notify(session, referral, 'SIP/2.0 100 Trying')).toBe(200);
    expect(await a.notify(session, referral, 'SIP/2.0 180 Ringing')).toBe(200);
    expect(await a.notify(session, referral, 'SIP/2.0 200 OK', 'terminated;reason=noresource')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'progress 200']);

    await endAll();
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'progress 200']);
    expect(a.problems).toEqual([]);
  });

  it.each([403, 405, 501])('a REFER refused with %i: reported as rejected with that code, no progress, and the call goes on', async (code) => {
    const a = await peer('2002');
    const { leg } = await callIn(a);
    const { seen, report } = recordReport();

    rig.backend.handOver(leg.leg.id, aor('3003'), report);
    const { referral } = await a.referrals.next('the REFER at 2002');
    await referral.reject({ statusCode: code });

    await eventually(() => seen.length > 0, 'the refusal reported');
    expect(seen).toEqual([`rejected ${code}`]);
    expect(leg.events.some((e) => e.type === 'sip.ended')).toBe(false);

    // Still a working dialog: a second REFER goes out on it and is answered.
    const second = recordReport();
    rig.backend.handOver(leg.leg.id, aor('4004'), second.report);
    const again = await a.referrals.next('the second REFER at 2002');
    expect(again.referral.referTo.uri.toString()).toBe(aor('4004'));
    await again.referral.accept();
    await eventually(() => second.seen.length > 0, 'the second 202 reported');
    expect(second.seen).toEqual(['accepted']);

    await endAll();
    expect(seen).toEqual([`rejected ${code}`]);
  });

  it('a NOTIFY whose sipfrag is garbage is answered and ignored: no bogus progress, later NOTIFYs still count, the call hangs up cleanly', async () => {
    const a = await peer('2002');
    const { leg, session } = await callIn(a);
    const { seen, report } = recordReport();
    rig.backend.handOver(leg.leg.id, aor('3003'), report);
    const { referral } = await a.referrals.next('the REFER at 2002');
    await referral.accept();
    await eventually(() => seen.length > 0, 'the 202 reported');

    // No status line at all: JsSIP answers 200, reports nothing and keeps the subscription.
    for (const garbage of ['hello', 'SIP/2.0 abc', 'SIP/2.0', '']) {
      expect(await a.notify(session, referral, garbage), `NOTIFY "${garbage}"`).toBe(200);
    }
    expect(seen).toEqual(['accepted']);
    expect(await a.notify(session, referral, 'SIP/2.0 180 Ringing')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 180']);

    // A status line JsSIP parses but no SIP status (RFC 3261 §7.2: 100..699): not reported as such. JsSIP
    // takes any code it cannot class as 1xx/2xx for a final failure and drops the subscription, so no
    // NOTIFY will ever follow: the backend reports a failure (500) instead of leaving the transfer to its time-out.
    expect(await a.notify(session, referral, 'SIP/2.0 999 Out Of Range')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 180', 'progress 500']);
    expect(rig.warnings).toContain('transfer: NOTIFY without a usable sipfrag status line');
    // …and indeed a later NOTIFY finds no subscription any more.
    expect(await a.notify(session, referral, 'SIP/2.0 200 OK')).toBe(481);
    expect(seen).toEqual(['accepted', 'progress 180', 'progress 500']);

    leg.leg.hangup();
    await terminated(session, '2002 to get the BYE');
    const byeAnswers = await eventually(() => {
      const answers = rig.net.received('console', { responseTo: 'BYE' });
      return answers.length > 0 && answers;
    }, 'the answer to our BYE');
    expect(byeAnswers.map((m) => m.status)).toEqual([200]);
    await endAll();
  });
});

describe('attended completion: our REFER with Replaces (RFC 3891)', () => {
  /**
   * A is the caller, C the consult. The REFER to A carries C's dialog as Replaces, built by the
   * console's own replacesFor/referToWithReplaces from backend.dialog(); A then follows it with an
   * INVITE-with-Replaces to C, which only SIP.js's own dialog matching can accept.
   */
  async function attended(consult: 'dialled' | 'incoming') {
    const a = await peer('2002');
    const c = await peer('3003');
    const caller = await callIn(a);
    const k = consult === 'dialled' ? await dialOut(c) : await callIn(c);
    const d = rig.backend.dialog(k.leg.leg.id)!;
    expect(d.direction).toBe(consult === 'dialled' ? 'outgoing' : 'incoming');
    expect(d.remoteUri).toBe(aor('3003'));

    const referTo = referToWithReplaces(d.remoteUri, replacesFor(d));
    const { seen, report } = recordReport();
    rig.backend.handOver(caller.leg.leg.id, referTo, report);

    const { referral } = await a.referrals.next('the REFER at 2002');
    expect(referral.request.getHeader('refer-to')).toBe(`<${referTo}>`);
    expect(referral.referTo.uri.user).toBe('3003');
    const replaces = parseReplaces(decodeURIComponent(referral.replaces!));

    // RFC 3891 §3: to-tag is the recipient's (C's) local tag, from-tag its remote tag.
    const atC = dialogOf(k.session);
    expect(replaces).toEqual({ callId: atC.callId, toTag: atC.localTag, fromTag: atC.remoteTag });
    // That is our remote tag as to-tag, whichever side sent the consult INVITE. JsSIP's own `replaces`
    // option copies that INVITE's To/From tags instead, wrong when C sent it (JsSIP #817).
    expect(replaces.toTag).toBe(d.remoteTag);
    expect(replaces.fromTag).toBe(d.localTag);

    // A follows: INVITE with Replaces to C; C matches its dialog, answers, and BYEs the consult.
    await referral.accept();
    const follow = referral.makeInviter();
    await follow.invite();
    const { invitation, replacee } = await c.incoming.next('the INVITE with Replaces at 3003');
    expect(replacee === k.session, 'SIP.js matched the Replaces to the consult').toBe(true);
    expect(invitation.request.getHeader('referred-by')).toBe(`<${aor('1001')}>`);
    await eventually(() => follow.state === SessionState.Established, 'A and C connected');
    await saw(k.leg, 'sip.ended', 'the consult replaced (BYE from C)');
    expect(k.leg.events.find((e) => e.type === 'sip.ended')).toMatchObject({ by: 'remote' });

    // A reports its new call's responses as sipfrag (SIP.js does it itself: C's 100, 180, 200); then the console drops the caller.
    await eventually(() => seen.includes('progress 200'), 'NOTIFY 200 reported');
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'progress 200']);
    caller.leg.leg.hangup();
    await terminated(caller.session, 'A to get the BYE for the transferred call');

    // A and C still talk to each other; the console has nothing left.
    expect(follow.state).toBe(SessionState.Established);
    expect(invitation.state).toBe(SessionState.Established);
    await follow.bye();
    await terminated(invitation, 'C to get the BYE from A');
    await endAll();
    expect(a.problems.filter((p) => p.startsWith('error'))).toEqual([]);
    expect(c.problems.filter((p) => p.startsWith('error'))).toEqual([]);
  }

  it('the consult was dialled by us: Replaces names it as C sees it', () => attended('dialled'));
  it('the consult was an incoming call (JsSIP #817 swaps the tags here): Replaces names it as C sees it', () => attended('incoming'));
});

describe('INVITE with Replaces for one of our calls (RFC 3891, 3892)', () => {
  /** B is on a call with the console; C takes it over with Replaces built from B's view of the dialog. */
  async function replaced(ours: 'incoming' | 'dialled', referredBy: string | null) {
    const b = await peer('2002');
    const c = await peer('3003');
    const old = ours === 'incoming' ? await callIn(b) : await dialOut(b);
    const atB = dialogOf(old.session);
    // Towards the console: to-tag is the console's tag (B's remote tag), from-tag B's.
    const headers = [`Replaces: ${atB.callId};to-tag=${atB.remoteTag};from-tag=${atB.localTag}`];
    if (referredBy) headers.push(`Referred-By: <${referredBy}>`);

    const calling = c.call(aor('1001'), headers);
    const neu = await rig.offered.next('the INVITE with Replaces at the console');
    expect(neu.leg.direction).toBe('incoming');
    expect(neu.leg.replaces).toBe(old.leg.leg.id);
    expect(neu.leg.referredBy).toBe(referredBy);
    expect(neu.leg.remote.number).toBe('3003');

    // What the transfer service does: answer the new call in place of the old one and hang the old
    // one up as soon as the answer is out — before JsSIP's own terminate (on the new call's ACK),
    // which must then do nothing (a second terminate() would throw out of JsSIP's data handler).
    neu.leg.onEvent((e) => {
      if (e.type === 'sip.accepted') old.leg.leg.hangup();
    });
    neu.leg.answer();
    await saw(neu, 'sip.accepted');
    const cSession = await calling;
    await terminated(old.session, 'B to get the BYE for the replaced call');
    await confirmed(neu);
    expect(rig.net.received('2002', { method: 'BYE' })).toHaveLength(1);
    // The order that matters: our BYE went out before the new call's ACK reached JsSIP.
    const at = (pred: (e: (typeof rig.net.trace)[number]) => boolean) => rig.net.trace.findIndex(pred);
    const byeAt = at((e) => e.from === 'console' && e.message.method === 'BYE' && header(e.message, 'call-id') === atB.callId);
    const ackAt = at((e) => e.to === 'console' && e.message.method === 'ACK' && header(e.message, 'call-id') === cSession.request.callId);
    expect(byeAt).toBeGreaterThan(-1);
    expect(byeAt).toBeLessThan(ackAt);

    // The line still works: the new call hangs up cleanly and C sees it.
    neu.leg.hangup();
    await terminated(cSession, 'C to get the BYE');
    await endAll();
    expect(rig.warnings.filter((w) => w.startsWith('error'))).toEqual([]);
  }

  it('replacing a call that came in, with Referred-By: the new leg names the old call and the referrer', () =>
    replaced('incoming', aor('2002')));
  it('replacing a call we dialled, without Referred-By: the new leg names the old call, referredBy null', () => replaced('dialled', null));
});

describe('the far end REFERs us', () => {
  it('reports {callId, requestId, target without headers}; our NOTIFYs reach SIP.js; a refusal is sent; nothing after the dialog ended', async () => {
    const b = await peer('2002');
    const c = await peer('3003');
    const { leg, session } = await callIn(b);
    const requests: IncomingTransferRequest[] = [];
    rig.backend.onIncomingRequest((r) => requests.push(r));

    // 1. Attended, as a SIP.js phone does it: Refer-To is C's contact with ?Replaces= (RFC 3891 §3).
    const bToC = await b.call(c.aor);
    const first = b.refer(session, bToC);
    expect(await first.status).toBe(202);
    const r1 = await eventually(() => requests[0], 'the first REFER reported');
    const cContact = bToC.dialog!.remoteTarget.toString();
    expect(r1).toEqual({ callId: leg.leg.id, requestId: expect.any(String), target: cContact });
    expect(r1.target).not.toContain('?');
    expect(rig.net.received('console', { method: 'REFER' })[0]!.headers.get('refer-to')![0]).toContain('?Replaces=');

    rig.backend.reportIncoming(r1.requestId, 180);
    rig.backend.reportIncoming(r1.requestId, 200);
    await first.notifies.next('NOTIFY 100');
    await first.notifies.next('NOTIFY 180');
    await first.notifies.next('NOTIFY 200');
    // JsSIP sends the 100 itself with its 202; the 180 and 200 are the backend's (RFC 3515 §2.4.5).
    expect(first.notifies.all.map((n) => [n.body, n.subscriptionState.split(';')[0]])).toEqual([
      ['SIP/2.0 100 Trying', 'active'],
      ['SIP/2.0 180 Ringing', 'active'],
      ['SIP/2.0 200 OK', 'terminated'],
    ]);
    const referCseq = rig.net.received('console', { method: 'REFER' })[0]!.headers.get('cseq')![0]!.split(' ')[0];
    for (const n of first.notifies.all) {
      expect(n.event).toBe(`refer;id=${referCseq}`);
      expect(n.contentType).toMatch(/^message\/sipfrag/);
    }
    // A final NOTIFY ends the request: nothing more goes out for it.
    rig.backend.reportIncoming(r1.requestId, 200);
    await b.hangup(bToC);

    // 2. Blind, then refused — with the code we chose, not JsSIP's fixed 603.
    const second = b.refer(session, UserAgent.makeURI(aor('4004'))!);
    expect(await second.status).toBe(202);
    const r2 = await eventually(() => requests[1], 'the second REFER reported');
    expect(r2).toMatchObject({ callId: leg.leg.id, target: aor('4004') });
    expect(r2.requestId).not.toBe(r1.requestId);
    rig.backend.refuseIncoming(r2.requestId, 403);
    await second.notifies.next('NOTIFY 100');
    await second.notifies.next('the refusal');
    expect(second.notifies.all.map((n) => [n.body, n.subscriptionState.split(';')[0]])).toEqual([
      ['SIP/2.0 100 Trying', 'active'],
      ['SIP/2.0 403 Forbidden', 'terminated'],
    ]);

    // 3. The far end hangs up before we report: nothing is sent, nothing throws.
    const third = b.refer(session, UserAgent.makeURI(aor('5005'))!);
    expect(await third.status).toBe(202);
    const r3 = await eventually(() => requests[2], 'the third REFER reported');
    await third.notifies.next('NOTIFY 100');
    await b.hangup(session);
    await saw(leg, 'sip.ended', 'the BYE from 2002');
    const sent = notifiesTo('2002').length;
    expect(() => rig.backend.reportIncoming(r3.requestId, 180)).not.toThrow();
    expect(() => rig.backend.reportIncoming(r3.requestId, 200)).not.toThrow();
    expect(() => rig.backend.refuseIncoming(r3.requestId, 603)).not.toThrow();
    // Nor later, while everything winds down.
    await endAll();
    expect(notifiesTo('2002')).toHaveLength(sent);
    expect(notifiesTo('2002')).toEqual([
      'SIP/2.0 100 Trying',
      'SIP/2.0 180 Ringing',
      'SIP/2.0 200 OK',
      'SIP/2.0 100 Trying',
      'SIP/2.0 403 Forbidden',
      'SIP/2.0 100 Trying',
    ]);
    expect(requests).toHaveLength(3);
  });
});

describe('our REFER outlives its call: late NOTIFYs after our BYE (RFC 5057 dialog usages, RFC 6665)', () => {
  /** A hand-written response to a request the console sent the raw party. */
  function answer(raw: RawSipParty, request: SipMessage, code: number, reason: string) {
    const all = (name: string) => request.headers.get(name) ?? [];
    const to = all('to')[0]!;
    raw.send(`SIP/2.0 ${code} ${reason}`, [
      ...all('via').map((v) => `Via: ${v}`),
      `From: ${all('from')[0]}`,
      `To: ${to}`,
      `Call-ID: ${all('call-id')[0]}`,
      `CSeq: ${all('cseq')[0]}`,
    ]);
  }

  /** The raw party calls the console, which answers; the console REFERs it blind, and it accepts (202). */
  async function referred(): Promise<{ raw: RawSipParty; dialog: RawDialog; leg: Watched; eventId: string; seen: string[] }> {
    const raw = new RawSipParty(rig.net);
    const invite = raw.invite('1001');
    const leg = await rig.offered.next('the raw party\u2019s call at the console');
    leg.leg.answer();
    const dialog = await raw.ack(invite);
    await confirmed(leg);
    const { seen, report } = recordReport();
    rig.backend.handOver(leg.leg.id, aor('3003'), report);
    const refer = await eventually(() => raw.received.find((m) => m.method === 'REFER'), 'the REFER at the raw party');
    answer(raw, refer, 202, 'Accepted');
    await eventually(() => seen.includes('accepted'), 'the 202 reported');
    const eventId = refer.headers.get('cseq')![0]!.split(' ')[0]!;
    return { raw, dialog, leg, eventId, seen };
  }

  /** A NOTIFY from the raw party on the dialog (ended or not); resolves with the console's answer. */
  async function notify(raw: RawSipParty, dialog: RawDialog, eventId: string, body: string, state = 'active;expires=60') {
    const cseq = raw.inDialog(dialog, 'NOTIFY', [`Event: refer;id=${eventId}`, `Subscription-State: ${state}`, 'Content-Type: message/sipfrag;version=2.0'], `${body}\r\n`);
    return (await raw.response(dialog.callId, cseq)).status;
  }

  /** The console hangs up, as a plain blind transfer does on the first NOTIFY; the raw party answers the BYE. */
  async function hangUp(raw: RawSipParty, leg: Watched) {
    leg.leg.hangup();
    const bye = await eventually(() => raw.received.find((m) => m.method === 'BYE'), 'our BYE at the raw party');
    answer(raw, bye, 200, 'OK');
    leg.leg.dispose();
  }

  it('released at NOTIFY 100: the NOTIFY 200 after our BYE is answered 200 and reported; once final, later ones get 481', async () => {
    const { raw, dialog, leg, eventId, seen } = await referred();
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 100 Trying')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 100']);
    await hangUp(raw, leg);
    expect(rig.sessions.size).toBe(0); // the call is gone from JsSIP and the registry …
    // … but its REFER subscription is still ours: answered, and the outcome reaches the report.
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 180 Ringing')).toBe(200);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK', 'terminated;reason=noresource')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'progress 200']);
    // The final NOTIFY ended the subscription: now nothing of ours matches (RFC 6665 §4.1.3).
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK')).toBe(481);
    // Another event id on the same dialog never matched anything.
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'progress 200']);
    expect(rig.warnings.filter((w) => w.startsWith('error'))).toEqual([]);
  });

  it('a late failure reaches the report with its code', async () => {
    const { raw, dialog, leg, eventId, seen } = await referred();
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 100 Trying')).toBe(200);
    await hangUp(raw, leg);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 486 Busy Here', 'terminated;reason=noresource')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 486']);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 486 Busy Here')).toBe(481);
  });

  it('a NOTIFY for another subscription of the ended call is 481; terminated without a final status ends ours, reported as finished', async () => {
    const { raw, dialog, leg, eventId, seen } = await referred();
    await hangUp(raw, leg);
    expect(await notify(raw, dialog, String(Number(eventId) + 7), 'SIP/2.0 200 OK')).toBe(481);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 180 Ringing', 'terminated;reason=timeout')).toBe(200);
    expect(seen).toEqual(['accepted', 'progress 180', 'finished']);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK')).toBe(481);
    expect(seen).toEqual(['accepted', 'progress 180', 'finished']);
  });

  it('the subscription is kept only for a bounded time: then finished, and its NOTIFYs are 481', async () => {
    const { raw, dialog, leg, eventId, seen } = await referred();
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 100 Trying')).toBe(200);
    await hangUp(raw, leg);
    // Positive control: kept right after the BYE.
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 180 Ringing')).toBe(200);
    await eventually(() => seen.includes('finished'), 'the kept subscription to run out', 5000);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK')).toBe(481);
    expect(seen).toEqual(['accepted', 'progress 100', 'progress 180', 'finished']);
  });

  it('a REFER whose final NOTIFY came while the call was up leaves nothing behind: a NOTIFY after the BYE is 481', async () => {
    const { raw, dialog, leg, eventId, seen } = await referred();
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK', 'terminated;reason=noresource')).toBe(200);
    await hangUp(raw, leg);
    expect(await notify(raw, dialog, eventId, 'SIP/2.0 200 OK')).toBe(481);
    expect(seen).toEqual(['accepted', 'progress 200']);
  });
});

describe('what each far end announced it supports (Supported, Allow)', () => {
  it('an incoming INVITE with Supported: replaces and Allow with REFER; one without either', async () => {
    const raw = new RawSipParty(rig.net);
    const withAll = raw.invite('1001', { extra: ['Supported: timer, replaces', 'Allow: INVITE, ACK, BYE, CANCEL, REFER, NOTIFY'] });
    const a = await rig.offered.next('the first call');
    a.leg.answer();
    await raw.ack(withAll);
    await confirmed(a);
    expect(rig.backend.dialog(a.leg.id)?.peer).toEqual({ replaces: true, refer: true });
    const withNone = raw.invite('1001', { extra: ['Supported: timer', 'Allow: INVITE, ACK, BYE, CANCEL, NOTIFY'] });
    const b = await rig.offered.next('the second call');
    b.leg.answer();
    await raw.ack(withNone);
    await confirmed(b);
    expect(rig.backend.dialog(b.leg.id)?.peer).toEqual({ replaces: false, refer: false });
  });

  it('a SIP.js phone with Replaces on: its 200 OK to our INVITE says so', async () => {
    const c = await peer('3003');
    const { leg } = await dialOut(c);
    expect(rig.backend.dialog(leg.leg.id)?.peer).toMatchObject({ replaces: true });
    await endAll();
  });
});
