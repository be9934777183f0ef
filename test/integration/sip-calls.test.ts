/**
 * Calls end to end in Node: the real call service + SIP line + JsSIP, a
 * recording fake RTCPeerConnection as the WebRTC globals, and a scripted SIP
 * peer over a real local WebSocket. Proves the session adapter: media stream
 * always passed, hold/unhold re-INVITEs incl. retry on "another transaction in
 * flight" and on 491, hold time-out and failure without losing the call,
 * DTMF over INFO and RFC 2833, a WebSocket drop mid-call, media host gone.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallSnapshot, Preferences } from '../../preload/contract';
import { createCallService, type CallService } from '../../main/calls/call/service';
import { silentLogger } from '../../main/logging/logger';
import { createLine, type Line } from '../../main/sip/line';
import { hurriedClock } from '../support/clock';
import { until as waitUntil } from '../support/until';
import { directionOf, fakeMicrophone, header, installFakeWebRTC, SipPeer, webrtc, type SipMessage } from './sip-peer';

let restore: () => void;
beforeAll(() => (restore = installFakeWebRTC()));
afterAll(() => restore());

interface Rig {
  peer: SipPeer;
  line: Line;
  service: CallService;
  media: ReturnType<typeof fakeMicrophone>;
  prefs: Preferences['calls'];
  history: string[];
  alerts: string[];
  /** The first call's states as published, deduplicated. */
  trail: string[];
  list(): CallSnapshot[];
  until(pred: (list: CallSnapshot[]) => boolean, ms?: number): Promise<CallSnapshot[]>;
  established(): Promise<CallSnapshot>;
}
let rig: Rig;

beforeEach(async () => {
  webrtc.connections.length = 0;
  webrtc.stallGathering = false;
  const peer = await SipPeer.start();
  const media = fakeMicrophone();
  const line = createLine(
    { wsUrl: peer.url, sipUri: 'sip:1001@lab.test', password: 'secret-1001', acceptSelfSigned: false },
    {
      log: silentLogger,
      media,
      keepAliveMs: 0,
      reconnectMinSec: 1,
      reconnectMaxSec: 1,
      session: { iceCutoffMs: 50, holdTimeoutMs: 2000, busyRetryMs: 20, glareDelayMs: () => 40 },
    },
  );
  const prefs: Preferences['calls'] = { dtmf: 'info', declineWith: 'busy' };
  const history: string[] = [];
  const alerts: string[] = [];
  let published: CallSnapshot[] = [];
  const trail: string[] = [];
  const waiters = new Set<() => void>();
  const service = createCallService({
    // No media host here: record the swaps the call service asks for, in order with the SIP the peer sees.
    music: {
      set: (_id, on) => {
        history.push(`music ${on ? 'on' : 'off'} (${webrtc.connections[0]?.senders[0]?.track.enabled ? 'track enabled' : 'track disabled'})`);
        return Promise.resolve(on ? 'Lounge' : null);
      },
    },
    recorder: {
      callStarted: (c) => history.push(`started ${c.direction}`),
      callAnswered: () => history.push('answered'),
      callEnded: (c) => history.push(`ended ${c.by}: ${c.reason}`),
      holdStarted: () => history.push('hold'),
      holdEnded: () => history.push('resume'),
    },
    alerts: {
      ringer: (m) => alerts.push(`ringer ${m}`),
      incoming: (_id, r, v) => alerts.push(`incoming ${r.number} ${v}`),
      dismiss: () => {},
      missed: (_id, r) => alerts.push(`missed ${r.number}`),
      problem: (_id, m) => alerts.push(`problem: ${m}`),
    },
    // Real timers, but the ended card lingers only 30 ms so leak checks run fast.
    clock: hurriedClock(30),
    preferences: () => prefs,
    publish: (l) => {
      published = l;
      if (l[0] && trail.at(-1) !== l[0].state) trail.push(l[0].state);
      for (const w of [...waiters]) w();
    },
    log: silentLogger,
  });
  service.attach(line);
  const until = (pred: (l: CallSnapshot[]) => boolean, ms = 6000) =>
    waitUntil(() => pred(published) && published, {
      timeoutMs: ms,
      what: 'the published calls to match',
      // Checked at every publish too, so a list that lasts only until the next one is seen.
      wake: (check) => (waiters.add(check), () => waiters.delete(check)),
      detail: () => `last: ${JSON.stringify(published.map((c) => [c.state, c.hold, c.ended?.reason]))}`,
    });
  const registered = new Promise<void>((r) => line.onStatus((s) => s.state === 'registered' && r()));
  line.start();
  await registered;
  rig = {
    peer, line, service, media, prefs, history, alerts, trail,
    list: () => published,
    until,
    established: async () => (await until((l) => l.some((c) => c.state === 'established'))).find((c) => c.state === 'established')!,
  };
});

