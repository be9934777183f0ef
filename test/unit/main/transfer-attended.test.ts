/**
 * Attended transfers, as tables of (event) → (phase, effects in order): the
 * caller on hold first and the consult dialled only once that hold settled
 * (`hold.settled`), private talk, completion by hanging up or Complete (REFER
 * with Replaces, our legs released on NOTIFY 2xx or after the time-out),
 * cancel, automatic take-back, semi-attended, swap, and the races. Rows A1–A8
 * are the scenario matrix of docs/transfers.md.
 */
import { describe, expect, it } from 'vitest';
import { referToWithReplaces, replacesFor } from '../../../main/calls/transfer/replaces';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import { IllegalTransferTransition, type DialogId } from '../../../main/calls/transfer/types';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';
import { CALLER, CONSULT, HOLD_REFUSED, Harness, onTheWire, play, SAFE, SEED, type Row } from './transfer-fixtures';

const REPLACES_REFER =
  'handOver C sip:2001@pbx.test?Replaces=consult-call-id%40agent%3Bto-tag%3DbobTag%3Bfrom-tag%3DourTag';
const DIAL = 'call.dialConsult sip:2001@pbx.test';

/** The caller is put on hold; the consult waits for that hold to settle. */
const holding = (options = SAFE): Row => [(s) => s.attended(options), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing']];
/** The executor answered the caller's hold: only now is the consult dialled. */
const holdSettled: Row = [(s) => s.held(), 'consult-dialing', [DIAL]];
const dialled: Row[] = [holding(), holdSettled];
const dialling: Row[] = [
  ...dialled,
  [(s) => s.consultStarted(), 'consult-dialing', []],
  [(s) => s.consultRinging(), 'consult-dialing', ['history ringing']],
];
const consulting: Row[] = [...dialling, [(s) => s.consultAnswered(), 'consulting', ['history answered']]];
const completing = (how: 'agent.complete' | 'agent.hangupConsult'): Row[] => [
  ...consulting,
  [(s) => s.agent(how), 'completing', [REPLACES_REFER, 'timer.start T1/complete 8000']],
];
/**
 * NOTIFY 200, then the transferee's phone ends the consult it replaced (RFC 3891 §3): only that makes
 * the completion clean; both our legs are released then.
 */
const completed: Row[] = [
  [(s) => s.notify(200), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
  [(s) => s.consultEnded(), 'done', ['timer.cancel T1/replaced', 'history completed 200', 'sip.hangup C']],
];

describe('A1 attended, consult answered, agent hangs up', () => {
  it('A1 attended, consult answered, agent hangs up: REFER with Replaces, both our legs released on NOTIFY 200 (their music goes with them)', () => {
    const h = play([
      ...completing('agent.hangupConsult'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.notify(100), 'completing', []],
      ...completed,
      [(s) => s.notify(200), 'done', []], // a NOTIFY after our BYE: nothing left to do
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: false, held: true, music: false });
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(h.world.steps).toEqual(['requested', 'dialing', 'ringing', 'answered', 'completed 200']);
    expect(h.world.refers[0]?.replaces).toEqual({ callId: 'consult-call-id@agent', toTag: 'bobTag', fromTag: 'ourTag' });
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({
      phase: 'done',
      mode: 'attended',
      allowedActions: [],
      legs: { caller: { state: 'ended', held: false, music: false }, consult: { state: 'ended', held: false, music: false } },
    });
  });

  it('A1 attended: an explicit Complete does the same as hanging up', () => {
    play([...completing('agent.complete'), [(s) => s.accepted(), 'completing', []], ...completed]);
  });

  it('A1 attended: REFER 202 and then no NOTIFY — our legs are released after the completion time-out', () => {
    play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.timer('T1/complete', 8000), 'done', ['history completed', 'sip.hangup C', 'sip.hangup K']],
      [(s) => s.notify(200), 'done', []], // a late NOTIFY after our BYE
    ]);
  });

  it('A1 attended: the transferee ending the replaced consult before the NOTIFY does not decide; NOTIFY 200 still releases the caller', () => {
    const h = play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.consultEnded(), 'completing', []],
      [(s) => s.notify(200), 'done', ['history completed 200', 'timer.cancel T1/complete', 'sip.hangup C']],
    ]);
    expect(h.world.legs.get(CALLER)?.up).toBe(false);
  });
});

