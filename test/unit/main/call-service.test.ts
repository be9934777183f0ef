import { describe, expect, it } from 'vitest';
import { ConsoleError, type CallSnapshot, type Preferences } from '../../../preload/contract';
import { ENDED_CARD_MS } from '../../../main/calls/call/machine';
import { createCallService } from '../../../main/calls/call/service';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';

function setup(prefs: Partial<Preferences['calls']> = {}) {
  const clock = new FakeClock(10_000);
  const history: string[] = [];
  const alerts: string[] = [];
  let published: CallSnapshot[] = [];
  const tel = fakeTelephony();
  const legs = tel.legs;
  /** Hold music swaps asked of the media host, in order, on the legs' command logs too. */
  const musicOps: string[] = [];
  const music = {
    set: (id: string, on: boolean) => {
      musicOps.push(`music ${on ? 'on' : 'off'} ${id}`);
      legs.find((l) => l.id === id)?.commands.push(`music ${on ? 'on' : 'off'}`);
      return Promise.resolve(on ? 'Lounge' : null);
    },
  };
  const service = createCallService({
    recorder: {
      callStarted: (c) => history.push(`started ${c.callId} ${c.direction}`),
      callAnswered: (c) => history.push(`answered ${c.callId}`),
      callEnded: (c) => history.push(`ended ${c.callId} ${c.by}: ${c.reason}`),
      holdStarted: (c) => history.push(`hold ${c.callId}`),
      holdEnded: (c) => history.push(`resume ${c.callId}`),
    },
    alerts: {
      ringer: (m) => alerts.push(`ringer ${m}`),
      incoming: (id, _r, v) => alerts.push(`incoming ${id} ${v}`),
      dismiss: (id) => alerts.push(`dismiss ${id}`),
      missed: (id) => alerts.push(`missed ${id}`),
      problem: (id, m) => alerts.push(`problem ${id}: ${m}`),
    },
    music,
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy', ...prefs }),
    publish: (list) => (published = list),
    log: silentLogger,
  });
  service.attach(tel.telephony);
  const snap = (id: string) => published.find((c) => c.id === id)!;
  /** The far end confirms whatever hold/unhold the leg was last asked for. */
  const confirmHolds = () => {
    for (const leg of legs) {
      const last = leg.commands.at(-1);
      if (last === 'hold' || last === 'unhold') {
        leg.commands.push(`${last} confirmed`);
        leg.emit({ type: 'sip.holdChanged', originator: 'local', on: last === 'hold' });
      }
    }
  };
  /** Let the media host's (already resolved) answers arrive. */
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    service,
    legs,
    ring: (id: string) => tel.ring(id),
    snap,
    history,
    alerts,
    advance: (ms: number) => clock.advance(ms),
    confirmHolds,
    settle,
    musicOps,
    clock,
    published: () => published,
    setConnected: (c: boolean) => tel.setConnected(c),
  };
}

const talking = (list: CallSnapshot[]) => list.filter((c) => c.state === 'established' && !c.hold.local).map((c) => c.id);

