/**
 * Blind transfers, as tables of (event) → (phase, effects in order): the seed
 * behaviour (release our leg on the first NOTIFY 100/18x), safe blind as a
 * supervised transfer (caller on hold music, the console reaches the
 * transferee on a leg of its own, the caller handed over with Replaces only on
 * the answer, taken back on anything else with nothing ever sent to the
 * caller), the undo window and the races of docs/transfers.md. Rows B1–B6 are
 * its scenario matrix.
 */
import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../../../main/calls/call/machine';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import { IllegalTransferTransition } from '../../../main/calls/transfer/types';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';
import { CALLER, CONSULT, HOLD_REFUSED, Harness, onTheWire, play, SAFE, SEED, type Row } from './transfer-fixtures';

const DIAL = 'call.dialConsult sip:2001@pbx.test';
const REPLACES_REFER = 'handOver C sip:2001@pbx.test?Replaces=consult-call-id%40agent%3Bto-tag%3DbobTag%3Bfrom-tag%3DourTag';

/** Safe blind (supervised): the caller is put on hold first; nothing goes to the caller, nothing is dialled yet. */
const safeHold: Row = [(s) => s.blind(SAFE), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']];
/** The caller's hold settled: the console now calls the transferee on a silent leg of its own. */
const holdSettled: Row = [(s) => s.held(), 'consult-dialing', [DIAL]];
const reaching: Row[] = [safeHold, holdSettled, [(s) => s.consultStarted(), 'consult-dialing', []]];
const ringing: Row[] = [...reaching, [(s) => s.consultRinging(), 'consult-dialing', ['history ringing']]];
/** The transferee answered our leg: only now is the caller handed over, with Replaces naming that leg. */
const handedOver: Row[] = [
  ...ringing,
  [(s) => s.consultAnswered(), 'completing', ['timer.cancel T1/consult', 'history answered', REPLACES_REFER, 'timer.start T1/complete 8000']],
];
const safeRequest: Row[] = [safeHold, holdSettled];
const REFER = 'handOver C sip:2001@pbx.test';
const seedRequest: Row = [(s) => s.blind(SEED), 'referring', ['history requested', REFER, 'timer.start T1/refer 30000']];
/** The seed lets go on the first progress: recorded as what it is, released with the outcome not known. */
const seedReleased: Row = [
  (s) => s.notify(100),
  'done',
  ['history dialing 100', 'timer.cancel T1/refer', 'history released 100', 'sip.hangup C'],
];

/** Safe blind before the answer: our leg hung up (CANCEL), the caller resumed, the agent reads `message`. */
const takenBack = (code: number | null, message: string, timer = 'T1/consult'): string[] => [
  code === null ? 'history failed' : `history failed ${code}`,
  `timer.cancel ${timer}`,
  'sip.hangup K',
  'call.resume C',
  'history taken-back',
  `notify "${message}"`,
];
/** The seed's blind, REFER refused before anything was released. */
const seedRefused = (code: number, message: string): string[] => [`history failed ${code}`, 'timer.cancel T1/refer', `notify "${message}"`];

describe('B1 blind, transferee answers', () => {
  it('B1 blind, transferee answers: seed mode releases our leg on the first NOTIFY 100; the NOTIFY 200 after our BYE records the real outcome', () => {
    const h = play([
      seedRequest,
      [(s) => s.accepted(), 'referring', []],
      seedReleased,
    ]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('released');
    expect(h.state.transfer?.timeline.at(-1)?.note).toBe('released at NOTIFY 100; outcome not known');
    play(
      [
        [(s) => s.notify(180), 'done', []], // progress after our BYE: no outcome yet
        [(s) => s.notify(200), 'done', ['history completed 200']],
        [(s) => s.notify(200), 'done', []], // told once
        [(s) => s.notify(486), 'done', []],
        [(s) => s.over(), 'done', []],
      ],
      h,
    );
    expect(h.world.legs.get(CALLER)).toEqual({ up: false, held: false, music: false });
    expect(h.world.steps).toEqual(['requested', 'dialing 100', 'released 100', 'completed 200']);
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'transferred', target: 'Bob', reason: null });
  });

  it('B1 blind, seed mode: a subscription that ends without a final NOTIFY leaves "released" as the last word', () => {
    const h = play([seedRequest, seedReleased, [(s) => s.over(), 'done', []], [(s) => s.notify(200), 'done', []]]);
    expect(h.world.steps.at(-1)).toBe('released 100');
    expect(h.state.transfer?.awaitingOutcome).toBe(false);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('released');
  });

  it('B1 blind, transferee answers: seed mode also releases on a first 18x (no 100 seen)', () => {
    play([
      seedRequest,
      [(s) => s.notify(183), 'done', ['history dialing 183', 'history ringing 183', 'timer.cancel T1/refer', 'history released 183', 'sip.hangup C']],
    ]);
  });

  it('B1 blind, transferee answers: safe mode reaches the transferee on its own leg and hands the caller over with Replaces only on the answer; NOTIFY 200 releases both legs', () => {
    const h = play(ringing);
    // While the transferee rings, the caller has been sent nothing: no REFER can fire late.
    expect(h.world.refers).toEqual([]);
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({ phase: 'consult-dialing', mode: 'blind', safe: true, allowedActions: ['cancel'] });
    play(
      [
        ...handedOver.slice(ringing.length),
        [(s) => s.accepted(), 'completing', []],
        [(s) => s.notify(100), 'completing', []],
        [(s) => s.notify(200), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
        // The transferee ends the replaced leg (RFC 3891 §3): that makes it clean.
        [(s) => s.consultEnded(), 'done', ['timer.cancel T1/replaced', 'history completed 200', 'sip.hangup C']],
        [(s) => s.notify(200), 'done', []],
      ],
      h,
    );
    expect(h.world.refers).toHaveLength(1);
    expect(h.world.refers[0]?.replaces).toEqual({ callId: 'consult-call-id@agent', toTag: 'bobTag', fromTag: 'ourTag' });
    expect(h.world.steps).toEqual(['requested', 'dialing', 'ringing', 'answered', 'completed 200']);
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({ phase: 'done', mode: 'blind', safe: true, reason: null, allowedActions: [] });
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'transferred', target: 'Bob' });
  });

  it('B1 blind: the supervised leg is dialled as such (no microphone, unheard) and the caller is held before it', () => {
    const h = play(safeRequest);
    const dial = h.world.log.find((e) => e.type === 'call.dialConsult');
    expect(dial).toMatchObject({ type: 'call.dialConsult', supervised: true, callerCallId: CALLER });
    expect(h.world.log.map((e) => e.type).indexOf('call.hold')).toBeLessThan(h.world.log.map((e) => e.type).indexOf('call.dialConsult'));
  });
});