afterEach(async () => {
  // Leak check: every call ended and dismissed, every peer connection closed, every microphone released.
  for (const c of rig.service.list()) if (c.state !== 'ended') rig.service.hangup(c.id);
  await rig.until((l) => l.length === 0, 3000);
  expect(rig.service.counters()).toEqual({ calls: 0, timers: 0, legSubscriptions: 0, factListeners: 0 });
  expect(webrtc.connections.every((pc) => pc.closed)).toBe(true);
  expect(rig.media.live.size).toBe(0);
  await rig.line.stop();
  await rig.peer.stop();
});

const invites = (reinvite: boolean) => (m: SipMessage) => m.method === 'INVITE' && !!/;tag=/.exec(header(m, 'to')) === reinvite;

async function outgoingCall() {
  rig.service.dial('1002');
  return rig.established();
}

describe('outgoing call', () => {
  it('dial → trying → ringing → established with our microphone handle; hang up sends BYE', async () => {
    const snap = rig.service.dial('10 02');
    expect(snap).toMatchObject({ state: 'trying', remote: { number: '1002', uri: 'sip:1002@lab.test' } });
    const invite = await rig.peer.waitFor(invites(false));
    expect(invite.ruri).toBe('sip:1002@lab.test');
    expect(directionOf(invite.body)).toBe('sendrecv');
    const call = await rig.established();
    expect(rig.trail).toEqual(['trying', 'ringing', 'established']);
    expect(call.allowedActions).toEqual(['hangup', 'hold', 'mute', 'dtmf']);
    // JsSIP got our stream: the microphone track is what the peer connection sends.
    const pc = webrtc.connections[0]!;
    const mic = [...rig.media.live][0]!;
    expect(pc.ops).toContain(`addTrack ${mic.tracks[0]!.id}`);
    expect(rig.media.acquired).toBe(1);
    rig.service.hangup(call.id);
    await rig.peer.waitFor((m) => m.method === 'BYE');
    expect(rig.list()[0]).toMatchObject({ state: 'ended', ended: { reason: 'Hung up', by: 'agent' } });
    expect(rig.history).toEqual(['started outgoing', 'answered', 'ended agent: Hung up']);
  });

  it('busy (486) ends the call with the reason and code', async () => {
    rig.peer.inviteScript = { provisional: [100], final: 486, delayMs: 20 };
    rig.service.dial('1002');
    const [call] = await rig.until((l) => l[0]?.state === 'ended');
    expect(call!.ended).toMatchObject({ by: 'remote', code: 486, reason: expect.stringMatching(/Busy/) });
  });

  it('cancel while ringing sends CANCEL', async () => {
    rig.peer.inviteScript = { provisional: [100, 180], final: 200, delayMs: 5000 };
    rig.service.dial('1002');
    const [call] = await rig.until((l) => l[0]?.state === 'ringing');
    rig.service.hangup(call!.id);
    await rig.peer.waitFor((m) => m.method === 'CANCEL');
    expect(rig.list()[0]).toMatchObject({ state: 'ended', ended: { reason: 'Cancelled' } });
  });

  it('ICE gathering that never completes is cut off by ready(): the INVITE still leaves', async () => {
    webrtc.stallGathering = true;
    rig.service.dial('1002');
    // Without the cut-off the INVITE would wait for the end of gathering, which never comes.
    await rig.peer.waitFor(invites(false), 5000);
    expect(webrtc.connections[0]!.iceGatheringState).toBe('gathering');
    await rig.established();
  });
});