describe('call service', () => {
  it('an incoming call rings loud, is answered, recorded, and offers main-decided actions', () => {
    const h = setup();
    const leg = h.ring('a');
    expect(h.alerts).toEqual(['incoming a loud', 'ringer loud']);
    expect(h.snap('a')).toMatchObject({ state: 'ringing', ring: 'loud', allowedActions: ['answer', 'decline'] });
    h.service.answer('a');
    expect(leg.commands).toEqual(['answer']);
    expect(h.alerts).toContain('ringer off');
    leg.emit({ type: 'sip.accepted' });
    expect(h.snap('a')).toMatchObject({ state: 'established', answeredAt: 10_000, holdAudio: 'you', allowedActions: ['hangup', 'hold', 'mute', 'dtmf'] });
    expect(h.history).toEqual(['started a incoming', 'answered a']);
  });

  it('call waiting: the second call rings soft; answering it holds the first (with music); swap keeps one unheld', async () => {
    const h = setup();
    const a = h.ring('a');
    h.service.answer('a');
    a.emit({ type: 'sip.accepted' });
    const b = h.ring('b');
    expect(h.alerts.slice(-2)).toEqual(['incoming b soft', 'ringer soft']);
    h.service.answer('b');
    expect(a.commands).toEqual(['answer', 'hold']);
    expect(b.commands).toEqual(['answer']);
    b.emit({ type: 'sip.accepted' });
    h.confirmHolds();
    await h.settle();
    expect(talking(h.published())).toEqual(['b']);
    expect(h.snap('a').allowedActions).toContain('swap');
    expect(h.snap('a').holdAudio).toEqual({ music: 'Lounge' });
    h.service.swap('a');
    await h.settle(); // a: microphone back before its resume re-INVITE
    h.confirmHolds();
    await h.settle(); // b: music once its hold is answered
    expect(talking(h.published())).toEqual(['a']);
    expect(a.commands).toEqual(['answer', 'hold', 'hold confirmed', 'music on', 'music off', 'unhold', 'unhold confirmed']);
    expect(b.commands).toEqual(['answer', 'hold', 'hold confirmed', 'music on']);
    expect(h.snap('a').holdAudio).toBe('you');
    expect(h.snap('b').holdAudio).toEqual({ music: 'Lounge' });
    expect(h.history).toContain('hold a');
    expect(h.history).toContain('resume a');
  });

  it('four simultaneous calls: dialling holds the talking call, only one is ever unheld', async () => {
    const h = setup();
    for (const target of ['1001', '1002', '1003', '1004']) {
      const snap = h.service.dial(target);
      const leg = h.legs.at(-1)!;
      leg.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
      leg.emit({ type: 'sip.accepted' });
      h.confirmHolds();
      await h.settle();
      expect(snap.remote.uri).toBe(`sip:${target}@lab.test`);
    }
    const list = h.published();
    expect(list.filter((c) => c.state === 'established')).toHaveLength(4);
    expect(talking(list)).toEqual([list[3]!.id]);
  });

  it('refuses actions main did not offer, unknown calls, and garbage targets with typed errors', () => {
    const h = setup();
    h.ring('a');
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return e instanceof ConsoleError ? e.code : 'untyped';
      }
      return 'no error';
    };
    expect(code(() => h.service.hold('a'))).toBe('not-allowed');
    expect(code(() => h.service.hangup('zzz'))).toBe('not-found');
    expect(code(() => h.service.dial('call mum'))).toBe('invalid-target');
  });

  it('decline uses the preference (603) and the dismiss timer removes the ended card and its leg', () => {
    const h = setup({ declineWith: 'decline' });
    const leg = h.ring('a');
    h.service.decline('a');
    expect(leg.commands).toEqual(['decline 603']);
    expect(h.snap('a')).toMatchObject({ state: 'ended', ended: { by: 'agent', code: 603 } });
    h.advance(ENDED_CARD_MS);
    expect(h.published()).toEqual([]);
    expect(leg.disposed).toBe(true);
    expect(h.service.counters()).toEqual({ calls: 0, timers: 0, legSubscriptions: 0, factListeners: 0 });
    expect(h.clock.pending).toBe(0);
  });

  it('hanging up while the SIP server is unreachable ends the call locally and says so', () => {
    const h = setup();
    h.service.dial('1002');
    const leg = h.legs[0]!;
    leg.emit({ type: 'sip.accepted' });
    h.setConnected(false);
    h.service.hangup(leg.id);
    expect(leg.commands).toEqual(['hangup']);
    expect(h.snap(leg.id).ended?.reason).toMatch(/unreachable/);
    // JsSIP's own late 'ended' for our BYE is ignored: the call stays ended by the agent.
    leg.emit({ type: 'sip.ended', by: 'system', reason: 'Connection Error', code: null });
    expect(h.snap(leg.id).ended?.by).toBe('agent');
  });

  it('media host gone: every live call ends with the reason, ringing ones too', () => {
    const h = setup();
    const a = h.ring('a');
    h.service.answer('a');
    a.emit({ type: 'sip.accepted' });
    const b = h.ring('b');
    h.service.mediaGone('the audio process crashed');
    for (const id of ['a', 'b']) expect(h.snap(id).ended).toMatchObject({ by: 'system', reason: 'Audio stopped: the audio process crashed' });
    expect(a.commands.at(-1)).toBe('hangup');
    expect(b.commands.at(-1)).toBe('hangup');
    expect(h.alerts.at(-1)).toBe('ringer off');
  });

  it('a SIP event with no edge (late 180 after answer) is ignored, not fatal', () => {
    const h = setup();
    h.service.dial('1002');
    const leg = h.legs[0]!;
    leg.emit({ type: 'sip.accepted' });
    expect(() => leg.emit({ type: 'sip.progress', code: 180, earlyMedia: false })).not.toThrow();
    expect(h.snap(leg.id).state).toBe('established');
  });

  it('DTMF follows the preference; hold failure is reported and hold can be retried', () => {
    const h = setup({ dtmf: 'rfc2833' });
    h.service.dial('1002');
    const leg = h.legs[0]!;
    leg.emit({ type: 'sip.accepted' });
    h.service.dtmf(leg.id, '12#');
    h.service.hold(leg.id);
    expect(h.snap(leg.id).allowedActions).not.toContain('hold');
    leg.emit({ type: 'sip.holdFailed', reason: 'the other side answered 500' });
    expect(h.alerts.at(-1)).toMatch(/Hold did not go through/);
    expect(h.snap(leg.id).allowedActions).toContain('hold');
    expect(leg.commands).toEqual(['dtmf 12# rfc2833', 'hold']);
  });
});