describe('B2 blind, transferee busy (486)', () => {
  it('B2 blind, transferee busy: seed mode — our leg was already released; the late 486 is recorded: the caller was lost', () => {
    const h = play([
      seedRequest,
      [(s) => s.accepted(), 'referring', []],
      seedReleased,
      [(s) => s.notify(486), 'done', ['history failed 486', 'notify "busy"']],
    ]);
    expect(h.world.legs.get(CALLER)?.up).toBe(false);
    expect(h.world.steps).toEqual(['requested', 'dialing 100', 'released 100', 'failed 486']);
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'caller-lost', reason: { code: 'busy', sipCode: 486 } });
  });

  it.each([486, 600])('B2 blind, transferee busy: safe mode ends its own leg and takes the caller back with reason "busy" (%i); nothing was sent to the caller', (code) => {
    const h = play([
      ...ringing,
      [(s) => s.consultFailed(code), 'idle', ['history failed ' + code, 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', 'notify "busy"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.refers).toEqual([]);
    expect(toTransferSnapshot(h.state).reason).toEqual({ code: 'busy', message: 'busy', sipCode: code });
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('caller-back');
  });
});

describe('B3 blind, no answer', () => {
  it('B3 blind, no answer: safe mode gives up after 30 s — our leg is cancelled, the caller taken back with reason "no answer"', () => {
    const h = play([
      ...ringing,
      [(s) => s.timer('T1/consult', 30_000), 'idle', ['history failed', 'sip.hangup K', 'call.resume C', 'history taken-back', 'notify "no answer"']],
      // The transferee picks up just too late: the leg was cancelled, its answer is nobody's now.
      [(s) => s.consultAnswered(), 'idle', []],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(h.world.refers).toEqual([]);
  });

  it('B3 blind: a transferee answering after the take-back finds no call and the caller is never handed over', () => {
    const h = play([...ringing, [(s) => s.timer('T1/consult', 30_000), 'idle', ['history failed', 'sip.hangup K', 'call.resume C', 'history taken-back', 'notify "no answer"']]]);
    play([[(s) => s.consultAnswered(), 'idle', []], [(s) => s.consultEnded(), 'idle', []], [(s) => s.notify(200), 'idle', []]], h);
    expect(onTheWire(h.world.log).filter((e) => e.type === 'handOver')).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it.each([408, 480, 487])('B3 blind, no answer: safe mode maps a %i on its own leg to "no answer"', (code) => {
    play([...reaching, [(s) => s.consultFailed(code), 'idle', [`history failed ${code}`, 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', 'notify "no answer"']]]);
  });

  it('B3 blind, no answer: seed mode behaves as B2 — released on dial, the outcome is the caller\u2019s', () => {
    const h = play([seedRequest, seedReleased, [(s) => s.notify(480), 'done', ['history failed 480', 'notify "no answer"']], [(s) => s.timer('T1/refer'), 'done', []]]);
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'caller-lost', reason: { code: 'no-answer' } });
  });

  it('B3 blind, no answer: seed mode with no NOTIFY at all keeps the caller (never released) and says why', () => {
    const h = play([
      seedRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.timer('T1/refer', 30_000), 'idle', ['history failed', 'notify "no answer"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('B4 blind, unknown target (404)', () => {
  it.each([404, 484, 604])('B4 blind, unknown target: safe mode takes the caller back with reason "not found" (%i)', (code) => {
    play([...reaching, [(s) => s.consultFailed(code), 'idle', [`history failed ${code}`, 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', 'notify "not found"']]]);
  });

  it('B4 blind, unknown target: seed mode — a 404 before any progress means nothing was released; caller stays', () => {
    const h = play([seedRequest, [(s) => s.notify(404), 'idle', ['history failed 404', 'timer.cancel T1/refer', 'notify "not found"']]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('B5 blind, REFER rejected', () => {
  const refused = 'the other side does not accept transfers';
  it.each([403, 405, 501, 481, 420])('B5 blind, REFER rejected %i: safe mode — the caller\u2019s phone refuses the hand-over: the transferee\u2019s leg is let go, the caller taken back, never dropped', (code) => {
    const h = play([
      ...handedOver,
      [(s) => s.rejected(code), 'idle', takenBack(code, refused, 'T1/complete')],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(h.world.log.filter((e) => e.type === 'sip.hangup').map((e) => (e as { callId: string }).callId)).toEqual([CONSULT]);
  });

  it('B5 blind: the hand-over fails at the transferee (NOTIFY 481: the transferee hung up our leg meanwhile): the caller is taken back', () => {
    const h = play([
      ...handedOver,
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.consultEnded(), 'completing', []], // RFC 3891: the NOTIFY decides, not the BYE
      [(s) => s.notify(481), 'idle', ['history failed 481', 'timer.cancel T1/complete', 'call.resume C', 'history taken-back', 'notify "the transfer failed (SIP 481)"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it.each([403, 405, 501])('B5 blind, REFER rejected %i: seed mode — caller stays with the agent, reason shown', (code) => {
    const h = play([seedRequest, [(s) => s.rejected(code), 'idle', seedRefused(code, refused)]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state).reason?.code).toBe('refer-refused');
  });

  it('B5 blind, REFER rejected: a new transfer can start right after', () => {
    const h = play([...handedOver, [(s) => s.rejected(403), 'idle', takenBack(403, refused, 'T1/complete')]]);
    play([safeHold], h);
    expect(toTransferSnapshot(h.state).timeline.map((e) => e.step)).toEqual(['requested', 'dialing']);
  });
});

describe('B6 blind, undone within the grace window', () => {
  const withUndo = { ...SAFE, undoMs: 3000 };

  it('B6 blind, undone within the grace window: nothing is sent, the call is exactly as it was', () => {
    const h = new Harness();
    play(
      [
        [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
        [(s) => s.agent('agent.undo'), 'idle', ['timer.cancel T1/undo', 'history undone']],
        [(s) => s.timer('T1/undo'), 'idle', []], // a fire racing the cancel: stale
      ],
      h,
    );
    expect(onTheWire(h.world.log)).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.steps).toEqual(['requested', 'undone']);
  });

  it('B6 blind, undone within the grace window: a hold.settled arriving afterwards (the agent\u2019s own hold) sends nothing', () => {
    const h = play([
      [(s) => s.blind(withUndo, undefined, true), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.undo'), 'idle', ['timer.cancel T1/undo', 'history undone']],
      [(s) => s.held(), 'idle', []],
      [(s) => s.holdFailed(), 'idle', []],
    ]);
    expect(onTheWire(h.world.log)).toEqual([]);
    // The agent had the caller on hold before: the undone transfer leaves it so.
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
  });

  it('B6 blind: the snapshot shows the undo deadline and offers Undo (and Transfer now)', () => {
    const h = new Harness();
    const request = h.s.blind(withUndo);
    h.feed(request);
    const snap = transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
    expect(snap).toMatchObject({ phase: 'pending', undoDeadline: request.at + 3000, allowedActions: ['undo', 'complete'] });
    expect(snap.legs.caller).toEqual({ callId: CALLER, state: 'up', held: false, music: false });
  });

  it('B6 blind: when the window runs out the transfer goes out (hold, then our leg to the transferee once the hold settled)', () => {
    play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.timer('T1/undo', 3000), 'consult-dialing', ['call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      holdSettled,
    ]);
  });

  it('B6 blind: "Transfer now" (Complete) inside the window sends at once and the undo timer dies', () => {
    play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.complete'), 'consult-dialing', ['timer.cancel T1/undo', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      [(s) => s.timer('T1/undo'), 'consult-dialing', []],
      holdSettled,
    ]);
  });

  it('B6 blind: Cancel inside the window is an undo', () => {
    play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.cancel'), 'idle', ['timer.cancel T1/undo', 'history undone']],
    ]);
  });

  it.each([
    ['our leg to the transferee went out', true],
    ['only the caller\u2019s hold went out (our leg waits for it)', false],
  ])('B6 blind: Undo after the window (%s) is refused with a typed reason', (_when, settled) => {
    const h = play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.timer('T1/undo', 3000), 'consult-dialing', ['call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      ...(settled ? [holdSettled] : []),
    ]);
    const attempt = () => h.feed(h.s.agent('agent.undo'));
    expect(attempt).toThrow(IllegalTransferTransition);
    expect(attempt).toThrow(IllegalTransition);
    expect(attempt).toThrow(/consult-dialing → agent\.undo/);
    try {
      attempt();
    } catch (error) {
      expect((error as IllegalTransferTransition).refusal).toBe('undo-too-late');
    }
    // The refusal changed nothing: the transfer goes on as it was.
    if (!settled) play([holdSettled], h);
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toHaveLength(1);
  });

  it('B6 blind: a caller who hangs up inside the window ends the transfer with nothing sent', () => {
    const h = play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/undo', 'history cancelled']],
    ]);
    expect(h.world.refers).toEqual([]);
  });
});

describe('safe blind: our leg waits for the caller\u2019s hold, and the caller waits for the answer', () => {
  it('nothing is dialled until the executor answers the hold with hold.settled; then our leg goes out once', () => {
    const h = play([safeHold]);
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    expect(toTransferSnapshot(h.state, h.world.hold).legs.caller).toEqual({ callId: CALLER, state: 'up', held: true, music: true });
    play(
      [
        [(s) => s.held(CONSULT), 'consult-dialing', []], // another leg's hold: not what the dial waits for
        [(s) => s.held('X'), 'consult-dialing', []],
        [(s) => s.holdFailed(HOLD_REFUSED, 'X'), 'consult-dialing', []],
        holdSettled,
        [(s) => s.held(), 'consult-dialing', []], // nothing waits any more
      ],
      h,
    );
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toHaveLength(1);
  });

  it('the hold fails: the caller is taken back with the reason, and nothing is dialled', () => {
    const h = play([
      safeHold,
      [
        (s) => s.holdFailed(),
        'idle',
        ['history failed', 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', `notify "the caller could not be put on hold (${HOLD_REFUSED})"`],
      ],
      [(s) => s.held(), 'idle', []], // a late answer: still nothing sent
    ]);
    expect(onTheWire(h.world.log).filter((e) => e.type !== 'call.hold' && e.type !== 'call.resume')).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.steps).toEqual(['requested', 'dialing', 'failed', 'taken-back']);
    // The agent may try again at once.
    play([safeHold], h);
  });

  it('Cancel while the transferee rings: our leg is cancelled and the caller resumed; nothing reached the caller', () => {
    const h = play([
      ...ringing,
      [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'timer.cancel T1/consult', 'sip.hangup K', 'call.resume C']],
    ]);
    expect(h.world.refers).toEqual([]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('cancelled');
  });

  it('the agent hangs up the supervised leg from its card: the same as Cancel', () => {
    play([...ringing, [(s) => s.agent('agent.hangupConsult'), 'idle', ['history cancelled', 'timer.cancel T1/consult', 'sip.hangup K', 'call.resume C']]]);
  });

  it('"Transfer now" and Swap are refused while the transferee is being reached (typed, nothing changes)', () => {
    const h = play(ringing);
    expect(() => h.feed(h.s.agent('agent.complete'))).toThrow(/consult-dialing → agent\.complete \(still-reaching/);
    expect(() => h.feed(h.s.agent('agent.swap'))).toThrow(/not-consulting/);
    play([[(s) => s.consultAnswered(), 'completing', ['timer.cancel T1/consult', 'history answered', REPLACES_REFER, 'timer.start T1/complete 8000']]], h);
    expect(() => h.feed(h.s.agent('agent.cancel'))).toThrow(/refer-in-flight/);
  });

  it('the caller hangs up while the transferee rings: our leg is hung up too (the agent was never on it)', () => {
    const h = play([...ringing, [(s) => s.callerEnded(), 'done', ['timer.cancel T1/consult', 'history cancelled', 'sip.hangup K']]]);
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('caller-hung-up');
  });

  it('the caller hangs up while its hold is under way: nothing is dialled, and a late leg is hung up', () => {
    const h = play([
      safeHold,
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/consult', 'history cancelled']],
      [(s) => s.held(), 'done', []],
      [(s) => s.consultStarted(), 'done', ['sip.hangup K']],
    ]);
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toEqual([]);
  });

  it('the caller hangs up after accepting the hand-over: transferred once the transferee ends the leg it replaced', () => {
    const h = play([
      ...handedOver,
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.callerEnded(), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
      [(s) => s.consultEnded(), 'done', ['timer.cancel T1/replaced', 'history completed', 'sip.hangup C']],
    ]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('transferred');
  });

  it('202 but no NOTIFY within the completion time: released as if notified (both legs)', () => {
    play([
      ...handedOver,
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.timer('T1/complete', 8000), 'done', ['history completed', 'sip.hangup C', 'sip.hangup K']],
    ]);
  });

  it('no answer at all to the hand-over within the completion time: the transferee is let go and the caller taken back', () => {
    const h = play([...handedOver, [(s) => s.timer('T1/complete', 8000), 'idle', ['history failed', 'sip.hangup K', 'call.resume C', 'history taken-back', 'notify "no answer"']]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('seed mode does not hold: the REFER goes out at once and a hold.settled finds nothing waiting', () => {
    const h = play([seedRequest, [(s) => s.held(), 'referring', []], seedReleased]);
    expect(h.world.log.some((e) => e.type === 'call.hold')).toBe(false);
  });
});

describe('blind: the caller was already on hold with music when the transfer started', () => {
  it('safe mode still waits for the executor\u2019s hold.settled (answered at once); a failure brings the caller back, resumed', () => {
    const h = play([
      [(s) => s.blind(SAFE, undefined, true), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
    ]);
    expect(h.world.log.filter((e) => e.type === 'call.dialConsult')).toEqual([]);
    play([holdSettled, [(s) => s.consultStarted(), 'consult-dialing', []], [(s) => s.consultFailed(486), 'idle', ['history failed 486', 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', 'notify "busy"']]], h);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('seed mode hands over at once; our leg is released on dial (its music goes with it)', () => {
    const h = play([
      [(s) => s.blind(SEED, undefined, true), 'referring', ['history requested', REFER, 'timer.start T1/refer 30000']],
      seedReleased,
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: false, held: true, music: false });
  });

  it('seed mode, REFER rejected: the transfer kept the caller on hold, so the take-back resumes it', () => {
    const h = play([
      [(s) => s.blind(SEED, undefined, true), 'referring', ['history requested', REFER, 'timer.start T1/refer 30000']],
      [(s) => s.rejected(403), 'idle', ['history failed 403', 'timer.cancel T1/refer', 'call.resume C', 'history taken-back', 'notify "the other side does not accept transfers"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('blind: races and faults', () => {
  it('caller BYE while the seed REFER is pending (no 202 yet): transfer cancelled, timer gone', () => {
    play([seedRequest, [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history cancelled']]]);
  });

  it('caller BYE after 202: the far end ended our leg itself — the seed transfer counts as released, its NOTIFY decides later', () => {
    const h = play([
      seedRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history released']],
    ]);
    expect(h.world.steps.at(-1)).toBe('released');
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('released');
    // The REFER subscription outlives the caller's BYE (RFC 5057): its NOTIFY 200 says it went through.
    play([[(s) => s.notify(200), 'done', ['history completed 200']]], h);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('transferred');
  });

  it('NOTIFY on an ended dialog (a JsSIP fact in docs/transfers.md) and NOTIFYs of an older transfer are ignored', () => {
    const h = play([
      seedRequest,
      [(s) => s.notify(486, 'T0'), 'referring', []], // an older transfer's late NOTIFY
      [(s) => s.rejected(403, 'T0'), 'referring', []],
      [(s) => s.accepted('T0'), 'referring', []],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history cancelled']],
      [(s) => s.notify(100), 'done', []],
      [(s) => s.notify(503), 'done', []],
    ]);
    expect(h.world.log.filter((e) => e.type === 'sip.hangup')).toEqual([]);
  });

  it('a NOTIFY that is not a status line (code < 100) teaches nothing', () => {
    play([seedRequest, [(s) => s.notify(0), 'referring', []], [(s) => s.notify(99), 'referring', []]]);
    play([...handedOver, [(s) => s.notify(0), 'completing', []], [(s) => s.notify(99), 'completing', []]]);
  });

  it('an unknown final failure keeps its SIP code in the reason', () => {
    const h = play([...reaching, [(s) => s.consultFailed(503), 'idle', ['history failed 503', 'timer.cancel T1/consult', 'call.resume C', 'history taken-back', 'notify "the transfer failed (SIP 503)"']]]);
    expect(toTransferSnapshot(h.state).timeline.find((e) => e.step === 'failed')?.sipCode).toBe(503);
  });

  it('one transfer per call: a second request while one is under way is refused', () => {
    const h = play(safeRequest);
    for (const again of [h.s.blind(SAFE), h.s.attended(SAFE)]) {
      expect(() => h.feed(again)).toThrow(/consult-dialing → request\.(blind|attended) \(transfer-in-progress/);
    }
    const seed = play([seedRequest]);
    expect(() => seed.feed(seed.s.blind(SEED))).toThrow(/referring → request\.blind \(transfer-in-progress/);
  });

  it('Cancel once the seed REFER is out is refused (only its answer can end it)', () => {
    const h = play([seedRequest]);
    expect(() => h.feed(h.s.agent('agent.cancel'))).toThrow(/refer-in-flight/);
  });

  it('a stale timer (an id this transfer no longer runs) is a no-op', () => {
    play([...safeRequest, [(s) => s.timer('T0/consult'), 'consult-dialing', []], [(s) => s.timer('T1/undo'), 'consult-dialing', []]]);
    play([seedRequest, [(s) => s.timer('T0/refer'), 'referring', []]]);
  });

  it('timeline entries carry the event times', () => {
    const h = new Harness();
    const req = h.s.blind(SAFE);
    h.feed(req);
    h.feed(h.s.held());
    h.feed(h.s.consultStarted());
    const ring = h.s.consultRinging();
    h.feed(ring);
    expect(toTransferSnapshot(h.state).timeline).toEqual([
      { step: 'requested', at: req.at, sipCode: null, note: null },
      { step: 'dialing', at: req.at, sipCode: null, note: null },
      { step: 'ringing', at: ring.at, sipCode: null, note: null },
    ]);
  });
});
