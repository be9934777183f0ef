/**
 * Blind transfers, as tables of (event) → (phase, effects in order): the seed
 * behaviour (release our leg on the first NOTIFY 100/18x), safe blind (caller
 * on hold music before the REFER goes out — the hand-over waits for the
 * executor's `hold.settled` — and until NOTIFY 2xx, taken back on failure),
 * the undo window and the races of docs/transfers.md. Rows B1–B6 are its
 * scenario matrix.
 */
import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../../../main/calls/call/machine';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import { IllegalTransferTransition } from '../../../main/calls/transfer/types';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';
import { CALLER, CONSULT, HOLD_REFUSED, Harness, onTheWire, play, SAFE, SEED, type Row } from './transfer-fixtures';

const REFER = 'handOver C sip:2001@pbx.test';

/** Safe blind: the caller is put on hold first; nothing is handed over yet. */
const safeHold: Row = [(s) => s.blind(SAFE), 'referring', ['history requested', 'call.hold C', 'timer.start T1/refer 30000']];
/** The caller's hold settled (the executor's answer): only now does the REFER go out. */
const holdSettled: Row = [(s) => s.held(), 'referring', [REFER]];
const safeRequest: Row[] = [safeHold, holdSettled];
const seedRequest: Row = [(s) => s.blind(SEED), 'referring', ['history requested', REFER, 'timer.start T1/refer 30000']];
const seedReleased: Row = [
  (s) => s.notify(100),
  'done',
  ['history dialing 100', 'timer.cancel T1/refer', 'history completed 100', 'sip.hangup C'],
];

/** Safe blind: the caller comes back (the call service takes the music off first), the agent reads `message`. */
const takenBack = (code: number, message: string): string[] => [
  `history failed ${code}`,
  'timer.cancel T1/refer',
  'call.resume C',
  'history taken-back',
  `notify "${message}"`,
];

describe('B1 blind, transferee answers', () => {
  it('B1 blind, transferee answers: seed mode releases our leg on the first NOTIFY 100 and ignores the NOTIFYs after our BYE', () => {
    const h = play([
      seedRequest,
      [(s) => s.accepted(), 'referring', []],
      seedReleased,
      [(s) => s.notify(180), 'done', []], // NOTIFY after BYE
      [(s) => s.notify(200), 'done', []],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: false, held: false, music: false });
    expect(h.world.steps).toEqual(['requested', 'dialing 100', 'completed 100']);
  });

  it('B1 blind, transferee answers: seed mode also releases on a first 18x (no 100 seen)', () => {
    play([
      seedRequest,
      [(s) => s.notify(183), 'done', ['history dialing 183', 'history ringing 183', 'timer.cancel T1/refer', 'history completed 183', 'sip.hangup C']],
    ]);
  });

  it('B1 blind, transferee answers: safe mode keeps the caller held with music until NOTIFY 200, then releases our leg', () => {
    const h = play([
      ...safeRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.notify(100), 'referring', ['history dialing 100']],
      [(s) => s.notify(180), 'referring', ['history ringing 180']],
      [(s) => s.notify(180), 'referring', []], // repeated 18x: one ringing step
      [(s) => s.notify(200), 'done', ['timer.cancel T1/refer', 'history answered 200', 'history completed 200', 'sip.hangup C']],
      [(s) => s.notify(200), 'done', []],
    ]);
    expect(h.world.legs.get(CALLER)?.up).toBe(false);
    expect(h.world.steps).toEqual(['requested', 'dialing 100', 'ringing 180', 'answered 200', 'completed 200']);
    expect(toTransferSnapshot(h.state)).toMatchObject({ phase: 'done', mode: 'blind', safe: true, reason: null, allowedActions: [] });
  });
});

