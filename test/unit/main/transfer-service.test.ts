/**
 * The transfer service over the REAL call service (fake SIP legs, a fake
 * transfer backend, a fake clock): transfers learn about calls only from the
 * call service's events, each wire step waits for the event that says the one
 * before it settled (hold → music → REFER; never by polling), the agent's
 * hang-up on a live consult is the hang-up policy's, a backend's missing
 * capabilities are refused and left out of allowedActions, and nothing — no
 * timer, hold request or listener — outlives the transfer. See docs/transfers.md.
 */
import { describe, expect, it } from 'vitest';
import type { CallSnapshot, Preferences, TransferSnapshot } from '../../../preload/contract';
import type { CallEvent } from '../../../main/calls/call/machine';
import { createCallService } from '../../../main/calls/call/service';
import { allCapabilities, type HandOverReport, type IncomingTransferRequest, type TransferBackend, type TransferCapabilities } from '../../../main/calls/transfer/backend';
import { createTransferService, type TransferStepRecord } from '../../../main/calls/transfer/service';
import { silentLogger } from '../../../main/logging/logger';
import { fakeTelephony } from '../../support/call-leg';
import { FakeClock } from '../../support/clock';

/** Music swaps resolve on the next microtasks, like the media host's answer. */
const flush = () => new Promise<void>((r) => setImmediate(r));

function rig(o: { prefs?: Partial<Preferences['transfer']>; can?: Partial<TransferCapabilities> } = {}) {
  const trace: string[] = [];
  const clock = new FakeClock(1_000);
  const phone = fakeTelephony({ domain: 'pbx.test', onCommand: (command, leg) => trace.push(`${command} ${leg.id}`) });
  const pushes: CallSnapshot[][] = [];
  const calls = createCallService({
    recorder: { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} },
    alerts: { ringer() {}, incoming() {}, dismiss() {}, missed() {}, problem() {} },
    music: {
      set: async (id, on) => {
        trace.push(`music ${on ? 'on' : 'off'} ${id}`);
        return on ? 'Lounge' : null;
      },
    },
    clock,
    preferences: () => ({ dtmf: 'info', declineWith: 'busy' }),
    publish: (l) => void pushes.push(l),
    log: silentLogger,
  });
  calls.attach(phone.telephony);

  const handOvers: Array<{ callId: string; referTo: string; report: HandOverReport }> = [];
  const requests = new Set<(r: IncomingTransferRequest) => void>();
  const reported: string[] = [];
  const backend: TransferBackend = {
    capabilities: { ...allCapabilities, ...o.can },
    handOver(callId, referTo, report) {
      trace.push(`handOver ${callId} ${referTo}`);
      handOvers.push({ callId, referTo, report });
    },
    dialog: (callId) => ({ callId: `dlg-${callId}`, localTag: 'ours', remoteTag: 'theirs', remoteUri: 'sip:2001@pbx.test', direction: 'outgoing' }),
    onIncomingRequest: (l) => (requests.add(l), () => requests.delete(l)),
    reportIncoming: (id, code) => reported.push(`${id} ${code}`),
    refuseIncoming: (id, code) => reported.push(`${id} refused ${code}`),
    dispose() {},
  };
  const steps: TransferStepRecord[] = [];
  const snapshots: TransferSnapshot[] = [];
  const cues: string[] = [];
  const transfers = createTransferService({
    calls,
    backend,
    clock,
    recorder: { transferStep: (e) => steps.push(e) },
    prefs: (): Preferences['transfer'] => ({ safeBlind: true, safeBlindTimeoutSec: 30, undoWindowSec: 0, completeTimeoutSec: 8, incomingRefer: 'follow', ...o.prefs }),
    domain: () => 'pbx.test',
    publish: (s) => snapshots.push(s),
    cue: () => cues.push('cue'),
    log: silentLogger,
  });

  /** An answered incoming call from the caller. */
  const answered = async (id = 'c1') => {
    const leg = phone.ring(id);
    calls.answer(id);
    leg.emit({ type: 'sip.accepted' });
    await flush();
    trace.length = 0;
    return leg;
  };
  /** The far end answered the re-INVITE of a pending hold (on) or resume (off); the music follows. */
  const reinvite = async (id: string, on: boolean) => {
    phone.leg(id).emit({ type: 'sip.holdChanged', originator: 'local', on } satisfies CallEvent);
    await flush();
  };
  const call = (id: string) => calls.state(id)!;
  return { trace, clock, phone, calls, transfers, handOvers, requests, reported, steps, snapshots, cues, answered, reinvite, call, pushes };
}

