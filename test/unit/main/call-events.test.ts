/**
 * The call service's own event feed (main/calls/call/events.ts): the facts of
 * a call's life in order — placed/arrived, ringing, answered, hold requested,
 * held with what the caller hears, resumed, hold refused, replaced, ended with
 * who and why, removed — delivered after the change is stored and pushed, and
 * never from inside another listener; and the hang-up policy port.
 */
import { describe, expect, it } from 'vitest';
import type { CallFact } from '../../../main/calls/call/events';
import { createCallService } from '../../../main/calls/call/service';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';

const flush = () => new Promise<void>((r) => setImmediate(r));

function rig(music: 'plays' | 'fails' = 'plays') {
  const clock = new FakeClock(1_000);
  const phone = fakeTelephony({ domain: 'pbx.test' });
  const calls = createCallService({
    recorder: { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} },
    alerts: { ringer() {}, incoming() {}, dismiss() {}, missed() {}, problem() {} },
    music: {
      set: async (_id, on) => {
        if (music === 'fails' && on) throw new Error('no audio device');
        return on ? 'Lounge' : null;
      },
    },
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: () => {},
    log: silentLogger,
  });
  calls.attach(phone.telephony);
  const facts: string[] = [];
  const show = (f: CallFact) => {
    switch (f.type) {
      case 'held':
        return `held ${f.callId} ${typeof f.heard === 'string' ? f.heard : f.heard.music}`;
      case 'holdFailed':
        return `holdFailed ${f.callId} ${f.wanted}`;
      case 'ended':
        return `ended ${f.callId} by ${f.by} ${f.code ?? '-'} ${f.answered ? 'answered' : 'unanswered'}`;
      case 'replaced':
        return `replaced ${f.callId} by ${f.by}`;
      case 'arrived':
        return `arrived ${f.callId}${f.replaces ? ` replaces ${f.replaces}` : ''}${f.referredBy ? ` referred by ${f.referredBy}` : ''}`;
      default:
        return `${f.type} ${f.callId}`;
    }
  };
  const off = calls.onFact((f) => facts.push(show(f)));
  return { clock, phone, calls, facts, off };
}

describe('the call service tells what happens to calls', () => {
  it('an incoming call: arrived, answered, a hold with its music, a resume, ended by the far end, removed', async () => {
    const r = rig();
    const leg = r.phone.ring('c1', { referredBy: 'sip:1001@pbx.test' });
    r.calls.answer('c1');
    leg.emit({ type: 'sip.accepted' });
    r.calls.hold('c1');
    leg.emit({ type: 'sip.holdChanged', originator: 'local', on: true });
    await flush();
    r.calls.unhold('c1');
    await flush();
    leg.emit({ type: 'sip.holdChanged', originator: 'local', on: false });
    leg.emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    r.clock.runAll();
    expect(r.facts).toEqual([
      'arrived c1 referred by sip:1001@pbx.test',
      'answered c1',
      'holdRequested c1',
      'held c1 Lounge',
      'resumed c1',
      'ended c1 by remote - answered',
      'removed c1',
    ]);
  });

  it('an outgoing call rings once (repeated 18x and early media are one ringing), and a busy end says so', () => {
    const r = rig();
    const placed = r.calls.dial('2001');
    const leg = r.phone.leg(placed.id);
    leg.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
    leg.emit({ type: 'sip.progress', code: 183, earlyMedia: true });
    leg.emit({ type: 'sip.ended', by: 'remote', reason: 'Busy', code: 486 });
    expect(r.facts).toEqual([`placed ${placed.id}`, `ringing ${placed.id}`, `ended ${placed.id} by remote 486 unanswered`]);
  });

  it('a refused hold and a refused resume are told as such; music that cannot start still settles the hold (silence)', async () => {
    const r = rig('fails');
    const leg = r.phone.ring('c1');
    r.calls.answer('c1');
    leg.emit({ type: 'sip.accepted' });
    r.calls.hold('c1');
    leg.emit({ type: 'sip.holdFailed', reason: '488' });
    r.calls.hold('c1');
    leg.emit({ type: 'sip.holdChanged', originator: 'local', on: true });
    await flush();
    r.calls.unhold('c1');
    leg.emit({ type: 'sip.holdFailed', reason: '500' });
    await flush();
    expect(r.facts.slice(2)).toEqual(['holdRequested c1', 'holdFailed c1 hold', 'holdRequested c1', 'held c1 silence', 'holdFailed c1 resume', 'held c1 silence']);
  });

  it('an INVITE with Replaces for an answered call: the old call is told it is replaced', () => {
    const r = rig();
    const old = r.phone.ring('old');
    r.calls.answer('old');
    old.emit({ type: 'sip.accepted' });
    r.phone.ring('new', { replaces: 'old' });
    expect(r.facts.slice(-2)).toEqual(['arrived new replaces old', 'replaced old by new']);
  });

  it('events are delivered in order, after the change, never from inside another listener', () => {
    const r = rig();
    const seen: string[] = [];
    r.calls.onFact((f) => {
      seen.push(`${f.type} ${f.callId} (call is ${r.calls.state(f.callId)?.phase ?? 'gone'})`);
      // Acting on a call from a listener: its own events come after this one's, not nested inside.
      if (f.type === 'answered') r.calls.hold(f.callId);
      if (f.type === 'holdRequested') seen.push('listener for holdRequested ran');
    });
    const leg = r.phone.ring('c1');
    r.calls.answer('c1');
    leg.emit({ type: 'sip.accepted' });
    expect(seen).toEqual(['arrived c1 (call is ringing)', 'answered c1 (call is established)', 'holdRequested c1 (call is established)', 'listener for holdRequested ran']);
    // The first listener saw them in the same order.
    expect(r.facts).toEqual(['arrived c1', 'answered c1', 'holdRequested c1']);
  });

  it('a listener that throws does not stop the others or the call', () => {
    const r = rig();
    r.calls.onFact(() => {
      throw new Error('boom');
    });
    const leg = r.phone.ring('c1');
    r.calls.answer('c1');
    leg.emit({ type: 'sip.accepted' });
    expect(r.facts).toEqual(['arrived c1', 'answered c1']);
    expect(r.calls.state('c1')!.phase).toBe('established');
  });

  it('the hang-up policy decides what the agent’s hang-up means; release never asks it', () => {
    const r = rig();
    const asked: string[] = [];
    const off = r.calls.useHangupPolicy((id) => (asked.push(id), id === 'c1' ? 'handled' : 'hang-up'));
    for (const id of ['c1', 'c2']) {
      const leg = r.phone.ring(id);
      r.calls.answer(id);
      leg.emit({ type: 'sip.accepted' });
    }
    r.calls.hangup('c1');
    expect(r.calls.state('c1')!.phase).toBe('established');
    r.calls.hangup('c2');
    expect(r.calls.state('c2')!.phase).toBe('ended');
    r.calls.release('c1');
    expect(r.calls.state('c1')!.phase).toBe('ended');
    expect(asked).toEqual(['c1', 'c2']);
    off();
    r.off();
    expect(r.calls.counters().factListeners).toBe(0);
  });
});
