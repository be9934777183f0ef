/**
 * Random walks through the transfer machine (seeded, reproducible): 1 500
 * of event sequences mixing blind / safe blind / attended with every SIP
 * outcome, the executor's hold answers (`hold.settled` / `hold.failed`, on
 * time, late, for another leg), late events and agent intents. At every step
 * the harness checks its invariants (music only on a held leg, never two live
 * legs unheld during a consult, no REFER or consult before the caller's hold
 * settled, no wait for a hold nobody answers, nothing running once a transfer
 * is over, timelines ending on an outcome, purity), and here we add the
 * product promise: the caller leg is only ever released when the transfer is
 * known to have gone through. See docs/transfers.md.
 *
 * The world answers like the real one would: the backend reports only on a
 * hand-over it received and the call service reports a consult only once it
 * was dialled (anything else carries an older transfer's id), and a hold
 * fails only where one is owed and awaited — a hold that fails where nothing
 * waits for it (a swap, a parked existing call) is the call service's to
 * repair, its resume holds whichever call talks.
 */
import { describe, expect, it } from 'vitest';
import { ruleFor, transferPhaseList, variantOf, type TransferVariant } from '../../../main/calls/transfer/rules';
import { transferSteps } from '../../../preload/contract/transfer';
import { IllegalTransferTransition, type TransferEvent } from '../../../main/calls/transfer/types';
import { seededRandom } from '../../support/random';
import { CALLER, CALLER_DIALOG, CONSULT, CONSULT_DIALOG, HOLD_REFUSED, NO_REPLACES, reach, SAFE, SEED, SUPPORTS, UNKNOWN, type Harness } from './transfer-fixtures';

const finalCodes = [200, 202, 403, 404, 405, 408, 480, 481, 486, 487, 501, 503, 600, 603, 604];
const progressCodes = [100, 180, 183];

function randomEvent(h: Harness, pick: <T>(xs: readonly T[]) => T): TransferEvent {
  const s = h.s;
  const timers = h.state.transfer?.timers ?? [];
  const w = h.world;
  /** The backend reports on the hand-over it received; before one, only an older transfer's reports arrive. */
  const referId = w.handOvers > 0 ? 'T1' : 'T0';
  const owed = [...w.owed];
  // What the phones announced: every mix of Replaces support, so the completion goes either way (completion.ts).
  const support = () => pick([SUPPORTS, NO_REPLACES, UNKNOWN]);
  const caller = () => pick([undefined, { support: support(), dialog: CALLER_DIALOG }, { support: NO_REPLACES, dialog: null }]);
  const choices: Array<() => TransferEvent> = [
    () => s.blind(pick([SAFE, SEED, { ...SAFE, undoMs: 3000 }, { ...SEED, undoMs: 3000 }]), undefined, undefined, caller()),
    () => s.attended(pick([SAFE, SEED, { ...SAFE, undoMs: 3000 }, { ...SAFE, consultTimeoutMs: 30_000 }]), undefined, undefined, caller()),
    // One of the agent's answered calls as the consult (parked, or talking when the caller was held).
    () => s.attended(pick([SAFE, { ...SAFE, undoMs: 3000 }]), { callId: CONSULT, dialog: CONSULT_DIALOG }, pick([true, false])),
    () => s.agent(pick(['agent.undo', 'agent.complete', 'agent.cancel', 'agent.swap', 'agent.hangupConsult'] as const)),
    () => s.answerRefer(pick([true, false])),
    () => s.accepted(referId),
    () => s.rejected(pick(finalCodes.filter((c) => c >= 300)), referId),
    () => s.notify(pick([...progressCodes, ...finalCodes]), referId),
    () => s.notify(pick([...progressCodes, ...finalCodes]), referId),
    // Progress alone: what releases a plain blind (and what keeps arriving after it).
    () => s.notify(pick(progressCodes), referId),
    () => s.over(referId),
    // The executor answers each hold it owes, settled or (only where the machine waits) failed.
    () => s.held(owed.length > 0 ? pick(owed) : CALLER),
    () => s.held(owed.length > 0 ? pick(owed) : CALLER),
    () => (h.state.transfer?.afterHold ? s.holdFailed(pick([HOLD_REFUSED, 'the call is not answered'])) : s.held(CALLER)),
    () => s.held(pick(['X', CONSULT])), // another leg's answer
    () => s.holdFailed(HOLD_REFUSED, 'X'),
    () => (w.dialling ? s.consultStarted() : s.consultStarted('K9', 'T0')),
    () => s.consultRinging(),
    () => s.consultAnswered(),
    () => s.consultAnswered(CONSULT_DIALOG, CONSULT, support()),
    () => s.consultFailed(pick([486, 408, 603, null])),
    () => s.consultEnded(),
    () => s.callerEnded(),
    () => s.timer(timers.length > 0 ? pick(timers) : 'T1/stale', 5000),
    () => s.timer(timers.length > 0 ? pick(timers) : 'T1/stale', 5000),
    // The hand-over was answered and the replaced leg is still up: its wait may run out (a new call).
    () => (timers.includes('T1/replaced') ? s.timer('T1/replaced', 3000) : s.notify(200, referId)),
    () => s.replaces('N'),
    () => s.refer(pick(['follow', 'ask'] as const)),
    () => s.followedStarted(),
    () => s.followedAnswered(),
    () => s.followedFailed(486),
  ];
  // Mostly events the phase acts on (so walks get deep: consults, completions, offers),
  // sometimes anything at all (late, stale, refused).
  const candidates = choices.map((make) => make());
  // (The caller hanging up ends a walk: it stays in the "anything" draw only.)
  const acting = candidates.filter((e) => e.type !== 'caller.ended' && ruleFor(h.phase, e.type) === 'handle');
  return pick(acting.length > 0 && pick([true, true, true, true, true, false]) ? acting : candidates);
}