const to2001 = { kind: 'number', number: '2001' } as const;

describe('transfer service over the call service', () => {
  it('safe blind: the caller is held with music, the console dials its own supervised leg, and only its answer sends the REFER with Replaces; NOTIFY 200 releases both', async () => {
    const r = rig();
    await r.answered();
    expect(r.transfers.blind({ callId: 'c1', target: to2001 }).phase).toBe('consult-dialing');
    expect(r.trace).toEqual(['hold c1']); // nothing else until the re-INVITE is answered
    await r.reinvite('c1', true);
    // Music first, then — on the call service's `held` event — our own leg to the transferee.
    const leg = r.phone.legs.at(-1)!;
    expect(leg.direction).toBe('outgoing');
    expect(leg.dialOptions).toEqual({ supervised: true });
    expect(r.handOvers).toEqual([]);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'consult-dialing', allowedActions: ['cancel'], legs: { caller: { held: true, music: true } } });
    leg.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
    expect(r.handOvers).toEqual([]); // ringing is not answering: still nothing sent to the caller
    leg.emit({ type: 'sip.accepted' });
    expect(r.trace.at(-1)).toBe(`handOver c1 sip:2001@pbx.test?Replaces=${encodeURIComponent(`dlg-${leg.id};to-tag=theirs;from-tag=ours`)}`);
    const { report } = r.handOvers[0]!;
    report.accepted();
    report.progress(200);
    await flush();
    // Clean once the transferee's phone ends the leg the caller replaced (RFC 3891 §3).
    expect(r.transfers.snapshot('c1').phase).toBe('completing');
    leg.emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    await flush();
    expect(r.trace.at(-1)).toBe('hangup c1');
    expect(r.transfers.snapshot('c1').phase).toBe('done');
    expect(r.steps.map((s) => s.step)).toEqual(['requested', 'dialing', 'ringing', 'answered', 'refer-sent', 'accepted', 'completed']);
    expect(new Set(r.steps.map((s) => s.mode))).toEqual(new Set(['safe-blind']));
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('seed blind hands over at once, without holding the caller', async () => {
    const r = rig({ prefs: { safeBlind: false } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    expect(r.trace).toEqual(['handOver c1 sip:2001@pbx.test']);
  });

  it('a caller the agent already held: the supervised leg is dialled at once (the hold is already settled)', async () => {
    const r = rig();
    await r.answered();
    r.calls.hold('c1');
    await r.reinvite('c1', true);
    r.trace.length = 0;
    const before = r.phone.legs.length;
    r.transfers.blind({ callId: 'c1', target: to2001 });
    expect(r.phone.legs).toHaveLength(before + 1);
    expect(r.phone.legs.at(-1)!.dialOptions).toEqual({ supervised: true });
    expect(r.handOvers).toEqual([]);
  });

  it('events that answer an effect at once are fed after the transition that asked, so the last snapshot pushed is the newest', async () => {
    const r = rig();
    await r.answered();
    r.calls.hold('c1');
    await r.reinvite('c1', true);
    // The caller is already held: the executor answers `call.hold` at once, and the consult is dialled in the same request.
    const returned = r.transfers.attended({ callId: 'c1', target: to2001 });
    const consult = r.phone.legs.at(-1)!;
    expect(consult.direction).toBe('outgoing');
    expect(returned.legs.consult?.callId).toBe(consult.id);
    const pushed = r.snapshots.filter((s) => s.callId === 'c1');
    expect(pushed.at(-1)!.legs.consult?.callId).toBe(consult.id);
    expect(pushed.at(-1)!.phase).toBe('consult-dialing');
  });

  it('a hold the far end refuses sends nothing and gives the caller back with the reason', async () => {
    const r = rig();
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.phone.leg('c1').emit({ type: 'sip.holdFailed', reason: '488 Not Acceptable Here' });
    await flush();
    expect(r.handOvers).toEqual([]);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'idle', reason: { code: 'failed' } });
    expect(r.transfers.snapshot('c1').reason!.message).toContain('could not be put on hold');
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('safe blind time-out: our leg is cancelled, and the caller comes back — microphone first, then the re-INVITE', async () => {
    const r = rig({ prefs: { safeBlindTimeoutSec: 5 } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    const leg = r.phone.legs.at(-1)!;
    leg.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
    r.trace.length = 0;
    r.clock.advance(5_000);
    await flush();
    expect(r.trace).toEqual([`hangup ${leg.id}`, 'music off c1', 'unhold c1']);
    expect(r.handOvers).toEqual([]);
    await r.reinvite('c1', false);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'idle', reason: { code: 'no-answer' }, legs: { caller: { held: false, music: false } } });
    expect(r.call('c1').hold.local).toBe(false);
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('attended: dialled after the hold; the consult answer comes from the call service; hanging the consult up completes with Replaces', async () => {
    const r = rig();
    await r.answered();
    r.transfers.attended({ callId: 'c1', target: to2001 });
    expect(r.trace).toEqual(['hold c1']);
    await r.reinvite('c1', true);
    expect(r.trace).toEqual(['hold c1', 'music on c1']); // dialled synchronously: the leg is out1
    const consult = r.phone.legs.at(-1)!;
    expect(consult.direction).toBe('outgoing');
    consult.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
    expect(r.transfers.snapshot('c1').legs.consult).toMatchObject({ callId: consult.id, state: 'ringing' });
    consult.emit({ type: 'sip.accepted' });
    expect(r.transfers.snapshot('c1').phase).toBe('consulting');
    // The agent hangs up the consult: the hang-up policy makes it Complete, the call service does not BYE it.
    r.trace.length = 0;
    r.calls.hangup(consult.id);
    expect(r.call(consult.id).phase).toBe('established');
    // RFC 3891: the to-tag is the transferee's own (our remote) tag.
    expect(r.trace).toEqual([`handOver c1 sip:2001@pbx.test?Replaces=${encodeURIComponent(`dlg-${consult.id};to-tag=theirs;from-tag=ours`)}`]);
    r.handOvers[0]!.report.accepted();
    r.handOvers[0]!.report.progress(200);
    // The transferee's phone did not end the consult: after a moment that is a new call, not a swap.
    expect(r.transfers.snapshot('c1').phase).toBe('completing');
    r.clock.advance(3_000);
    expect(r.trace.slice(1)).toEqual(['hangup c1', `hangup ${consult.id}`]);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'done', outcome: { result: 'new-call' } });
    expect(r.steps.at(-1)).toMatchObject({ step: 'new-call', sipCode: 200 });
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('attended: a busy transferee gives the caller back (music off before the unhold), reason busy', async () => {
    const r = rig();
    await r.answered();
    r.transfers.attended({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    const consult = r.phone.legs.at(-1)!;
    r.trace.length = 0;
    consult.emit({ type: 'sip.ended', by: 'remote', reason: 'Busy', code: 486 });
    await flush();
    expect(r.trace).toEqual(['music off c1', 'unhold c1']);
    expect(r.transfers.snapshot('c1').reason).toMatchObject({ code: 'busy', sipCode: 486 });
  });

  it('swap: the talking leg is held (its re-INVITE answered) before the other resumes — never two unheld legs', async () => {
    const r = rig();
    await r.answered();
    r.transfers.attended({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    const k = r.phone.legs.at(-1)!.id;
    r.phone.leg(k).emit({ type: 'sip.accepted' });
    await flush();
    r.trace.length = 0;
    const from = r.pushes.length;
    r.transfers.intent('c1', 'swap');
    expect(r.trace).toEqual([`hold ${k}`]); // the caller waits for the consult's hold
    await r.reinvite(k, true);
    expect(r.trace).toEqual([`hold ${k}`, `music on ${k}`, 'music off c1', 'unhold c1']);
    await r.reinvite('c1', false);
    // Every list the UI was shown on the way: at most one leg off hold on the wire.
    expect(r.pushes.length).toBeGreaterThan(from + 2);
    for (const list of r.pushes.slice(from)) expect(list.filter((c) => c.state === 'established' && !c.hold.local).length).toBeLessThanOrEqual(1);
    expect(r.transfers.snapshot('c1').legs).toMatchObject({ caller: { held: false }, consult: { held: true, music: true } });
    expect(r.transfers.counters().wants).toBe(0);
  });

  it('being the transferee: an INVITE with Replaces is answered in place of the old call, with the cue', async () => {
    const r = rig();
    await r.answered('old');
    r.phone.ring('new', { replaces: 'old' });
    await flush();
    expect(r.trace).toEqual(['hangup old', 'answer new']);
    expect(r.cues).toEqual(['cue']);
    expect(r.transfers.snapshot('old')).toMatchObject({ phase: 'done', mode: 'incoming-replaces' });
  });

  it('a call transferred to us (Referred-By) gets the cue and the transferer in its timeline once answered', async () => {
    const r = rig();
    const leg = r.phone.ring('t1', { referredBy: 'sip:1001@pbx.test' });
    r.calls.answer('t1');
    leg.emit({ type: 'sip.accepted' });
    expect(r.cues).toEqual(['cue']);
    expect(r.transfers.snapshot('t1').timeline.at(-1)!.note).toContain('sip:1001@pbx.test');
  });

  it('the far end REFERs us: followed as a new call, progress reported back, the referring call released', async () => {
    const r = rig();
    await r.answered();
    for (const l of r.requests) l({ callId: 'c1', requestId: 'c1/refer-1', target: 'sip:3003@pbx.test' });
    const followed = r.phone.legs.at(-1)!;
    expect(followed.direction).toBe('outgoing');
    followed.emit({ type: 'sip.progress', code: 180, earlyMedia: false });
    followed.emit({ type: 'sip.accepted' });
    expect(r.reported).toEqual(['c1/refer-1 180', 'c1/refer-1 200']);
    expect(r.cues).toEqual(['cue']);
  });

  it('a backend that cannot hold the caller or consult refuses those requests, typed, and offers no swap', async () => {
    const r = rig({ can: { safeBlind: false, attended: false, swap: false } });
    await r.answered();
    expect(() => r.transfers.blind({ callId: 'c1', target: to2001 })).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    expect(() => r.transfers.attended({ callId: 'c1', target: to2001 })).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    expect(r.transfers.blind({ callId: 'c1', target: to2001, safe: false }).phase).toBe('referring');
    expect(r.trace).toEqual(['handOver c1 sip:2001@pbx.test']);
  });

  it('a platform that ends our leg while it takes the caller over: that end is not the caller hanging up — its answer decides', async () => {
    const r = rig({ prefs: { safeBlind: false }, can: { safeBlind: false, attended: false, swap: false, handOverEndsLeg: true } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    // The platform hangs up our leg before it answers the request.
    r.phone.leg('c1').emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    expect(r.transfers.snapshot('c1').phase).toBe('referring');
    r.handOvers[0]!.report.accepted();
    r.handOvers[0]!.report.progress(100);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'done', reason: null });
    expect(r.steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'accepted', 'dialing', 'released']);
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('…and when it refuses after our leg is gone, the transfer is recorded as failed with the reason, never as the caller hanging up', async () => {
    const r = rig({ prefs: { safeBlind: false }, can: { safeBlind: false, attended: false, swap: false, handOverEndsLeg: true } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.phone.leg('c1').emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    r.handOvers[0]!.report.rejected(500);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'done', reason: { code: 'refer-refused' } });
    expect(r.transfers.snapshot('c1').timeline.at(-1)).toMatchObject({ step: 'failed', sipCode: 500 });
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
  });

  it('undo window: nothing is sent, Undo after it is a typed refusal; dispose leaves no timer, listener or policy', async () => {
    const r = rig({ prefs: { undoWindowSec: 3 } });
    await r.answered();
    expect(r.transfers.blind({ callId: 'c1', target: to2001 }).phase).toBe('pending');
    expect(r.transfers.intent('c1', 'undo').phase).toBe('idle');
    r.clock.advance(3_000);
    expect(r.trace).toEqual([]);
    expect(() => r.transfers.intent('c1', 'undo')).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.transfers.dispose();
    expect(r.transfers.counters()).toMatchObject({ timers: 0, wants: 0 });
    expect(r.calls.counters().factListeners).toBe(0);
    // Without the policy, a hang-up is an ordinary hang-up again.
    r.calls.hangup('c1');
    expect(r.call('c1').phase).toBe('ended');
  });

  it('refuses a second transfer on the same call and a transfer of an unknown call, typed', async () => {
    const r = rig({ prefs: { undoWindowSec: 3 } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    expect(() => r.transfers.blind({ callId: 'c1', target: { kind: 'number', number: '2002' } })).toThrow(expect.objectContaining({ code: 'busy' }));
    expect(() => r.transfers.blind({ callId: 'nope', target: to2001 })).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('a finished transfer is forgotten with its call card', async () => {
    const r = rig();
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.phone.leg('c1').emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    await flush();
    expect(r.transfers.counters().machines).toBe(1);
    r.clock.runAll();
    await flush();
    expect(r.calls.list()).toEqual([]);
    expect(r.transfers.counters()).toEqual({ machines: 0, timers: 0, wants: 0 });
  });

  it('a released plain blind outlives its card until the late NOTIFY says how it ended: recorded, not shown', async () => {
    const r = rig({ prefs: { safeBlind: false } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    const { report } = r.handOvers[0]!;
    report.accepted();
    report.progress(100);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'done', outcome: { result: 'released' } });
    // While the card is shown, a late outcome updates it.
    report.progress(180);
    expect(r.steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'accepted', 'dialing', 'released']);
    r.clock.runAll(); // the ended card goes
    await flush();
    expect(r.calls.list()).toEqual([]);
    expect(r.transfers.counters().machines).toBe(1);
    expect(r.transfers.list().map((s) => s.callId)).not.toContain('c1');
    const pushed = r.snapshots.length;
    report.progress(486);
    expect(r.steps.at(-1)).toMatchObject({ step: 'failed', sipCode: 486, mode: 'blind' });
    expect(r.snapshots).toHaveLength(pushed); // nothing pushed for a card that is gone
    expect(r.transfers.counters()).toEqual({ machines: 0, timers: 0, wants: 0 });
    report.progress(200); // nothing left to tell
    expect(r.steps.at(-1)?.step).toBe('failed');
  });

  it('a released plain blind shown on its card: NOTIFY 200 after our BYE turns "released" into "transferred"', async () => {
    const r = rig({ prefs: { safeBlind: false } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    const { report } = r.handOvers[0]!;
    report.accepted();
    report.progress(100);
    report.progress(200);
    expect(r.snapshots.at(-1)).toMatchObject({ callId: 'c1', phase: 'done', outcome: { result: 'transferred', reason: null } });
    expect(r.snapshots.at(-1)?.timeline.map((e) => e.step)).toEqual(['requested', 'dialing', 'released', 'completed']);
  });

  it('a released plain blind whose subscription ends without a final NOTIFY is forgotten with its card', async () => {
    const r = rig({ prefs: { safeBlind: false } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    const { report } = r.handOvers[0]!;
    report.progress(100);
    report.finished?.();
    r.clock.runAll();
    await flush();
    expect(r.transfers.counters()).toEqual({ machines: 0, timers: 0, wants: 0 });
    expect(r.steps.at(-1)?.step).toBe('released');
  });
});

describe('what a call may start, and the outcome line of each end', () => {
  it('only an answered call offers start actions; they follow the backend and disappear while its transfer runs', async () => {
    const r = rig();
    const leg = r.phone.ring('c1');
    expect(r.transfers.list().find((s) => s.callId === 'c1')?.allowedActions).toEqual([]);
    r.calls.answer('c1');
    leg.emit({ type: 'sip.accepted' });
    await flush();
    // Pushed without any transfer having run: answering is what changed.
    expect(r.snapshots.at(-1)).toMatchObject({ callId: 'c1', phase: 'idle', allowedActions: ['blind', 'safe-blind', 'attended'], blindDefault: 'safe' });
    r.transfers.blind({ callId: 'c1', target: to2001 });
    // While it runs, only what acts on it: a safe blind reaching the transferee can be called off.
    expect(r.transfers.snapshot('c1').allowedActions).toEqual(['cancel']);
  });

  it('a backend without hold or consult offers plain blind only, and plain is the blind default', async () => {
    const r = rig({ can: { safeBlind: false, attended: false, swap: false } });
    await r.answered();
    expect(r.transfers.snapshot('c1')).toMatchObject({ allowedActions: ['blind'], blindDefault: 'plain' });
  });

  it('a consult leg may not start a transfer of its own while it is one', async () => {
    const r = rig();
    await r.answered();
    r.transfers.attended({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    const consult = r.phone.legs.at(-1)!;
    consult.emit({ type: 'sip.accepted' });
    await flush();
    expect(r.transfers.snapshot(consult.id).allowedActions).toEqual([]);
    expect(r.transfers.list().map((s) => s.callId).sort()).toEqual(['c1', consult.id].sort());
  });

  it('safe blind answered: "transferred" to the target, no reason', async () => {
    const r = rig();
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    r.phone.legs.at(-1)!.emit({ type: 'sip.accepted' });
    r.handOvers[0]!.report.accepted();
    r.handOvers[0]!.report.progress(200);
    r.phone.legs.at(-1)!.emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    await flush();
    expect(r.transfers.snapshot('c1').outcome).toMatchObject({ result: 'transferred', target: '2001', reason: null });
  });

  it('safe blind to a busy target: the caller is back, and the outcome names why', async () => {
    const r = rig();
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    r.phone.legs.at(-1)!.emit({ type: 'sip.ended', by: 'remote', reason: 'Busy', code: 486 });
    await flush();
    expect(r.handOvers).toEqual([]);
    expect(r.transfers.snapshot('c1').outcome).toMatchObject({ result: 'caller-back', target: '2001', reason: { code: 'busy', sipCode: 486 } });
  });

  it('plain blind: released once the target is dialled — the card never claims a transfer it cannot know', async () => {
    const r = rig({ prefs: { safeBlind: false } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.handOvers[0]!.report.accepted();
    r.handOvers[0]!.report.progress(100);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'done', outcome: { result: 'released', target: '2001' } });
  });

  it('a platform that refuses after our leg is gone: "caller-lost", with the reason', async () => {
    const r = rig({ prefs: { safeBlind: false }, can: { safeBlind: false, attended: false, swap: false, handOverEndsLeg: true } });
    await r.answered();
    r.transfers.blind({ callId: 'c1', target: to2001 });
    r.phone.leg('c1').emit({ type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null });
    r.handOvers[0]!.report.rejected(500);
    expect(r.transfers.snapshot('c1').outcome).toMatchObject({ result: 'caller-lost', reason: { code: 'refer-refused' } });
  });

  it('attended cancelled: "cancelled", the caller back; a failed complete: "back-to-consult"', async () => {
    const r = rig();
    await r.answered();
    r.transfers.attended({ callId: 'c1', target: to2001 });
    await r.reinvite('c1', true);
    const consult = r.phone.legs.at(-1)!;
    consult.emit({ type: 'sip.accepted' });
    await flush();
    r.transfers.intent('c1', 'complete');
    r.handOvers[0]!.report.rejected(603);
    expect(r.transfers.snapshot('c1')).toMatchObject({ phase: 'consulting', outcome: { result: 'back-to-consult', target: '2001' } });
    r.transfers.intent('c1', 'cancel');
    expect(r.transfers.snapshot('c1').outcome).toMatchObject({ result: 'cancelled', target: '2001' });
  });
});