describe('incoming call', () => {
  it('rings loud, answered with our stream, established; the far end hangs up', async () => {
    const { callId, answered } = await rig.peer.callConsole('1001');
    const [ringing] = await rig.until((l) => l[0]?.state === 'ringing');
    expect(ringing).toMatchObject({ direction: 'incoming', ring: 'loud', remote: { number: '2002', displayName: 'Caller' }, allowedActions: ['answer', 'decline'] });
    expect(rig.alerts).toEqual(['incoming 2002 loud', 'ringer loud']);
    rig.service.answer(ringing!.id);
    const ok = await answered;
    expect(ok.status).toBe(200);
    expect(directionOf(ok.body)).toBe('sendrecv');
    await rig.established();
    expect(rig.alerts).toContain('ringer off');
    rig.peer.hangUp(callId);
    const [ended] = await rig.until((l) => l[0]?.state === 'ended');
    expect(ended!.ended).toMatchObject({ by: 'remote', reason: 'Hung up by the other party' });
  });

  it('decline busy answers 486', async () => {
    const { answered } = await rig.peer.callConsole('1001');
    const [ringing] = await rig.until((l) => l[0]?.state === 'ringing');
    rig.service.decline(ringing!.id);
    expect((await answered).status).toBe(486);
    expect(rig.list()[0]).toMatchObject({ state: 'ended', ended: { code: 486, by: 'agent' } });
  });

  it('call waiting over SIP: second call rings soft; answering it holds the first (re-INVITE sendonly)', async () => {
    const first = await rig.peer.callConsole('1001');
    const [a] = await rig.until((l) => l[0]?.state === 'ringing');
    rig.service.answer(a!.id);
    await first.answered;
    await rig.established();
    const second = await rig.peer.callConsole('1001', 'sip:2003@lab.test');
    const list = await rig.until((l) => l.some((c) => c.state === 'ringing'));
    const b = list.find((c) => c.state === 'ringing')!;
    expect(b.ring).toBe('soft');
    expect(rig.alerts).toContain('ringer soft');
    rig.service.answer(b.id);
    const hold = await rig.peer.waitFor(invites(true));
    expect(directionOf(hold.body)).toBe('sendonly');
    await second.answered;
    const after = await rig.until((l) => l.filter((c) => c.state === 'established').length === 2 && l.some((c) => c.hold.local));
    expect(after.filter((c) => !c.hold.local).map((c) => c.id)).toEqual([b.id]);
  });
});