/** The promise of safe blind and of attended: the caller leg is never released on a guess. */
function checkRelease(h: Harness, event: TransferEvent, effects: string[], before: Harness['state']) {
  if (!effects.includes(`sip.hangup ${CALLER}`)) return;
  const t = before.transfer;
  if (t?.options.consultOnLeg && event.type !== 'incoming.replaces') {
    // The platform's consult on our leg completes by our leg leaving the bridge — only once the transferee answered.
    expect(['agent.complete', 'agent.hangupConsult']).toContain(event.type);
    expect(before.phase).toBe('consulting');
    expect(t.consult?.state).toBe('up');
    return;
  }
  if (event.type !== 'incoming.replaces') expect(h.world.handOvers, `caller released on ${event.type} before any hand-over`).toBeGreaterThan(0);
  switch (event.type) {
    case 'refer.notify':
      // 2xx: the transferee has the caller. 1xx: only the seed's "release on dial".
      if (event.code >= 200) expect(event.code).toBeLessThan(300);
      else expect(t?.options.safe, 'a safe transfer released the caller on a 1xx').toBe(false);
      return;
    case 'timer.fired':
      // The attended completion time-out, and only once the REFER was accepted; or, after the hand-over
      // was answered, the replaced leg that never ended (the caller reached the transferee as a new call).
      expect(before.phase).toBe('completing');
      expect(t?.referAccepted || t?.replacedWait !== null).toBe(true);
      return;
    case 'consult.ended':
    case 'consult.failed':
      // The transferee ended the consult it replaced after the hand-over was answered (RFC 3891 §3).
      expect(before.phase).toBe('completing');
      expect(t?.replacedWait, 'the consult ended before the hand-over was answered').not.toBeNull();
      expect(t?.handedOverVia).toBe('caller');
      return;
    case 'incoming.replaces':
      return; // I1: our leg is replaced by the new call
    default:
      throw new Error(`caller leg released on ${event.type} in ${before.phase}`);
  }
}