describe('B2 blind, transferee busy (486)', () => {
  it('B2 blind, transferee busy: seed mode — our leg was already released, the late 486 changes nothing', () => {
    const h = play([seedRequest, [(s) => s.accepted(), 'referring', []], seedReleased, [(s) => s.notify(486), 'done', []]]);
    expect(h.world.legs.get(CALLER)?.up).toBe(false);
  });

  it.each([486, 600])('B2 blind, transferee busy: safe mode takes the caller back with reason "busy" (%i)', (code) => {
    const h = play([
      ...safeRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.notify(100), 'referring', ['history dialing 100']],
      [(s) => s.notify(code), 'idle', takenBack(code, 'busy')],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state).reason).toEqual({ code: 'busy', message: 'busy', sipCode: code });
  });
});

describe('B3 blind, no answer', () => {
  it('B3 blind, no answer: safe mode times out after 30 s, takes the caller back with reason "no answer"', () => {
    const h = play([
      ...safeRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.notify(180), 'referring', ['history dialing 180', 'history ringing 180']],
      [(s) => s.timer('T1/refer', 30_000), 'idle', ['history failed', 'call.resume C', 'history taken-back', 'notify "no answer"']],
      [(s) => s.notify(200), 'idle', []], // too late: ignored
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it.each([408, 480, 487])('B3 blind, no answer: safe mode maps NOTIFY %i to "no answer"', (code) => {
    play([...safeRequest, [(s) => s.notify(code), 'idle', takenBack(code, 'no answer')]]);
  });

  it('B3 blind, no answer: seed mode behaves as B2 — released on dial, the outcome is the caller\u2019s', () => {
    play([seedRequest, seedReleased, [(s) => s.notify(480), 'done', []], [(s) => s.timer('T1/refer'), 'done', []]]);
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
    play([...safeRequest, [(s) => s.accepted(), 'referring', []], [(s) => s.notify(code), 'idle', takenBack(code, 'not found')]]);
  });

  it('B4 blind, unknown target: seed mode — a 404 before any progress means nothing was released; caller stays', () => {
    const h = play([seedRequest, [(s) => s.notify(404), 'idle', ['history failed 404', 'timer.cancel T1/refer', 'notify "not found"']]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('B5 blind, REFER rejected', () => {
  const refused = 'the other side does not accept transfers';
  it.each([403, 405, 501, 481, 420])('B5 blind, REFER rejected %i: safe mode — caller taken back, never dropped', (code) => {
    const h = play([...safeRequest, [(s) => s.rejected(code), 'idle', takenBack(code, refused)]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(h.world.log.some((e) => e.type === 'sip.hangup')).toBe(false);
  });

  it.each([403, 405, 501])('B5 blind, REFER rejected %i: seed mode — caller stays with the agent, reason shown', (code) => {
    const h = play([seedRequest, [(s) => s.rejected(code), 'idle', [`history failed ${code}`, 'timer.cancel T1/refer', `notify "${refused}"`]]]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state).reason?.code).toBe('refer-refused');
  });

  it('B5 blind, REFER rejected: a new transfer can start right after', () => {
    const h = play([...safeRequest, [(s) => s.rejected(403), 'idle', takenBack(403, refused)]]);
    play(safeRequest, h);
    expect(toTransferSnapshot(h.state).timeline.map((e) => e.step)).toEqual(['requested']);
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

  it('B6 blind: when the window runs out the transfer goes out (hold, then the REFER once the hold settled)', () => {
    play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.timer('T1/undo', 3000), 'referring', ['call.hold C', 'timer.start T1/refer 30000']],
      holdSettled,
    ]);
  });

  it('B6 blind: "Transfer now" (Complete) inside the window sends at once and the undo timer dies', () => {
    play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.agent('agent.complete'), 'referring', ['timer.cancel T1/undo', 'call.hold C', 'timer.start T1/refer 30000']],
      [(s) => s.timer('T1/undo'), 'referring', []],
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
    ['the REFER went out', true],
    ['only the caller\u2019s hold went out (the REFER waits for it)', false],
  ])('B6 blind: Undo after the window (%s) is refused with a typed reason', (_when, settled) => {
    const h = play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.timer('T1/undo', 3000), 'referring', ['call.hold C', 'timer.start T1/refer 30000']],
      ...(settled ? [holdSettled] : []),
    ]);
    const attempt = () => h.feed(h.s.agent('agent.undo'));
    expect(attempt).toThrow(IllegalTransferTransition);
    expect(attempt).toThrow(IllegalTransition);
    expect(attempt).toThrow(/referring → agent\.undo/);
    try {
      attempt();
    } catch (error) {
      expect((error as IllegalTransferTransition).refusal).toBe('undo-too-late');
    }
    // The refusal changed nothing: the transfer goes on as it was.
    if (!settled) play([holdSettled], h);
    expect(h.world.refers).toHaveLength(1);
  });

  it('B6 blind: a caller who hangs up inside the window ends the transfer with nothing sent', () => {
    const h = play([
      [(s) => s.blind(withUndo), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/undo', 'history cancelled']],
    ]);
    expect(h.world.refers).toEqual([]);
  });
});

describe('safe blind: the REFER waits for the caller\u2019s hold', () => {
  it('nothing is handed over until the executor answers the hold with hold.settled; then the REFER goes out once', () => {
    const h = play([safeHold]);
    expect(h.world.refers).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: true, music: true });
    expect(toTransferSnapshot(h.state, h.world.hold).legs.caller).toEqual({ callId: CALLER, state: 'up', held: true, music: true });
    play(
      [
        [(s) => s.held(CONSULT), 'referring', []], // another leg's hold: not what the REFER waits for
        [(s) => s.held('X'), 'referring', []],
        [(s) => s.holdFailed(HOLD_REFUSED, 'X'), 'referring', []],
        holdSettled,
        [(s) => s.held(), 'referring', []], // nothing waits any more
        [(s) => s.holdFailed(), 'referring', []], // a late failure after the REFER went out changes nothing
      ],
      h,
    );
    expect(h.world.refers).toHaveLength(1);
    expect(h.world.log.map((e) => e.type).indexOf('handOver')).toBeGreaterThan(h.world.log.map((e) => e.type).indexOf('call.hold'));
  });

  it('the hold fails: the caller is taken back with the reason, and nothing is handed over', () => {
    const h = play([
      safeHold,
      [
        (s) => s.holdFailed(),
        'idle',
        ['history failed', 'timer.cancel T1/refer', 'call.resume C', 'history taken-back', `notify "the caller could not be put on hold (${HOLD_REFUSED})"`],
      ],
      [(s) => s.held(), 'idle', []], // a late answer: still nothing sent
    ]);
    expect(h.world.refers).toEqual([]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
    expect(toTransferSnapshot(h.state, h.world.hold).reason).toEqual({
      code: 'failed',
      message: `the caller could not be put on hold (${HOLD_REFUSED})`,
      sipCode: null,
    });
    expect(h.world.steps).toEqual(['requested', 'failed', 'taken-back']);
    // The agent may try again at once.
    play(safeRequest, h);
  });

  it('the hold never settles within the REFER time-out: the caller is taken back, the late hold.settled sends nothing', () => {
    const h = play([
      safeHold,
      [(s) => s.timer('T1/refer', 30_000), 'idle', ['history failed', 'call.resume C', 'history taken-back', 'notify "no answer"']],
      [(s) => s.held(), 'idle', []],
    ]);
    expect(h.world.refers).toEqual([]);
  });

  it('the caller hangs up while its hold is under way: over, nothing handed over when the hold answers', () => {
    const h = play([
      safeHold,
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history cancelled']],
      [(s) => s.held(), 'done', []],
      [(s) => s.holdFailed('the call is not answered'), 'done', []],
    ]);
    expect(h.world.refers).toEqual([]);
  });

  it('Cancel while the REFER waits for the hold is refused like once it is out; the REFER still follows the hold', () => {
    const h = play([safeHold]);
    expect(() => h.feed(h.s.agent('agent.cancel'))).toThrow(/referring → agent\.cancel \(refer-in-flight/);
    play([holdSettled], h);
  });

  it('seed mode does not hold: the REFER goes out at once and a hold.settled finds nothing waiting', () => {
    const h = play([seedRequest, [(s) => s.held(), 'referring', []], seedReleased]);
    expect(h.world.log.some((e) => e.type === 'call.hold')).toBe(false);
  });
});

describe('blind: the caller was already on hold with music when the transfer started', () => {
  it('safe mode still waits for the executor\u2019s hold.settled (answered at once); a failure brings the caller back, resumed', () => {
    const h = play([
      [(s) => s.blind(SAFE, undefined, true), 'referring', ['history requested', 'call.hold C', 'timer.start T1/refer 30000']],
    ]);
    expect(h.world.refers).toEqual([]);
    play([holdSettled, [(s) => s.notify(486), 'idle', takenBack(486, 'busy')]], h);
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
      [(s) => s.rejected(403), 'idle', takenBack(403, 'the other side does not accept transfers')],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });
});

describe('blind: races and faults', () => {
  it('REFER 202 then no NOTIFY at all: safe mode takes the caller back at the time-out', () => {
    play([
      ...safeRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.timer('T1/refer', 30_000), 'idle', ['history failed', 'call.resume C', 'history taken-back', 'notify "no answer"']],
    ]);
  });

  it('caller BYE while the REFER is pending (no 202 yet): transfer cancelled, timer gone (the call service stops the music of an ended call)', () => {
    play([...safeRequest, [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history cancelled']]]);
  });

  it('caller BYE after 202: the far end ended our leg itself — the transfer counts as completed', () => {
    const h = play([
      ...safeRequest,
      [(s) => s.accepted(), 'referring', []],
      [(s) => s.notify(180), 'referring', ['history dialing 180', 'history ringing 180']],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/refer', 'history completed']],
      [(s) => s.notify(200), 'done', []], // NOTIFY after BYE
    ]);
    expect(h.world.steps.at(-1)).toBe('completed');
  });

  it('NOTIFY on an ended dialog (a JsSIP fact in docs/transfers.md) and NOTIFYs of an older transfer are ignored', () => {
    const h = play([
      ...safeRequest,
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
    play([...safeRequest, [(s) => s.notify(0), 'referring', []], [(s) => s.notify(99), 'referring', []]]);
  });

  it('an unknown final failure keeps its SIP code in the reason', () => {
    const h = play([...safeRequest, [(s) => s.notify(503), 'idle', takenBack(503, 'the transfer failed (SIP 503)')]]);
    expect(toTransferSnapshot(h.state).timeline.find((e) => e.step === 'failed')?.sipCode).toBe(503);
  });

  it('one transfer per call: a second request while one is under way is refused', () => {
    const h = play(safeRequest);
    for (const again of [h.s.blind(SAFE), h.s.attended(SAFE)]) {
      expect(() => h.feed(again)).toThrow(/referring → request\.(blind|attended) \(transfer-in-progress/);
    }
  });

  it('Cancel once the REFER is out is refused (only its answer can end it)', () => {
    const h = play(safeRequest);
    expect(() => h.feed(h.s.agent('agent.cancel'))).toThrow(/refer-in-flight/);
  });

  it('a stale timer (an id this transfer no longer runs) is a no-op', () => {
    play([...safeRequest, [(s) => s.timer('T0/refer'), 'referring', []], [(s) => s.timer('T1/undo'), 'referring', []]]);
  });

  it('timeline entries carry the event times', () => {
    const h = new Harness();
    const req = h.s.blind(SAFE);
    h.feed(req);
    h.feed(h.s.held());
    const n = h.s.notify(100);
    h.feed(n);
    expect(toTransferSnapshot(h.state).timeline).toEqual([
      { step: 'requested', at: req.at, sipCode: null, note: null },
      { step: 'dialing', at: n.at, sipCode: 100, note: null },
    ]);
  });
});
