import { describe, expect, it } from 'vitest';
import { createIncoming, createOutgoing, transition, type CallEvent, type CallState, type Effect } from '../../../main/calls/call/machine';
import { actionsFor, canAcceptAnother, isTalking, MAX_CALLS, planAnswer, planDial, planSwap, ringVolumeFor, type Step } from '../../../main/calls/call/call-set';

const remote = (n: string) => ({ number: n, uri: `sip:${n}@lab.test`, displayName: null });
const established = (id: string, held = false): CallState => ({
  ...createOutgoing(id, remote(id), 0).state,
  phase: 'established',
  answeredAt: 1,
  hold: { local: held, remote: false },
});
const ringing = (id: string): CallState => createIncoming(id, remote(id), 0, 'loud').state;

/** Apply a plan, then confirm every SIP hold/unhold as the far end would (and every hold-music swap as the media host would). */
function run(calls: CallState[], steps: Step[]): CallState[] {
  let set = [...calls];
  const apply = (id: string, fn: (c: CallState) => CallState) => (set = set.map((c) => (c.id === id ? fn(c) : c)));
  const answer = (e: Effect): CallEvent | null => {
    if (e.type === 'sip.hold') return { type: 'sip.holdChanged', originator: 'local', on: true };
    if (e.type === 'sip.unhold') return { type: 'sip.holdChanged', originator: 'local', on: false };
    if (e.type === 'sip.answer') return { type: 'sip.accepted' };
    if (e.type === 'media.holdMusic') return e.on ? { type: 'holdMusic.started', track: 'Lounge' } : { type: 'holdMusic.stopped' };
    return null;
  };
  for (const s of steps) {
    apply(s.callId, (c) => {
      let t = transition(c, s.event, 2);
      let next = t.state;
      const queue = [...t.effects];
      while (queue.length > 0) {
        const reply = answer(queue.shift()!);
        if (!reply) continue;
        t = transition(next, reply, 3);
        next = t.state;
        queue.push(...t.effects);
      }
      return next;
    });
  }
  return set;
}
const unheld = (calls: CallState[]) => calls.filter((c) => c.phase === 'established' && !c.hold.local).map((c) => c.id);

describe('call waiting', () => {
  it('rings loud when the agent is free, soft while on a call', () => {
    expect(ringVolumeFor([])).toBe('loud');
    expect(ringVolumeFor([ringing('a')])).toBe('loud');
    expect(ringVolumeFor([established('a')])).toBe('soft');
    expect(ringVolumeFor([createOutgoing('o', remote('o'), 0).state])).toBe('soft');
  });
  it('answering the waiting call holds the one the agent was on', () => {
    const calls = [established('a'), ringing('b')];
    const plan = planAnswer(calls, 'b');
    expect(plan).toEqual([
      { callId: 'a', event: { type: 'hold' } },
      { callId: 'b', event: { type: 'answer' } },
    ]);
    const after = run(calls, plan);
    expect(unheld(after)).toEqual(['b']);
    expect(after.find((c) => c.id === 'a')!.hold.local).toBe(true);
  });
  it('dialling while on a call holds it first', () => {
    expect(planDial([established('a'), established('b', true)])).toEqual([{ callId: 'a', event: { type: 'hold' } }]);
    expect(planDial([])).toEqual([]);
  });
});

describe('four simultaneous calls and swap', () => {
  it(`accepts up to ${MAX_CALLS} live calls (at least 4)`, () => {
    expect(MAX_CALLS).toBeGreaterThanOrEqual(4);
    const calls = Array.from({ length: MAX_CALLS - 1 }, (_, i) => established(`c${i}`, i > 0));
    expect(canAcceptAnother(calls)).toBe(true);
    expect(canAcceptAnother([...calls, ringing('x')])).toBe(false);
  });
  it('swap keeps exactly one call unheld, across four calls and every swap target', () => {
    let calls = [established('a'), established('b', true), established('c', true), established('d', true)];
    for (const target of ['c', 'a', 'd', 'b', 'c']) {
      expect(actionsFor(calls, calls.find((c) => c.id === target)!)).toContain('swap');
      const wasTalking = unheld(calls)[0]!;
      calls = run(calls, planSwap(calls, target));
      // Music follows the held call; the one the agent swapped to has its microphone back.
      expect(calls.find((c) => c.id === wasTalking)!.holdMusic).toBe('Lounge');
      expect(calls.find((c) => c.id === target)!.holdMusic).toBeNull();
      expect(unheld(calls)).toEqual([target]);
      expect(calls.filter((c) => c.hold.local)).toHaveLength(3);
    }
  });
  it('a held call offers unhold (not swap) when nobody else is talking', () => {
    const calls = [established('a', true), established('b', true)];
    expect(actionsFor(calls, calls[0]!)).toContain('unhold');
    expect(actionsFor(calls, calls[0]!)).not.toContain('swap');
  });
  it('a call whose hold is still in flight no longer counts as talking', () => {
    expect(isTalking({ ...established('a'), holdPending: 'hold' })).toBe(false);
    expect(isTalking({ ...established('a', true), holdPending: 'unhold' })).toBe(true);
  });
  it('answering a fourth call while three are up holds only the talking one', () => {
    const calls = [established('a', true), established('b'), established('c', true), ringing('d')];
    const after = run(calls, planAnswer(calls, 'd'));
    expect(unheld(after)).toEqual(['d']);
    expect(after.filter((c) => c.phase === 'established')).toHaveLength(4);
  });
});