describe('A2 attended, agent cancels after answer', () => {
  it('A2 attended, agent cancels after answer: consult ends, caller resumed (the call service takes the music off first)', () => {
    const h = play([...consulting, [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'sip.hangup K', 'call.resume C']]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(toTransferSnapshot(h.state, h.world.hold).reason?.code).toBe('cancelled');
  });

  it('A2 attended: cancel while the consult still rings CANCELs it and resumes the caller', () => {
    play([...dialling, [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'sip.hangup K', 'call.resume C']]]);
  });

  it('A2 attended: hanging up a consult that never answered is a cancel, not a blind drop', () => {
    play([...dialling, [(s) => s.agent('agent.hangupConsult'), 'idle', ['history cancelled', 'sip.hangup K', 'call.resume C']]]);
  });

  it('A2 attended: cancel before the consult call id is known hangs the consult up when it shows', () => {
    const h = play([
      ...dialled,
      [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'call.resume C']],
      [(s) => s.consultStarted(), 'idle', ['sip.hangup K']],
      [(s) => s.consultRinging(), 'idle', []],
    ]);
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
  });
});

describe('A3 attended, transferee busy / no answer / rejects', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [408, 'no answer'],
    [480, 'no answer'],
    [487, 'no answer'],
    [404, 'not found'],
    [603, 'declined'],
    [null, 'no answer'],
  ] as const)('A3 attended, consult fails with %s: caller resumed automatically, reason "%s"', (code, message) => {
    const h = play([
      ...dialling,
      [
        (s) => s.consultFailed(code),
        'idle',
        [code === null ? 'history failed' : `history failed ${code}`, 'call.resume C', 'history taken-back', `notify "${message}"`],
      ],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold)).reason?.message).toBe(message);
  });
});

describe('A3 attended, nobody answers the consult in time', () => {
  const WITH_NO_ANSWER = { ...SAFE, consultTimeoutMs: 30_000 };
  const holdingWithTimer: Row = [
    (s) => s.attended(WITH_NO_ANSWER),
    'consult-dialing',
    ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000'],
  ];
  const ringing: Row[] = [
    holdingWithTimer,
    holdSettled,
    [(s) => s.consultStarted(), 'consult-dialing', []],
    [(s) => s.consultRinging(), 'consult-dialing', ['history ringing']],
  ];

  it('A3 attended, consult rings past the no-answer time: consult cancelled, caller resumed, reason "no answer"', () => {
    const h = play([
      ...ringing,
      [
        (s) => s.timer('T1/consult', 30_000),
        'idle',
        ['history failed', 'sip.hangup K', 'call.resume C', 'history taken-back', 'notify "no answer"'],
      ],
      // The CANCELled consult reports its end afterwards: nothing left to do.
      [(s) => s.consultFailed(487), 'idle', []],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold)).reason?.message).toBe('no answer');
  });

  it('A3 attended: the caller\u2019s hold never settles within the no-answer time — taken back, nothing dialled, even later', () => {
    const h = play([
      holdingWithTimer,
      [(s) => s.timer('T1/consult', 30_000), 'idle', ['history failed', 'call.resume C', 'history taken-back', 'notify "no answer"']],
      [(s) => s.held(), 'idle', []],
    ]);
    expect(h.world.log.some((e) => e.type === 'call.dialConsult')).toBe(false);
  });

  it('A3 attended: the consult answered in time stops the no-answer timer', () => {
    play([...ringing, [(s) => s.consultAnswered(), 'consulting', ['timer.cancel T1/consult', 'history answered']]]);
  });

  it('A6 attended: Complete while ringing stops the no-answer timer before the REFER starts its own', () => {
    const h = play([...ringing]);
    h.feed(h.s.agent('agent.complete'));
    expect(h.phase).toBe('referring');
    expect([...h.world.timers.keys()]).toEqual(['T1/refer']);
  });

  it('A2 attended: cancel while ringing stops the no-answer timer', () => {
    const h = play([...ringing]);
    h.feed(h.s.agent('agent.cancel'));
    expect(h.phase).toBe('idle');
    expect([...h.world.timers.keys()]).toEqual([]);
  });

  it('A5 attended: the caller hanging up while the consult rings stops the no-answer timer; the consult rings on', () => {
    const h = play([...ringing]);
    h.feed(h.s.callerEnded());
    expect(h.phase).toBe('done');
    expect([...h.world.timers.keys()]).toEqual([]);
    expect(h.world.legs.get(CONSULT)?.up ?? true).toBe(true);
  });
});

