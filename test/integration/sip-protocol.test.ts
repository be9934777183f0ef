/**
 * What the console answers to requests no well-behaved stack sends, on the
 * in-process SIP pair: the console's real line (JsSIP) and call service
 * against a party that writes its SIP by hand (./sip-raw-party.ts) over the
 * in-memory network. Each deviation gets the response RFC 3261 / 6665 asks
 * for, is logged, and leaves the line handling the next request. Also: an
 * offer the media host cannot use is refused before the call rings, a call
 * refused for lack of a line leaves a missed call in history, and a call that
 * arrived by transfer says who transferred it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../preload/contract';
import { historyRecorder } from '../../main/calls/call/history';
import { MAX_CALLS } from '../../main/calls/call/call-set';
import { ALL_LINES_BUSY, createCallService, type CallService } from '../../main/calls/call/service';
import type { Logger } from '../../main/logging/logger';
import { offerProblem } from '../../main/media/offer-check';
import { createLine, type Line } from '../../main/sip/line';
import { FakeClock } from '../support/clock';
import { SipMemoryNetwork } from '../support/sip-memory';
import { eventually, SipJsPeer } from '../support/sip-memory-peer';
import { RawSipParty, plainRtpOffer, webrtcOffer, type RawDialog } from './sip-raw-party';
import { fakeMicrophone, header, installFakeWebRTC } from './sip-peer';

let restoreWebRTC: () => void;
beforeAll(() => (restoreWebRTC = installFakeWebRTC()));
afterAll(() => restoreWebRTC());

const domain = 'memory.test';

/** A logger that keeps what was said, for "and it is logged". */
function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, data?: unknown) => lines.push(`${level} ${message} ${data === undefined ? '' : JSON.stringify(data)}`);
  const logger: Logger = { error: log('error'), warn: log('warn'), info: log('info'), debug: () => {}, scope: () => logger };
  return logger;
}

interface Rig {
  net: SipMemoryNetwork;
  line: Line;
  service: CallService;
  raw: RawSipParty;
  logs: string[];
  /** Everything the call service did, in order: pushes, history, alerts. */
  order: string[];
  published: CallSnapshot[];
  recorded: Array<{ kind: string; [k: string]: unknown }>;
}
let rig: Rig;
/** SIP.js parties here offer the test SDP (no ICE, no DTLS): their calls are let through unjudged. */
let judgeOffers = true;

beforeEach(async () => {
  judgeOffers = true;
  const net = new SipMemoryNetwork({ domain });
  const logs: string[] = [];
  const order: string[] = [];
  const recorded: Rig['recorded'] = [];
  const line = createLine(
    { wsUrl: `ws://${domain}`, sipUri: `sip:1001@${domain}`, password: 'unused', acceptSelfSigned: false },
    { log: recordingLogger(logs), media: { ...fakeMicrophone(), offerProblem: (sdp: string) => (judgeOffers ? offerProblem(sdp) : null) }, socket: () => net.jssipSocket('console'), session: { iceCutoffMs: 20 } },
  );
  const clock = new FakeClock(1_000_000);
  const partial: Pick<Rig, 'published'> = { published: [] };
  const service = createCallService({
    recorder: {
      callStarted: (c) => (order.push('history.started'), recorded.push({ kind: 'started', ...c })),
      callAnswered: () => order.push('history.answered'),
      callEnded: (c) => (order.push('history.ended'), recorded.push({ kind: 'ended', ...c })),
      holdStarted: () => {},
      holdEnded: () => {},
    },
    alerts: {
      ringer: (m) => order.push(`ringer ${m}`),
      incoming: () => order.push('notify.incoming'),
      dismiss: () => {},
      missed: () => order.push('notify.missed'),
      problem: () => {},
    },
    music: { set: () => Promise.resolve(null) },
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: (l) => {
      partial.published = l;
      order.push(`push ${l.map((c) => c.state).join(',')}`);
    },
    log: recordingLogger(logs),
  });
  service.attach(line);
  const registered = new Promise<void>((resolve) => line.onStatus((s) => s.state === 'registered' && resolve()));
  line.start();
  await registered;
  rig = {
    net,
    line,
    service,
    raw: new RawSipParty(net),
    logs,
    order,
    recorded,
    get published() {
      return partial.published;
    },
  };
});

afterEach(async () => {
  for (const c of rig.service.list()) if (c.state === 'ringing' && c.direction === 'incoming') rig.service.decline(c.id, 486);
  for (const c of rig.service.list()) if (c.state !== 'ended') rig.service.hangup(c.id);
  rig.service.dispose();
  await rig.line.stop();
  rig.net.close();
});

