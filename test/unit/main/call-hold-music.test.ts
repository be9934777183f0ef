/**
 * Hold music on every local hold, driven by the call service: music applies to
 * every hold, not only to transfers. One trace of everything that touches the
 * wire or the sender, in order, with the snapshot the UI had at each step: the
 * re-INVITE first, then the music (JsSIP 3.13.8 hold() disables whatever track
 * the sender carries — docs/transfers.md); on resume the microphone first, then
 * the re-INVITE. The media host's answers are deferred by hand, so every
 * in-between moment is observed.
 */
import { describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import type { CallEvent } from '../../../main/calls/call/machine';
import { createCallService } from '../../../main/calls/call/service';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';

interface Pending {
  id: string;
  on: boolean;
  resolve(track: string | null): void;
  reject(e: Error): void;
}

/** A leg command as the trace reads it: hold and resume as the re-INVITEs they send; DTMF is not traced. */
const onWire = (command: string, id: string): string | null => {
  const [verb, arg] = command.split(' ');
  switch (verb) {
    case 'hold':
      return `re-INVITE sendonly ${id}`;
    case 'unhold':
      return `re-INVITE sendrecv ${id}`;
    case 'decline':
      return `decline ${id} ${arg}`;
    case 'dtmf':
      return null;
    default: // answer, hangup, mute true|false
      return `${command} ${id}`;
  }
};

function rig() {
  // Time moves only by tick(), which fires no timer: these tests are about order, not time-outs.
  const clock = new FakeClock(1_000);
  const trace: string[] = [];
  const history: string[] = [];
  const problems: string[] = [];
  const music: Pending[] = [];
  let published: CallSnapshot[] = [];
  const tel = fakeTelephony({
    onCommand: (command, leg) => {
      const line = onWire(command, leg.id);
      if (line) trace.push(line);
    },
  });
  const service = createCallService({
    recorder: {
      callStarted: () => {},
      callAnswered: () => {},
      callEnded: (c) => history.push(`ended ${c.callId}`),
      holdStarted: (c) => history.push(`holdStarted ${c.callId} at ${c.at} heard ${typeof c.heard === 'string' ? c.heard : `music: ${c.heard.music}`}`),
      holdEnded: (c) => history.push(`holdEnded ${c.callId} at ${c.at}`),
    },
    alerts: { ringer: () => {}, incoming: () => {}, dismiss: () => {}, missed: () => {}, problem: (id, m) => problems.push(`${id}: ${m}`) },
    music: {
      set: (id, on) =>
        new Promise<string | null>((resolve, reject) => {
          trace.push(`music ${on ? 'on' : 'off'} ${id}`);
          music.push({ id, on, resolve, reject });
        }),
    },
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: (l) => (published = l),
    log: silentLogger,
  });
  service.attach(tel.telephony);
  const flush = () => new Promise<void>((r) => setImmediate(r));
  /** The media host answers the oldest music request. */
  const hostAnswers = async (track: string | null = 'Lounge') => {
    const p = music.shift();
    if (!p) throw new Error('no music request pending');
    p.resolve(p.on ? track : null);
    await flush();
  };
  const hostFails = async (message: string) => {
    music.shift()!.reject(new Error(message));
    await flush();
  };
  const snap = (id: string) => published.find((c) => c.id === id)!;
  /** What the UI shows about the caller's ear and the hold, compactly. */
  const ear = (id: string) => {
    const c = snap(id);
    return { hears: c.holdAudio, held: c.hold.local, pending: c.holdPending, heldSince: c.heldSince };
  };
  const answerIncoming = (id: string) => {
    tel.ring(id);
    service.answer(id);
    tel.leg(id).emit({ type: 'sip.accepted' });
  };
  const sip = (id: string, e: CallEvent) => tel.leg(id).emit(e);
  const tick = (ms: number) => clock.set(clock.now() + ms);
  return { service, trace, history, problems, music, hostAnswers, hostFails, snap, ear, answerIncoming, sip, tick, flush };
}

const held = (id: string): CallEvent => ({ type: 'sip.holdChanged', originator: 'local', on: id === 'on' });

describe('hold music on every hold (call service)', () => {
  it('Hold: re-INVITE first, then music; Resume: microphone first, then re-INVITE — truthful at every moment', async () => {
    const r = rig();
    r.answerIncoming('a');
    expect(r.ear('a')).toEqual({ hears: 'you', held: false, pending: false, heldSince: null });

    r.tick(1000);
    r.service.hold('a');
    expect(r.trace.at(-1)).toBe('re-INVITE sendonly a');
    // JsSIP already disabled the microphone track; the re-INVITE is in flight.
    expect(r.ear('a')).toEqual({ hears: 'silence', held: false, pending: true, heldSince: null });
    expect(r.music).toHaveLength(0);

    r.tick(15);
    r.sip('a', held('on'));
    expect(r.trace.at(-1)).toBe('music on a');
    // Held, the timer runs from the answered re-INVITE, the music is being swapped in.
    expect(r.ear('a')).toEqual({ hears: 'silence', held: true, pending: true, heldSince: 2_015 });
    expect(r.snap('a').allowedActions).not.toContain('unhold');
    expect(r.history).toEqual([]);

    r.tick(5);
    await r.hostAnswers('Lounge');
    expect(r.ear('a')).toEqual({ hears: { music: 'Lounge' }, held: true, pending: false, heldSince: 2_015 });
    expect(r.snap('a').allowedActions).toContain('unhold');
    expect(r.history).toEqual(['holdStarted a at 2015 heard music: Lounge']);

    r.tick(42_000);
    r.service.unhold('a');
    expect(r.trace.at(-1)).toBe('music off a');
    expect(r.ear('a')).toEqual({ hears: { music: 'Lounge' }, held: true, pending: true, heldSince: 2_015 });
    await r.hostAnswers();
    expect(r.trace.at(-1)).toBe('re-INVITE sendrecv a');
    expect(r.ear('a')).toEqual({ hears: 'silence', held: true, pending: true, heldSince: 2_015 });
    r.sip('a', held('off'));
    expect(r.ear('a')).toEqual({ hears: 'you', held: false, pending: false, heldSince: null });
    expect(r.trace).toEqual(['answer a', 're-INVITE sendonly a', 'music on a', 'music off a', 're-INVITE sendrecv a']);
    expect(r.history).toEqual(['holdStarted a at 2015 heard music: Lounge', 'holdEnded a at 44020']);
  });

  it('a failed hold never started music and rolls back to talking', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.service.hold('a');
    r.sip('a', { type: 'sip.holdFailed', reason: 'the other side answered 488' });
    await r.flush();
    expect(r.trace).toEqual(['answer a', 're-INVITE sendonly a']);
    expect(r.ear('a')).toEqual({ hears: 'you', held: false, pending: false, heldSince: null });
    expect(r.problems).toEqual(['a: Hold did not go through: the other side answered 488']);
    expect(r.history).toEqual([]);
  });

  it('a failed resume puts the music back on the still-held caller (no second hold in history)', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.service.hold('a');
    r.sip('a', held('on'));
    await r.hostAnswers('Lounge');
    r.service.unhold('a');
    await r.hostAnswers();
    r.sip('a', { type: 'sip.holdFailed', reason: 'the other side answered 500' });
    expect(r.trace.slice(-2)).toEqual(['re-INVITE sendrecv a', 'music on a']);
    expect(r.ear('a')).toMatchObject({ hears: 'silence', held: true, pending: true });
    await r.hostAnswers('Lounge');
    expect(r.ear('a')).toMatchObject({ hears: { music: 'Lounge' }, held: true, pending: false });
    expect(r.history).toEqual(['holdStarted a at 1000 heard music: Lounge']);
  });

  it('music the host cannot play: the caller hears silence, the agent is told, history says silence', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.service.hold('a');
    r.sip('a', held('on'));
    await r.hostFails('the media host is gone');
    expect(r.ear('a')).toMatchObject({ hears: 'silence', held: true, pending: false });
    expect(r.problems).toEqual(['a: Hold music could not start (the media host is gone); the caller hears silence.']);
    expect(r.history).toEqual(['holdStarted a at 1000 heard silence']);
    // Resume without music goes straight to the re-INVITE.
    r.service.unhold('a');
    expect(r.trace.at(-1)).toBe('re-INVITE sendrecv a');
  });

  it('the far end holding us plays no music', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.sip('a', { type: 'sip.holdChanged', originator: 'remote', on: true });
    await r.flush();
    expect(r.music).toHaveLength(0);
    expect(r.snap('a')).toMatchObject({ hold: { local: false, remote: true }, holdAudio: 'you', heldSince: null });
  });

  it('the caller hangs up while the music is swapped in: the late answer changes nothing', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.service.hold('a');
    r.sip('a', held('on'));
    r.sip('a', { type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    await r.hostAnswers('Lounge');
    expect(r.snap('a')).toMatchObject({ state: 'ended', holdAudio: 'you', heldSince: 1_000 });
    expect(r.history).toEqual(['holdStarted a at 1000 heard silence', 'holdEnded a at 1000', 'ended a']);
  });

  it('call waiting: answering the second call holds the first WITH music; swap moves the music to the other call', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.answerIncoming('b');
    expect(r.trace).toEqual(['answer a', 're-INVITE sendonly a', 'answer b']);
    r.sip('a', held('on'));
    await r.hostAnswers('Lounge');
    expect(r.snap('a')).toMatchObject({ holdAudio: { music: 'Lounge' }, allowedActions: expect.arrayContaining(['swap']) });
    expect(r.snap('b').holdAudio).toBe('you');

    r.trace.length = 0;
    r.service.swap('a');
    // b is held (re-INVITE) while a gets its microphone back before its own re-INVITE.
    expect(r.trace).toEqual(['re-INVITE sendonly b', 'music off a']);
    await r.hostAnswers();
    expect(r.trace.at(-1)).toBe('re-INVITE sendrecv a');
    r.sip('b', held('on'));
    r.sip('a', held('off'));
    expect(r.trace.at(-1)).toBe('music on b');
    await r.hostAnswers('Lounge');
    expect(r.snap('a')).toMatchObject({ hold: { local: false }, holdAudio: 'you', heldSince: null });
    expect(r.snap('b')).toMatchObject({ hold: { local: true }, holdAudio: { music: 'Lounge' }, holdPending: false });
    expect(r.trace).toEqual(['re-INVITE sendonly b', 'music off a', 're-INVITE sendrecv a', 'music on b']);
  });

  it('hanging up a call with music: no music request after the BYE (the connection closes with it)', async () => {
    const r = rig();
    r.answerIncoming('a');
    r.service.hold('a');
    r.sip('a', held('on'));
    await r.hostAnswers('Lounge');
    r.service.hangup('a');
    await r.flush();
    expect(r.trace.slice(-1)).toEqual(['hangup a']);
    expect(r.music).toHaveLength(0);
    expect(r.snap('a')).toMatchObject({ state: 'ended', holdAudio: 'you' });
  });
});