describe('A4 attended, transferee hangs up during consult', () => {
  it('A4 attended, transferee hangs up during consult: caller resumed, reason shown', () => {
    const h = play([
      ...consulting,
      [(s) => s.consultEnded(), 'idle', ['call.resume C', 'history taken-back', 'notify "the transferee hung up"']],
      [(s) => s.consultEnded(), 'idle', []],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('A4 attended: transferee hangs up while the agent talks to the caller (after a swap) — nothing to resume', () => {
    const h = play([
      ...consulting,
      [(s) => s.agent('agent.swap'), 'consulting', ['call.hold K', 'call.resume C']],
      [(s) => s.consultEnded(), 'idle', ['history taken-back', 'notify "the transferee hung up"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.legs.get(CONSULT)).toEqual({ up: false, held: true, music: false });
  });
});

describe('A5 attended, caller hangs up during consult', () => {
  it('A5 attended, caller hangs up during consult: caller leg ends, consult continues as a normal call', () => {
    const h = play([...consulting, [(s) => s.callerEnded(), 'done', ['history cancelled', 'call.resume K']]]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
    expect(h.world.log.some((e) => e.type === 'sip.hangup' && e.callId === CONSULT)).toBe(false);
  });

  it('A5 attended: after a swap the consult was held — it is resumed as the agent\u2019s ordinary call', () => {
    const h = play([
      ...consulting,
      [(s) => s.agent('agent.swap'), 'consulting', ['call.hold K', 'call.resume C']],
      [(s) => s.callerEnded(), 'done', ['history cancelled', 'call.resume K']],
    ]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
  });

  it('A5 attended: caller hangs up while the consult still rings — the consult keeps ringing as an ordinary call', () => {
    const h = play([
      ...dialled,
      [(s) => s.callerEnded(), 'done', ['history cancelled']],
      [(s) => s.consultStarted(), 'done', []], // adopted, not hung up
    ]);
    expect(h.world.legs.get(CONSULT)?.up ?? true).toBe(true);
    expect(h.state.transfer?.consult?.callId).toBe(CONSULT);
  });

  it('A5 attended: caller hangs up while its hold is under way — the consult is never dialled, the late answer sends nothing', () => {
    const h = play([
      holding(),
      [(s) => s.callerEnded(), 'done', ['history cancelled']],
      [(s) => s.held(), 'done', []],
      [(s) => s.holdFailed('the call is not answered'), 'done', []],
    ]);
    expect(h.world.log.some((e) => e.type === 'call.dialConsult')).toBe(false);
    // The snapshot shows no consult "dialing" that nobody will ever dial.
    expect(toTransferSnapshot(h.state, h.world.hold).legs.consult).toEqual({ callId: null, state: 'ended', held: false, music: false });
  });

  it('caller BYE while the REFER with Replaces is pending (no 202): cancelled, the consult stays up', () => {
    const h = play([...completing('agent.complete'), [(s) => s.callerEnded(), 'done', ['timer.cancel T1/complete', 'history cancelled', 'call.resume K']]]);
    expect(h.world.legs.get(CONSULT)?.up).toBe(true);
  });

  it('caller BYE after the 202: the transfer is clean once the transferee ends the consult it replaced', () => {
    const h = play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.callerEnded(), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
      [(s) => s.notify(200), 'completing', []], // already waiting for the consult to end
      [(s) => s.consultEnded(), 'done', ['timer.cancel T1/replaced', 'history completed', 'sip.hangup C']],
    ]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('transferred');
  });

  it('caller BYE after the 202 and the consult stays up: the caller reached the transferee as a new call', () => {
    const h = play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.callerEnded(), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
      [(s) => s.timer('T1/replaced', 3000), 'done', ['history new-call', 'sip.hangup C', 'sip.hangup K']],
    ]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('new-call');
  });

  it('caller BYE after the 202, then NOTIFY 486: the caller is lost, the consult stays the agent\u2019s ordinary call', () => {
    const h = play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.callerEnded(), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
      [(s) => s.notify(486), 'done', ['timer.cancel T1/replaced', 'history failed 486', 'notify "busy"', 'call.resume K']],
    ]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'caller-lost', reason: { code: 'busy' } });
  });
});

describe('A6 attended, Complete while consult still ringing', () => {
  const semi: Row = [
    (s) => s.agent('agent.complete'),
    'referring',
    ['sip.hangup K', 'history requested', 'handOver C sip:2001@pbx.test', 'timer.start T1/refer 30000'],
  ];

  it('A6 attended, Complete while consult still ringing: becomes blind to the same target, transferee answers (B1)', () => {
    const h = play([
      ...dialling,
      semi,
      [(s) => s.agent('agent.complete'), 'referring', []], // double Complete
      [(s) => s.consultFailed(487), 'referring', []], // our own CANCEL's answer
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.notify(100), 'referring', ['history dialing 100']],
      [(s) => s.notify(200), 'done', ['timer.cancel T1/refer', 'history answered 200', 'history completed 200', 'sip.hangup C']],
    ]);
    expect(h.world.refers[0]?.replaces).toBeUndefined();
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({ mode: 'blind', semiAttended: true });
  });

  it('A6 attended, Complete while consult still ringing: transferee busy — caller taken back (B2 safe)', () => {
    play([
      ...dialling,
      semi,
      [(s) => s.notify(486), 'idle', ['history failed 486', 'timer.cancel T1/refer', 'call.resume C', 'history taken-back', 'notify "busy"']],
    ]);
  });

  it('A6 attended, seed mode: released on the first NOTIFY 100 like a seed blind transfer', () => {
    play([
      holding(SEED),
      holdSettled,
      [(s) => s.consultStarted(), 'consult-dialing', []],
      semi,
      [(s) => s.notify(100), 'done', ['history dialing 100', 'timer.cancel T1/refer', 'history released 100', 'sip.hangup C']],
    ]);
  });

  it('A6 attended: Complete before the consult call id is known — the consult is hung up when it appears', () => {
    play([
      ...dialled,
      [(s) => s.agent('agent.complete'), 'referring', ['history requested', 'handOver C sip:2001@pbx.test', 'timer.start T1/refer 30000']],
      [(s) => s.consultStarted(), 'referring', ['sip.hangup K']],
    ]);
  });

  it('A6 attended: Complete before the caller\u2019s hold settled (nothing dialled yet) — the REFER goes out on hold.settled, not before', () => {
    const h = play([
      holding(),
      [(s) => s.agent('agent.complete'), 'referring', ['history requested', 'timer.start T1/refer 30000']],
      [(s) => s.held(CONSULT), 'referring', []], // another leg: not what the REFER waits for
    ]);
    expect(h.world.refers).toEqual([]);
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({ phase: 'referring', mode: 'blind', semiAttended: true });
    play(
      [
        [(s) => s.held(), 'referring', ['handOver C sip:2001@pbx.test']],
        [(s) => s.held(), 'referring', []],
        [(s) => s.accepted(), 'referring', []],
        [(s) => s.notify(200), 'done', ['timer.cancel T1/refer', 'history answered 200', 'history completed 200', 'sip.hangup C']],
      ],
      h,
    );
    // The consult was never dialled: nothing to hang up, no consult ever reported.
    expect(h.world.log.some((e) => e.type === 'call.dialConsult')).toBe(false);
    expect(h.world.refers).toHaveLength(1);
  });

  it('A6 attended: Complete before the hold settled stops the no-answer timer; a failing hold then takes the caller back, nothing sent', () => {
    const h = play([
      [(s) => s.attended({ ...SAFE, consultTimeoutMs: 30_000 }), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      [(s) => s.agent('agent.complete'), 'referring', ['timer.cancel T1/consult', 'history requested', 'timer.start T1/refer 30000']],
      [
        (s) => s.holdFailed(),
        'idle',
        ['history failed', 'timer.cancel T1/refer', 'call.resume C', 'history taken-back', `notify "the caller could not be put on hold (${HOLD_REFUSED})"`],
      ],
      [(s) => s.held(), 'idle', []],
    ]);
    expect(h.world.refers).toEqual([]);
  });
});

describe('A7 privacy during consult', () => {
  it('A7 privacy during consult: caller held with music (hears only music), agent and transferee talk on the only unheld leg', () => {
    const h = play(consulting);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
    expect(h.world.unheld(CALLER, CONSULT)).toEqual([CONSULT]);
    // The consult was dialled only after the caller's hold settled: the caller never heard it.
    const order = h.world.log.map((e) => e.type);
    expect(order.indexOf('call.hold')).toBeLessThan(order.indexOf('call.dialConsult'));
    const snap = transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
    expect(snap.legs).toEqual({
      caller: { callId: CALLER, state: 'up', held: true, music: true },
      consult: { callId: CONSULT, state: 'up', held: false, music: false },
    });
    expect(snap.allowedActions).toEqual(['complete', 'cancel', 'swap']);
  });
});

describe('the snapshot reads each leg\u2019s hold from its call', () => {
  const everythingHeld = () => ({ held: true, music: true });

  it('a leg that is not up reads as talking whatever the lookup says; an up leg reads as its call has it', () => {
    const h = play(dialling);
    expect(toTransferSnapshot(h.state, everythingHeld).legs).toEqual({
      caller: { callId: CALLER, state: 'up', held: true, music: true },
      consult: { callId: CONSULT, state: 'ringing', held: false, music: false },
    });
    play([[(s) => s.consultAnswered(), 'consulting', ['history answered']]], h);
    expect(toTransferSnapshot(h.state, everythingHeld).legs.consult).toEqual({ callId: CONSULT, state: 'up', held: true, music: true });
    play([[(s) => s.agent('agent.complete'), 'completing', [REPLACES_REFER, 'timer.start T1/complete 8000']], ...completed], h);
    expect(toTransferSnapshot(h.state, everythingHeld).legs).toEqual({
      caller: { callId: CALLER, state: 'ended', held: false, music: false },
      consult: { callId: CONSULT, state: 'ended', held: false, music: false },
    });
  });

  it('without a lookup every leg reads as talking; the machine itself keeps no music', () => {
    const h = play(consulting);
    expect(toTransferSnapshot(h.state).legs.caller).toEqual({ callId: CALLER, state: 'up', held: false, music: false });
    expect(JSON.stringify(h.state)).not.toMatch(/music/);
  });

  it('a backend that cannot swap: Swap is left out of the actions offered', () => {
    const h = play(consulting);
    const noSwap = { safeBlind: true, attended: true, swap: false, incomingRefer: true };
    expect(toTransferSnapshot(h.state, h.world.hold, noSwap).allowedActions).toEqual(['complete', 'cancel']);
    expect(toTransferSnapshot(h.state, h.world.hold).allowedActions).toEqual(['complete', 'cancel', 'swap']);
  });
});

describe('A8 swap during consult', () => {
  it('A8 swap during consult: exactly one leg unheld at any time, music follows the held leg', () => {
    const h = play(consulting);
    const toCaller: Row = [(s) => s.agent('agent.swap'), 'consulting', ['call.hold K', 'call.resume C']];
    const toConsult: Row = [(s) => s.agent('agent.swap'), 'consulting', ['call.hold C', 'call.resume K']];
    for (const [row, talking, held] of [
      [toCaller, CALLER, CONSULT],
      [toConsult, CONSULT, CALLER],
      [toCaller, CALLER, CONSULT],
    ] as const) {
      play([row], h);
      expect(h.world.unheld(CALLER, CONSULT)).toEqual([talking]);
      expect(h.world.legs.get(held)).toEqual({ up: true, held: true, music: true });
      expect(h.world.legs.get(talking)?.music).toBe(false);
      // The snapshot reads the same from the calls: music on the held leg only.
      const legs = toTransferSnapshot(h.state, h.world.hold).legs;
      const byId = { [CALLER]: legs.caller, [CONSULT]: legs.consult };
      expect(byId[held]).toMatchObject({ held: true, music: true });
      expect(byId[talking]).toMatchObject({ held: false, music: false });
      // A swap's hold answer finds nothing waiting: the machine only waits before the consult is dialled.
      play([[(s) => s.held(held), 'consulting', []]], h);
    }
    // Complete from the caller side still replaces the consult dialog; release stops every music.
    play([[(s) => s.agent('agent.complete'), 'completing', [REPLACES_REFER, 'timer.start T1/complete 8000']]], h);
    play(completed, h);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: false, held: true, music: false });
  });

  it('A8 swap: cancel after swapping to the caller ends the consult and leaves the caller talking', () => {
    const h = play([
      ...consulting,
      [(s) => s.agent('agent.swap'), 'consulting', ['call.hold K', 'call.resume C']],
      [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'sip.hangup K']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('A8 swap is refused while the consult is still ringing (nothing to swap to)', () => {
    const h = play(dialling);
    expect(() => h.feed(h.s.agent('agent.swap'))).toThrow(/consult-dialing → agent\.swap \(not-consulting/);
  });
});

describe('attended: the consult waits for the caller\u2019s hold', () => {
  it('nothing is dialled until hold.settled for the caller; other legs\u2019 answers are not it', () => {
    const h = play([holding()]);
    expect(h.world.log.some((e) => e.type === 'call.dialConsult')).toBe(false);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    play(
      [
        [(s) => s.held(CONSULT), 'consult-dialing', []],
        [(s) => s.holdFailed(HOLD_REFUSED, 'X'), 'consult-dialing', []],
        holdSettled,
        [(s) => s.held(), 'consult-dialing', []], // nothing waits any more: dialled once
        [(s) => s.holdFailed(), 'consult-dialing', []],
        [(s) => s.consultStarted(), 'consult-dialing', []],
      ],
      h,
    );
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toHaveLength(1);
  });

  it('the caller\u2019s hold fails: taken back with the reason, no consult dialled, even when a late hold.settled comes', () => {
    const h = play([
      holding(),
      [(s) => s.holdFailed(), 'idle', ['history failed', 'call.resume C', 'history taken-back', `notify "the caller could not be put on hold (${HOLD_REFUSED})"`]],
      [(s) => s.held(), 'idle', []],
    ]);
    expect(onTheWire(h.world.log).map((e) => e.type)).toEqual(['call.hold', 'call.resume']);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state, h.world.hold).reason).toMatchObject({ code: 'failed', sipCode: null });
  });

  it.each(['agent.cancel', 'agent.hangupConsult'] as const)('%s while the hold is under way: the caller resumed, nothing dialled when hold.settled arrives', (how) => {
    const h = play([
      holding(),
      [(s) => s.agent(how), 'idle', ['history cancelled', 'call.resume C']],
      [(s) => s.held(), 'idle', []],
      [(s) => s.consultStarted(), 'idle', ['sip.hangup K']], // could not happen, but would be hung up
    ]);
    expect(h.world.log.some((e) => e.type === 'call.dialConsult' || e.type === 'handOver')).toBe(false);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('attended: the caller was already on hold when the transfer started', () => {
  it('the hold is asked for all the same (the executor answers at once) and the consult still waits for hold.settled', () => {
    const h = play([[(s) => s.attended(SAFE, undefined, true), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing']]]);
    expect(h.world.log.some((e) => e.type === 'call.dialConsult')).toBe(false);
    play([holdSettled, [(s) => s.consultStarted(), 'consult-dialing', []], [(s) => s.consultFailed(486), 'idle', ['history failed 486', 'call.resume C', 'history taken-back', 'notify "busy"']]], h);
  });
});

describe('attended: completion failures and races', () => {
  const refused = 'the other side does not accept transfers';

  it.each([403, 405, 501])('REFER with Replaces rejected %i: never drops anyone — back to the consult, reason shown', (code) => {
    const h = play([
      ...completing('agent.complete'),
      [(s) => s.rejected(code), 'consulting', [`history failed ${code}`, 'timer.cancel T1/complete', `notify "${refused}"`]],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state, h.world.hold).allowedActions).toEqual(['complete', 'cancel', 'swap']);
    // and the agent may try again
    play([[(s) => s.agent('agent.complete'), 'completing', [REPLACES_REFER, 'timer.start T1/complete 8000']]], h);
  });

  it('NOTIFY 481 (the transferee does not know the dialog to replace): back to the consult', () => {
    play([
      ...completing('agent.complete'),
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.notify(481), 'consulting', ['history failed 481', 'timer.cancel T1/complete', 'notify "the transfer failed (SIP 481)"']],
    ]);
  });

  it('NOTIFY failure after the transferee already left: the caller is taken back', () => {
    play([
      ...completing('agent.complete'),
      [(s) => s.consultEnded(), 'completing', []],
      [(s) => s.notify(503), 'idle', ['history failed 503', 'timer.cancel T1/complete', 'call.resume C', 'history taken-back', 'notify "the transfer failed (SIP 503)"']],
    ]);
  });

  it('no answer at all to the REFER (no 202) by the completion time-out: back to the consult', () => {
    play([
      ...completing('agent.complete'),
      [(s) => s.timer('T1/complete', 8000), 'consulting', ['history failed', 'notify "no answer"']],
    ]);
  });

  it('double Complete: the second one is an explicit no-op (the REFER is already out)', () => {
    const h = play(completing('agent.complete'));
    const before = h.state;
    play([[(s) => s.agent('agent.complete'), 'completing', []], [(s) => s.agent('agent.hangupConsult'), 'completing', []]], h);
    expect(h.state).toBe(before);
    expect(h.world.refers).toHaveLength(1);
  });

  it('Undo after the consult was dialled is refused with a typed reason; Cancel and Swap while completing are refused', () => {
    const h = play(dialling);
    expect(() => h.feed(h.s.agent('agent.undo'))).toThrow(/consult-dialing → agent\.undo \(undo-too-late/);
    play([[(s) => s.consultAnswered(), 'consulting', ['history answered']], [(s) => s.agent('agent.complete'), 'completing', [REPLACES_REFER, 'timer.start T1/complete 8000']]], h);
    for (const type of ['agent.cancel', 'agent.swap', 'agent.undo'] as const) {
      const error = (() => {
        try {
          h.feed(h.s.agent(type));
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(IllegalTransferTransition);
      expect((error as IllegalTransferTransition).refusal).toBe(type === 'agent.undo' ? 'undo-too-late' : 'refer-in-flight');
    }
  });

  it('events for another consult call are ignored', () => {
    play([
      ...consulting,
      [(s) => s.consultEnded('OTHER'), 'consulting', []],
      [(s) => s.consultFailed(486, 'OTHER'), 'consulting', []],
      [(s) => s.consultRinging('OTHER'), 'consulting', []],
      [(s) => s.consultStarted('STRAY', 'T0'), 'consulting', ['sip.hangup STRAY']],
      [(s) => s.consultStarted(CONSULT), 'consulting', []], // told twice about our own consult: never hung up
    ]);
  });

  it('undo window for attended: nothing dialled, caller not held; Undo leaves the call as it was', () => {
    const h = play([
      [(s) => s.attended({ ...SAFE, undoMs: 3000 }), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.undo'), 'idle', ['timer.cancel T1/undo', 'history undone']],
    ]);
    expect(onTheWire(h.world.log)).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('undo window for attended: when it runs out the caller is held with music, and the consult dialled once that hold settled', () => {
    play([
      [(s) => s.attended({ ...SAFE, undoMs: 3000 }), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.timer('T1/undo', 3000), 'consult-dialing', ['call.hold C', 'history dialing']],
      holdSettled,
    ]);
  });

  it('undo window for attended: Undo inside it, then a hold answer arrives — nothing is dialled', () => {
    const h = play([
      [(s) => s.attended({ ...SAFE, undoMs: 3000 }, undefined, true), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.undo'), 'idle', ['timer.cancel T1/undo', 'history undone']],
      [(s) => s.held(), 'idle', []],
    ]);
    expect(onTheWire(h.world.log)).toEqual([]);
  });

  it('Undo while the consult waits for the caller\u2019s hold is too late (the hold went out); the consult follows the hold', () => {
    const h = play([holding()]);
    expect(() => h.feed(h.s.agent('agent.undo'))).toThrow(/consult-dialing → agent\.undo \(undo-too-late/);
    play([holdSettled], h);
  });
});

describe('attended to an existing call (the consult leg may be INCOMING: JsSIP\u2019s own Replaces gets its tags wrong, docs/transfers.md)', () => {
  const incomingDialog: DialogId = {
    callId: 'their-call@bob',
    localTag: 'ourTag',
    remoteTag: 'bobTag',
    remoteUri: 'sip:2001@pbx.test;transport=ws',
    direction: 'incoming',
  };

  it('Replaces is built from OUR local/remote tags, whichever side sent the INVITE (RFC 3891 §3)', () => {
    // JsSIP copies the INVITE's To/From tags: for an incoming call that gives to-tag=ourTag — wrong.
    for (const direction of ['incoming', 'outgoing'] as const) {
      expect(replacesFor({ ...incomingDialog, direction })).toEqual({ callId: 'their-call@bob', toTag: 'bobTag', fromTag: 'ourTag' });
    }
    expect(referToWithReplaces('sip:2001@pbx.test?X-Evil=1', replacesFor(incomingDialog))).toBe(
      'sip:2001@pbx.test?Replaces=their-call%40bob%3Bto-tag%3DbobTag%3Bfrom-tag%3DourTag',
    );
  });

  it('the existing call becomes the consult: caller held with music, the parked call resumed; Complete sends our own Refer-To', () => {
    const h = play([
      [(s) => s.attended(SAFE, { callId: CONSULT, dialog: incomingDialog }), 'consulting', ['history requested', 'call.hold C', 'call.resume K']],
    ]);
    // Hold first, then resume (the call service takes the parked call's music off first): one leg live.
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
    expect(transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold)).legs).toEqual({
      caller: { callId: CALLER, state: 'up', held: true, music: true },
      consult: { callId: CONSULT, state: 'up', held: false, music: false },
    });
    play(
      [
        [(s) => s.held(), 'consulting', []], // the caller's hold answer: nothing waited for it
        [
          (s) => s.agent('agent.complete'),
          'completing',
          ['handOver C sip:2001@pbx.test;transport=ws?Replaces=their-call%40bob%3Bto-tag%3DbobTag%3Bfrom-tag%3DourTag', 'timer.start T1/complete 8000'],
        ],
        ...completed,
      ],
      h,
    );
    expect(h.world.refers[0]?.replaces).toEqual({ callId: 'their-call@bob', toTag: 'bobTag', fromTag: 'ourTag' });
  });

  it('the agent was talking to the existing call (caller already held): the same asks, which the executor finds done', () => {
    const h = new Harness();
    h.world.set(CONSULT, false);
    play([[(s) => s.attended(SAFE, { callId: CONSULT, dialog: incomingDialog }, true), 'consulting', ['history requested', 'call.hold C', 'call.resume K']]], h);
    expect(h.world.unheld(CALLER, CONSULT)).toEqual([CONSULT]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
  });

  it('cancel parks the existing call again instead of ending it: held first, then the caller resumed', () => {
    const h = play([
      [(s) => s.attended(SAFE, { callId: CONSULT, dialog: incomingDialog }), 'consulting', ['history requested', 'call.hold C', 'call.resume K']],
      [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'call.hold K', 'call.resume C']],
      [(s) => s.held(CONSULT), 'idle', []], // the parked call's hold answer: nothing waits for it
    ]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: true, music: true });
    expect(h.world.unheld(CALLER, CONSULT)).toEqual([CALLER]);
    expect(h.world.log.some((e) => e.type === 'sip.hangup')).toBe(false);
  });

  it('the caller hangs up: the existing call stays, talking, as the agent\u2019s ordinary call', () => {
    const h = play([
      [(s) => s.attended(SAFE, { callId: CONSULT, dialog: incomingDialog }), 'consulting', ['history requested', 'call.hold C', 'call.resume K']],
      [(s) => s.agent('agent.swap'), 'consulting', ['call.hold K', 'call.resume C']],
      [(s) => s.callerEnded(), 'done', ['history cancelled', 'call.resume K']],
    ]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: false, music: false });
  });

  it('an existing call that ends inside the undo window: the transfer is off, nothing goes out, the caller stays as it was', () => {
    const h = play([
      [(s) => s.attended({ ...SAFE, undoMs: 2000 }, { callId: CONSULT, dialog: incomingDialog }), 'pending', ['history requested', 'timer.start T1/undo 2000']],
      [(s) => s.consultEnded(), 'idle', ['timer.cancel T1/undo', 'history cancelled', 'notify "the transferee hung up"']],
      [(s) => s.timer('T1/undo', 2000), 'idle', []],
    ]);
    expect(onTheWire(h.world.log)).toEqual([]);
    expect(h.state.transfer?.reason?.code).toBe('transferee-hung-up');
  });

  it('with an undo window nothing is touched until it runs out', () => {
    const h = new Harness();
    play([[(s) => s.attended({ ...SAFE, undoMs: 2000 }, { callId: CONSULT, dialog: incomingDialog }), 'pending', ['history requested', 'timer.start T1/undo 2000']]], h);
    expect(onTheWire(h.world.log)).toEqual([]);
    expect(h.world.legs.get(CONSULT)).toEqual({ up: true, held: true, music: true });
  });
});