/** The raw party calls the console, the agent answers, the raw party ACKs: an established dialog. */
async function establishedCall(): Promise<{ dialog: RawDialog; call: CallSnapshot }> {
  const invite = rig.raw.invite('1001');
  const ringing = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'the call to ring');
  rig.service.answer(ringing.id);
  const dialog = await rig.raw.ack(invite);
  const call = await eventually(() => rig.service.list().find((c) => c.id === ringing.id && c.state === 'established'), 'the call to be established');
  return { dialog, call };
}

/** The line still works: an OPTIONS in the dialog (or outside it) is answered 200. */
async function stillAnswering(dialog?: RawDialog) {
  if (dialog) {
    const cseq = rig.raw.inDialog(dialog, 'OPTIONS');
    expect((await rig.raw.response(dialog.callId, cseq)).status).toBe(200);
    return;
  }
  const callId = `probe-${Date.now()}`;
  rig.raw.send(`OPTIONS sip:1001@${domain} SIP/2.0`, [rig.raw.via(), 'Max-Forwards: 70', `From: <${rig.raw.aor}>;tag=p1`, `To: <sip:1001@${domain}>`, `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS']);
  expect((await rig.raw.response(callId, 1)).status).toBe(200);
}

describe('REFER with a Refer-To the stack cannot parse', () => {
  it.each(['<sip:carol@memory.test', 'sip:carol@memory.test>', '<sip:car"ol@memory.test>', 'not a uri', '<sip:carol@memory.test;x=">'])(
    'Refer-To %j is answered 400 with a reason and logged; the call goes on',
    async (referTo) => {
      const { dialog, call } = await establishedCall();
      const cseq = rig.raw.inDialog(dialog, 'REFER', [`Refer-To: ${referTo}`, `Referred-By: <${rig.raw.aor}>`]);
      const answer = await rig.raw.response(dialog.callId, cseq);
      expect(answer.startLine).toBe('SIP/2.0 400 Bad Refer-To header');
      // The answer is a proper final response to that request: same Call-ID, CSeq, Via, our tag.
      expect(header(answer, 'cseq')).toBe(`${cseq} REFER`);
      expect(header(answer, 'to')).toContain(`tag=${dialog.toTag}`);
      expect(rig.logs.some((l) => l.startsWith('warn sip: refused a request') && l.includes('Refer-To') && l.includes('"code":400'))).toBe(true);
      expect(rig.service.list().find((c) => c.id === call.id)?.state).toBe('established');
      await stillAnswering(dialog);
    },
  );
});

describe('NOTIFY for no subscription', () => {
  it('outside any dialog: 481, not JsSIP\'s 200', async () => {
    const callId = 'notify-out-of-dialog';
    rig.raw.send(`NOTIFY sip:1001@${domain} SIP/2.0`, [
      rig.raw.via(),
      'Max-Forwards: 70',
      `From: <${rig.raw.aor}>;tag=n1`,
      `To: <sip:1001@${domain}>`,
      `Call-ID: ${callId}`,
      'CSeq: 7 NOTIFY',
      'Event: message-summary',
      'Subscription-State: active',
      'Content-Type: application/simple-message-summary',
    ], 'Messages-Waiting: yes\r\n');
    const answer = await rig.raw.response(callId, 7);
    expect(answer.startLine).toBe('SIP/2.0 481 Subscription does not exist');
    expect(rig.logs.some((l) => l.includes('refused a request') && l.includes('"code":481'))).toBe(true);
  });

  it.each([
    ['Event: refer (no REFER of ours)', ['Event: refer']],
    ['Event: refer;id=99 (no such REFER)', ['Event: refer;id=99']],
    ['Event: presence (never subscribed)', ['Event: presence']],
  ])('inside a call, %s: 481', async (_what, event) => {
    const { dialog, call } = await establishedCall();
    const cseq = rig.raw.inDialog(dialog, 'NOTIFY', [...event, 'Subscription-State: active;expires=60', 'Content-Type: message/sipfrag;version=2.0'], 'SIP/2.0 200 OK\r\n');
    const answer = await rig.raw.response(dialog.callId, cseq);
    expect(answer.startLine).toBe('SIP/2.0 481 Subscription does not exist');
    expect(rig.service.list().find((c) => c.id === call.id)?.state).toBe('established');
    await stillAnswering(dialog);
  });

  it('inside a call without an Event header: 400, and the line is not knocked over (JsSIP would throw)', async () => {
    const { dialog } = await establishedCall();
    const cseq = rig.raw.inDialog(dialog, 'NOTIFY', ['Subscription-State: active'], '');
    const answer = await rig.raw.response(dialog.callId, cseq);
    expect(answer.startLine).toBe('SIP/2.0 400 Missing Event header');
    expect(rig.logs.filter((l) => l.startsWith('error'))).toEqual([]);
    await stillAnswering(dialog);
  });
});

describe('CSeq method that is not the request method', () => {
  it.each(['1 BYE', '1 ACK', '1 OPTIONS'])('an INVITE with CSeq %j is answered 400 and never rings', async (cseq) => {
    const invite = rig.raw.invite('1001', { cseq });
    const answer = await rig.raw.response(invite.callId, 1);
    expect(answer.startLine).toBe('SIP/2.0 400 CSeq method does not match');
    expect(rig.raw.responses(invite.callId).map((m) => m.status)).toEqual([400]);
    expect(rig.order).toEqual([]); // nothing pushed, recorded or rung
    await stillAnswering();
  });

  it('in a call too: a BYE whose CSeq says INVITE is refused and does not end the call', async () => {
    const { dialog, call } = await establishedCall();
    const cseq = rig.raw.inDialog(dialog, 'BYE', [], '', 'INVITE');
    expect((await rig.raw.response(dialog.callId, cseq)).startLine).toBe('SIP/2.0 400 CSeq method does not match');
    expect(rig.service.list().find((c) => c.id === call.id)?.state).toBe('established');
  });
});

describe('other malformed requests', () => {
  it('a header the grammar refuses (here Event) is answered 400 naming it, never dropped in silence', async () => {
    const { dialog } = await establishedCall();
    const cseq = rig.raw.inDialog(dialog, 'NOTIFY', ['Event: refer;;', 'Subscription-State: active']);
    expect((await rig.raw.response(dialog.callId, cseq)).startLine).toBe('SIP/2.0 400 Bad Event header');
  });

  it('a request that cannot be answered (no Via) is dropped and logged; the line goes on', async () => {
    rig.net.send(rig.raw, [`OPTIONS sip:1001@${domain} SIP/2.0`, `From: <${rig.raw.aor}>;tag=x`, `To: <sip:1001@${domain}>`, 'Call-ID: novia', 'CSeq: 1 INFO', 'Content-Length: 0', '', ''].join('\r\n'));
    await eventually(() => rig.logs.some((l) => l.includes('refused a request') && l.includes('"answered":false')), 'the refusal to be logged');
    expect(rig.raw.responses('novia')).toEqual([]);
    await stillAnswering();
  });
});

describe('an offer the media host cannot use', () => {
  it('is refused with 488 before it rings: no 180, no push, no history, no alert', async () => {
    const invite = rig.raw.invite('1001', { body: plainRtpOffer });
    const answer = await rig.raw.response(invite.callId, 1);
    expect(answer.startLine).toBe('SIP/2.0 488 Not Acceptable Here');
    expect(header(answer, 'warning')).toMatch(/^305 - ".*DTLS|ICE/);
    // 100 Trying from the INVITE transaction, then the refusal: never a 180.
    expect(rig.raw.responses(invite.callId).map((m) => m.status)).toEqual([100, 488]);
    expect(rig.order).toEqual([]);
    expect(rig.logs.some((l) => l.includes('cannot use (488)'))).toBe(true);
    await stillAnswering();
  });

  it('a WebRTC offer rings as usual, and the push comes before history, notifications and the ringer', async () => {
    const invite = rig.raw.invite('1001', { body: webrtcOffer });
    await rig.raw.response(invite.callId, 1, 180);
    expect(rig.order).toEqual(['push ringing', 'history.started', 'notify.incoming', 'ringer loud']);
  });

  it('an INVITE without an offer (late SDP) is not judged: the console makes the offer', async () => {
    const invite = rig.raw.invite('1001', { body: '' });
    await rig.raw.response(invite.callId, 1, 180);
    expect(rig.service.list()[0]?.state).toBe('ringing');
  });
});

describe('all lines busy', () => {
  it('the INVITE past the line limit gets 486, and history gets a missed call saying why', async () => {
    for (let i = 0; i < MAX_CALLS; i++) rig.raw.invite('1001');
    await eventually(() => rig.service.list().filter((c) => c.state === 'ringing').length === MAX_CALLS, 'every line ringing');
    rig.order.length = 0;
    const extra = rig.raw.invite('1001', { displayName: 'Late Caller' });
    expect((await rig.raw.response(extra.callId, 1)).status).toBe(486);
    const started = rig.recorded.filter((r) => r.kind === 'started');
    const ended = rig.recorded.find((r) => r.kind === 'ended' && r['reason'] === ALL_LINES_BUSY);
    expect(ended).toMatchObject({ by: 'system', code: 486, answered: false, reason: 'All lines busy' });
    expect(started.find((r) => r['callId'] === ended!['callId'])).toMatchObject({ direction: 'incoming', remote: { number: '2002', displayName: 'Late Caller' } });
    // Nothing rang, nothing was pushed for it: only the trace.
    expect(rig.order).toEqual(['history.started', 'history.ended']);
    expect(rig.service.list()).toHaveLength(MAX_CALLS);
  });

  it('is stored as a missed call (outcome missed, SIP 486, the reason)', () => {
    const rows: unknown[] = [];
    const history = {
      callStarted: (e: unknown) => rows.push(['started', e]),
      callAnswered: () => {},
      callEnded: (e: unknown) => rows.push(['ended', e]),
      holdStarted: () => {},
      holdEnded: () => {},
      transferStep: () => {},
    };
    const recorder = historyRecorder(history, () => 'sip:1001@memory.test');
    recorder.callStarted({ callId: 'x', direction: 'incoming', remote: { number: '2002', uri: 'sip:2002@memory.test', displayName: null }, at: 1 });
    recorder.callEnded({ callId: 'x', at: 1, reason: ALL_LINES_BUSY, by: 'system', code: 486, answered: false });
    expect(rows[1]).toEqual(['ended', { callId: 'x', at: 1, outcome: 'missed', endedBy: 'system', sipCode: 486, sipReason: 'All lines busy' }]);
  });
});

describe('a call that arrived by transfer', () => {
  it('Referred-By names who transferred it, in the snapshot (display name and number)', async () => {
    rig.raw.invite('1001', { extra: ['Referred-By: "Bob Lee" <sip:2001@memory.test>;cid=1'] });
    const call = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'the call to ring');
    expect(call.transferredBy).toEqual({ number: '2001', uri: 'sip:2001@memory.test', displayName: 'Bob Lee' });
    expect(rig.recorded.find((r) => r.kind === 'started')).toMatchObject({ transferredBy: { displayName: 'Bob Lee' } });
  });

  it('a bare addr-spec Referred-By gives the number', async () => {
    rig.raw.invite('1001', { extra: ['Referred-By: sip:2001@memory.test'] });
    const call = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'the call to ring');
    expect(call.transferredBy).toEqual({ number: '2001', uri: 'sip:2001@memory.test', displayName: null });
  });

  it('an unparseable Referred-By is ignored, the call still rings', async () => {
    rig.raw.invite('1001', { extra: ['Referred-By: garbage <'] });
    const call = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'the call to ring');
    expect(call.transferredBy).toBeUndefined();
  });

  it('an ordinary call carries no transferredBy', async () => {
    rig.raw.invite('1001');
    const call = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'the call to ring');
    expect('transferredBy' in call).toBe(false);
  });

  it('an INVITE with Replaces (no Referred-By): transferred by the party of the call it replaces', async () => {
    const { dialog, call } = await establishedCall(); // 2002 "Caller" — the transferer, in an attended transfer
    const other = new RawSipParty(rig.net, 'carol', '2003');
    other.invite('1001', { displayName: 'Carol', extra: [`Replaces: ${dialog.callId};to-tag=${dialog.toTag};from-tag=${dialog.fromTag}`] });
    const incoming = await eventually(() => rig.service.list().find((c) => c.id !== call.id && c.direction === 'incoming'), 'the replacing call');
    expect(incoming.remote.displayName).toBe('Carol');
    expect(incoming.transferredBy).toEqual({ number: '2002', uri: rig.raw.aor, displayName: 'Caller' });
  });

  it('an attended transfer by a SIP.js phone: the INVITE with Replaces its transferee sends names the transferer', async () => {
    judgeOffers = false;
    const bob = await SipJsPeer.start(rig.net, 'bob');
    const carol = await SipJsPeer.start(rig.net, 'carol');
    try {
      // Bob calls the agent (the consult), and has Carol on another call.
      const bobToAgent = bob.call(`sip:1001@${domain}`);
      const ringing = await eventually(() => rig.service.list().find((c) => c.state === 'ringing'), 'bob ringing the agent');
      rig.service.answer(ringing.id);
      const consult = await bobToAgent;
      const bobToCarol = await bob.call(carol.aor);
      // Bob completes: Carol is referred to the agent, replacing Bob's call with the agent (RFC 3891).
      const refer = bob.refer(bobToCarol, consult);
      const { referral } = await carol.referrals.next('the REFER at carol');
      await referral.accept();
      expect(await refer.status).toBe(202);
      await referral.makeInviter().invite();
      const arrived = await eventually(() => rig.service.list().find((c) => c.id !== ringing.id && c.direction === 'incoming'), 'carol\'s INVITE with Replaces');
      expect(arrived.remote.number).toBe('carol');
      expect(arrived.transferredBy).toMatchObject({ number: 'bob', uri: bob.aor });
    } finally {
      await carol.stop();
      await bob.stop();
    }
  });
});