describe('hold, mute, DTMF', () => {
  it('hold → re-INVITE sendonly, track disabled; unhold → sendrecv', async () => {
    const call = await outgoingCall();
    rig.service.hold(call.id);
    expect(directionOf((await rig.peer.waitFor(invites(true))).body)).toBe('sendonly');
    const [held] = await rig.until((l) => l[0]!.hold.local && !l[0]!.holdPending);
    expect(held).toMatchObject({ holdAudio: { music: 'Lounge' }, holdPending: false });
    expect(held!.heldSince).toEqual(expect.any(Number));
    expect(webrtc.connections[0]!.senders[0]!.track.enabled).toBe(false);
    rig.service.unhold(call.id);
    expect(directionOf((await rig.peer.waitFor(invites(true))).body)).toBe('sendrecv');
    await rig.until((l) => !l[0]!.hold.local && !l[0]!.holdPending);
    expect(webrtc.connections[0]!.senders[0]!.track.enabled).toBe(true);
    // JsSIP's hold disabled the microphone before the music went on; the music came off before unhold re-enabled it.
    expect(rig.history.filter((h) => h === 'hold' || h === 'resume' || h.startsWith('music'))).toEqual([
      'music on (track disabled)',
      'hold',
      'music off (track disabled)',
      'resume',
    ]);
  });

  it('491 glare: JsSIP retries once, we retry after the RFC 3261 §14.1 delay; the call is never dropped', async () => {
    const call = await outgoingCall();
    rig.peer.reinviteScript = [491, 491, 200];
    rig.service.hold(call.id);
    await rig.until((l) => l[0]!.hold.local, 5000);
    expect(rig.peer.count(invites(true))).toBe(3);
    expect(rig.peer.count((m) => m.method === 'BYE')).toBe(0);
  });

  it('hold while another re-INVITE is in flight (hold() would return false) is retried, not dropped', async () => {
    const call = await outgoingCall();
    rig.peer.reinviteDelayMs = 300;
    rig.line.refreshRoutes(); // a target-refresh re-INVITE now occupies the dialog
    await rig.peer.waitFor(invites(true));
    rig.service.hold(call.id);
    await rig.until((l) => l[0]!.hold.local, 3000);
    const reinvites = rig.peer.received.filter(invites(true)).map((m) => directionOf(m.body));
    expect(reinvites).toEqual(['sendrecv', 'sendonly']);
  });

  it('a re-INVITE that is never answered: hold times out, the agent is told, the call stays up', async () => {
    const call = await outgoingCall();
    rig.peer.reinviteScript = ['silent'];
    rig.service.hold(call.id);
    await rig.until(() => rig.alerts.some((a) => a.includes('Hold did not go through: no answer within 2 s')), 3000);
    expect(rig.list()[0]).toMatchObject({ state: 'established', holdPending: false, hold: { local: false } });
    expect(rig.list()[0]!.allowedActions).toContain('hold');
    expect(rig.peer.count((m) => m.method === 'BYE')).toBe(0);
  });

  it('a re-INVITE rejected with 500 rolls the hold back instead of hanging up (JsSIP would send BYE "Hold Failed")', async () => {
    const call = await outgoingCall();
    rig.peer.reinviteScript = [500];
    rig.service.hold(call.id);
    await rig.until(() => rig.alerts.some((a) => a.includes('answered 500')));
    await rig.until((l) => l[0]!.state === 'established' && !l[0]!.hold.local && !l[0]!.holdPending);
    expect(webrtc.connections[0]!.senders[0]!.track.enabled).toBe(true);
    // Positive control after the failure: the dialog is alive — the next hold goes through on it.
    rig.service.hold(call.id);
    await rig.until((l) => l[0]!.hold.local && !l[0]!.holdPending);
    // And over the whole window, from the refused re-INVITE to now, no BYE left the console.
    expect(rig.peer.count((m) => m.method === 'BYE')).toBe(0);
  });

  it('the far end holds us: hold.remote, still established', async () => {
    await outgoingCall();
    const dialog = rig.peer.onlyDialog();
    await rig.peer.reinviteConsole(dialog.callId, 'sendonly');
    await rig.until((l) => l[0]!.hold.remote);
    expect(rig.list()[0]).toMatchObject({ state: 'established', hold: { local: false, remote: true } });
  });

  it('mute disables the track without any SIP', async () => {
    const call = await outgoingCall();
    const before = rig.peer.received.length;
    rig.service.mute(call.id);
    expect(webrtc.connections[0]!.senders[0]!.track.enabled).toBe(false);
    expect(rig.list()[0]).toMatchObject({ muted: true, holdAudio: 'silence', allowedActions: expect.arrayContaining(['unmute']) });
    rig.service.unmute(call.id);
    expect(webrtc.connections[0]!.senders[0]!.track.enabled).toBe(true);
    expect(rig.peer.received.length).toBe(before);
  });

  it('DTMF goes as SIP INFO by default, RFC 2833 when the preference says so', async () => {
    const call = await outgoingCall();
    rig.service.dtmf(call.id, '5');
    const info = await rig.peer.waitFor((m) => m.method === 'INFO');
    expect(header(info, 'content-type')).toBe('application/dtmf-relay');
    expect(info.body).toMatch(/Signal=5/);
    rig.prefs.dtmf = 'rfc2833';
    rig.service.dtmf(call.id, '7');
    await waitUntil(() => webrtc.connections[0]!.ops.some((op) => op.startsWith('insertDTMF 7')), { timeoutMs: 3000, what: 'insertDTMF 7' });
    // The 7 never went as INFO: the next INFO digit is the next INFO the peer receives (one ordered socket).
    rig.prefs.dtmf = 'info';
    rig.service.dtmf(call.id, '9');
    const next = await rig.peer.waitFor((m) => m.method === 'INFO' && m !== info);
    expect(next.body).toMatch(/Signal=9/);
    expect(rig.peer.received.filter((m) => m.method === 'INFO').map((m) => /Signal=(\w)/.exec(m.body)?.[1])).toEqual(['5', '9']);
  });
});