describe('transfer machine: random walks', () => {
  // ~4 s on a loaded 2-core box: a generous ceiling, the walks are deterministic.
  it('1 500 seeded walks keep every invariant and never drop a caller on a guess', { timeout: 30_000 }, () => {
    const pickFrom = (r: () => number) => <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    let refused = 0;
    let steps = 0;
    const visited = new Map<string, number>();
    const count = (key: string) => visited.set(key, (visited.get(key) ?? 0) + 1);
    for (let seed = 1; seed <= 1500; seed++) {
      const r = seededRandom(seed);
      const pick = pickFrom(r);
      // Start anywhere (so deep phases such as completing get their share, and a REFER or a
      // consult waiting for the caller's hold), then wander.
      // Every third walk through consult-dialing / completing is a supervised safe blind's, and every
      // fifth through consult-dialing / consulting a platform's consult on our own leg.
      const phase = transferPhaseList[seed % transferPhaseList.length]!;
      const variant: TransferVariant =
        seed % 5 === 0 && (phase === 'consult-dialing' || phase === 'consulting') ? 'on-leg' : seed % 3 === 0 && (phase === 'consult-dialing' || phase === 'completing') ? 'supervised' : 'standard';
      const h = reach(phase, { waitingForHold: seed % 4 < 2, variant });
      const length = 4 + Math.floor(r() * 20);
      let usedExisting = false;
      for (let i = 0; i < length; i++) {
        const event = randomEvent(h, pick);
        if (event.type === 'request.attended' && event.existing) usedExisting = true;
        const rule = ruleFor(h.phase, event.type, variantOf(h.state.transfer));
        const before = h.state;
        if (typeof rule === 'object') {
          expect(() => h.feed(event), `seed ${seed} step ${i}`).toThrow(IllegalTransferTransition);
          expect(h.state).toBe(before);
          refused++;
          continue;
        }
        let effects: string[];
        try {
          effects = h.feed(event);
        } catch (error) {
          throw new Error(`seed ${seed} step ${i}: ${before.phase} → ${event.type}: ${String(error)}`, { cause: error });
        }
        checkRelease(h, event, effects, before);
        steps++;
        count(`phase ${h.phase}`);
        if (event.type.startsWith('hold.')) count(`${event.type} ${h.state !== before ? 'acted' : 'ignored'}`);
        for (const e of effects) if (e.startsWith('history ')) count(e.split(' ').slice(0, 2).join(' '));
        if (h.phase === 'done') break;
      }
      // A consult the transfer dialled and let go of is never left with music on it; an existing call
      // used as the consult may be: parked again on cancel (the harness checks it is held, with music).
      const k = h.world.legs.get(CONSULT);
      if (k?.up && k.music && (h.phase === 'idle' || h.phase === 'done')) {
        expect(usedExisting, `seed ${seed}: a dialled consult left on music`).toBe(true);
        count('existing call parked again');
      }
    }
    if (process.env.TRANSFER_FUZZ_REPORT) console.log(Object.fromEntries([...visited].sort()), { steps, refused });
    // The walks really go everywhere: every phase, every timeline step, many times.
    for (const phase of transferPhaseList) expect(visited.get(`phase ${phase}`) ?? 0, `never in ${phase}`).toBeGreaterThan(30);
    for (const step of transferSteps) expect(visited.get(`history ${step}`) ?? 0, `never a ${step} step`).toBeGreaterThan(20);
    // The hold answers are really exercised: the waited-for ones act, the stray ones are ignored.
    for (const key of ['hold.settled acted', 'hold.settled ignored', 'hold.failed ignored']) expect(visited.get(key) ?? 0, key).toBeGreaterThan(100);
    expect(visited.get('hold.failed acted') ?? 0, 'hold.failed acted').toBeGreaterThan(20);
    expect(visited.get('existing call parked again') ?? 0, 'an existing consult never parked again').toBeGreaterThan(10);
    expect(steps).toBeGreaterThan(4000);
    expect(refused).toBeGreaterThan(150);
  });
});