describe('faults', () => {
  it('WebSocket drop mid-call: line reconnects and re-registers, the call survives with a target-refresh re-INVITE on the new connection', async () => {
    const call = await outgoingCall();
    const states: string[] = [];
    rig.line.onStatus((s) => states.push(s.state));
    rig.peer.dropConnections();
    const refresh = await rig.peer.waitFor((m) => invites(true)(m), 6000);
    expect(states).toEqual(['reconnecting', 'registering', 'registered']);
    expect(directionOf(refresh.body)).toBe('sendrecv');
    expect(rig.peer.log.filter((e) => e.line.startsWith('INVITE')).map((e) => e.conn)).toEqual([1, 2]);
    expect(rig.list()[0]).toMatchObject({ id: call.id, state: 'established' });
    expect(webrtc.connections[0]!.closed).toBe(false);
    // And the far end can reach us again through the new connection.
    await rig.peer.reinviteConsole(rig.peer.onlyDialog().callId, 'sendonly');
    await rig.until((l) => l[0]!.hold.remote);
  });

  it('hang up while the server is unreachable: ended on our side, and the reason says so', async () => {
    const call = await outgoingCall();
    await rig.peer.stop(); // server gone for good
    // The line has noticed (its status left "registered"); the call is still up on our side.
    await waitUntil(() => rig.line.status().state !== 'registered', { timeoutMs: 3000, what: 'the line to notice the server is gone' });
    expect(rig.list()[0]!.state).toBe('established');
    rig.service.hangup(call.id);
    expect(rig.list()[0]!.ended?.reason).toMatch(/unreachable/);
    expect(webrtc.connections[0]!.closed).toBe(true);
    rig.peer = await SipPeer.start(); // for afterEach
  });

  it('the line stopped under a live call (quit, account changed): the call ends with BYE and says why', async () => {
    await outgoingCall();
    await rig.line.stop();
    await rig.peer.waitFor((m) => m.method === 'BYE');
    expect(rig.list()[0]).toMatchObject({ state: 'ended', ended: { by: 'system', reason: 'Ended by the console (the SIP line was stopped)' } });
  });

  it('media host gone: every call ends cleanly with the reason; BYE is sent', async () => {
    await outgoingCall();
    rig.service.mediaGone('the media host crashed');
    await rig.peer.waitFor((m) => m.method === 'BYE');
    expect(rig.list()[0]).toMatchObject({ state: 'ended', ended: { by: 'system', reason: 'Audio stopped: the media host crashed' } });
  });
});
