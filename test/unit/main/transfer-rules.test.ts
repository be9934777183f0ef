/**
 * The whole cross product phases × events. For every pair the machine must
 * do exactly what `transferRules` says: refuse (IllegalTransferTransition
 * naming `phase → event` and a typed refusal), ignore (same state object, no
 * effects) or handle (a state change or effects). The executor's hold answers
 * (`hold.settled`, `hold.failed`) are walked from a transfer that waits for
 * the caller's hold, so "handle" really acts. The refusals an agent can meet
 * are also pinned down here by hand, so the table cannot drift into
 * accepting them silently.
 */
import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../../../main/calls/call/machine';
import { REFER_OFFER_MS, transition } from '../../../main/calls/transfer/machine';
import { ruleFor, transferEventTypes, transferPhaseList, transferRules, variantOf, type TransferVariant } from '../../../main/calls/transfer/rules';
import { allowedTransferActions, isTransferActive, toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import {
  IllegalTransferTransition,
  type TransferEvent,
  type TransferEventType,
  type TransferPhase,
} from '../../../main/calls/transfer/types';
import { transferPhases, transferSnapshotSchema } from '../../../preload/contract/transfer';
import { CALLER, CONSULT, reach, SAFE, type Script, type Harness } from './transfer-fixtures';

/** An event of each type that matches the phase's live ids (so "handle" really acts). */
function sample(type: TransferEventType, h: Harness): TransferEvent {
  const s: Script = h.s;
  const timer = h.state.transfer?.timers[0] ?? 'T1/none';
  switch (type) {
    case 'request.blind':
      return s.blind(SAFE);
    case 'request.attended':
      return s.attended(SAFE);
    case 'agent.undo':
    case 'agent.complete':
    case 'agent.cancel':
    case 'agent.swap':
    case 'agent.hangupConsult':
      return s.agent(type);
    case 'agent.answerRefer':
      return s.answerRefer(true);
    case 'refer.accepted':
      return s.accepted();
    case 'refer.rejected':
      return s.rejected(403);
    case 'refer.notify':
      return s.notify(486);
    case 'refer.over':
      return s.over();
    case 'consult.started':
      return s.consultStarted('K2');
    case 'consult.ringing':
      return s.consultRinging(CONSULT);
    case 'consult.answered':
      return s.consultAnswered(undefined, CONSULT);
    case 'consult.failed':
      return s.consultFailed(486, CONSULT);
    case 'consult.ended':
      return s.consultEnded(CONSULT);
    case 'caller.ended':
      return s.callerEnded();
    case 'hold.settled':
      return s.held(CALLER);
    case 'hold.failed':
      return s.holdFailed('the far end refused the hold', CALLER);
    case 'timer.fired':
      return s.timer(timer, REFER_OFFER_MS);
    case 'incoming.replaces':
      return s.replaces('N');
    case 'incoming.refer':
      return s.refer('follow', 'R7');
    case 'incoming.transferred':
      return s.transferredIn('sip:alice@pbx.test', 'VIP, wants billing');
    case 'followed.started':
      return s.followedStarted('F');
    case 'followed.answered':
      return s.followedAnswered('F');
    case 'followed.failed':
      return s.followedFailed(486, 'F');
  }
}

const holdEvents: ReadonlySet<TransferEventType> = new Set(['hold.settled', 'hold.failed']);

describe('transfer machine: the cross product of phases × events', () => {
  it('knows every phase of the contract and nothing else', () => {
    expect([...transferPhaseList].sort()).toEqual([...transferPhases].sort());
    expect(Object.keys(transferRules).sort()).toEqual([...transferPhases].sort());
  });

  // The phases a supervised safe blind, and a platform's consult on our own leg, pass through are walked again as their own.
  const walks: [TransferPhase, TransferVariant][] = [
    ...transferPhaseList.map((p): [TransferPhase, TransferVariant] => [p, 'standard']),
    ['consult-dialing', 'supervised'],
    ['completing', 'supervised'],
    ['consult-dialing', 'on-leg'],
    ['consulting', 'on-leg'],
  ];
  for (const [phase, variant] of walks) {
    describe(`from ${phase}${variant === 'standard' ? '' : ` (${variant})`}`, () => {
      for (const type of transferEventTypes) {
        const rule = ruleFor(phase, type, variant);
        const label = rule === 'handle' || rule === 'ignore' ? rule : `refuse (${rule.refuse})`;
        it(`${phase} → ${type}: ${label}`, () => {
          // A hold answer is walked where the REFER or the consult waits for it (the other phases ignore it anyway).
          // A consult's end is walked where a consult exists (in the undo window: an existing call chosen as it).
          const h = reach(phase, { waitingForHold: holdEvents.has(type), existingConsult: type === 'consult.ended' || type === 'consult.failed', variant });
          if (variant !== 'standard') expect(variantOf(h.state.transfer)).toBe(variant);
          const before = h.state;
          const event = sample(type, h);
          if (typeof rule === 'object') {
            let thrown: unknown = null;
            try {
              transition(before, event);
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(IllegalTransferTransition);
            expect(thrown).toBeInstanceOf(IllegalTransition); // caught like the call machine's
            const error = thrown as IllegalTransferTransition;
            expect(error.message).toContain(`${phase} → ${type}`);
            expect(error.refusal).toBe(rule.refuse);
            expect(error.from).toBe(phase);
            return;
          }
          const out = transition(before, event);
          if (rule === 'ignore') {
            expect(out.state).toBe(before);
            expect(out.effects).toEqual([]);
          } else {
            expect(out.state !== before || out.effects.length > 0, 'a handled event must act').toBe(true);
            h.feed(event); // the harness re-runs it with every invariant checked
          }
          // Whatever happened, the UI snapshot stays valid.
          transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
        });
      }
    });
  }
});

describe('transfer machine: every event while the REFER or the consult waits for the caller\u2019s hold', () => {
  for (const phase of ['referring', 'consult-dialing'] as const) {
    for (const type of transferEventTypes) {
      const rule = ruleFor(phase, type);
      const label = rule === 'handle' || rule === 'ignore' ? rule : `refuse (${rule.refuse})`;
      it(`${phase} (waiting for the hold) → ${type}: ${label}`, () => {
        const h = reach(phase, { waitingForHold: true });
        const before = h.state;
        const event = sample(type, h);
        if (typeof rule === 'object') {
          expect(() => transition(before, event)).toThrow(IllegalTransferTransition);
          expect(() => transition(before, event)).toThrow(`${phase} → ${type}`);
          return;
        }
        if (rule === 'ignore') {
          expect(transition(before, event)).toEqual({ state: before, effects: [] });
          expect(transition(before, event).state).toBe(before);
          return;
        }
        h.feed(event); // every invariant checked: nothing goes out before the hold settled
        transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
      });
    }
  }
});

describe('transfer machine: the executor\u2019s hold answers', () => {
  it('are handled only where something may wait for the caller\u2019s hold (referring, consult-dialing) and ignored in every other phase', () => {
    for (const phase of transferPhaseList) {
      for (const type of holdEvents) {
        expect(ruleFor(phase, type), `${phase} → ${type}`).toBe(phase === 'referring' || phase === 'consult-dialing' ? 'handle' : 'ignore');
      }
    }
  });

  it.each(['referring', 'consult-dialing'] as const)('%s with nothing waiting (the REFER or the consult already out): same state, no effects', (phase) => {
    const h = reach(phase);
    for (const event of [h.s.held(), h.s.holdFailed(), h.s.held(CONSULT), h.s.holdFailed('x', CONSULT)]) {
      const out = transition(h.state, event);
      expect(out.state).toBe(h.state);
      expect(out.effects).toEqual([]);
    }
  });

  it.each(['referring', 'consult-dialing'] as const)('%s waiting for the caller\u2019s hold: another leg\u2019s answer is no answer (same state, no effects)', (phase) => {
    const h = reach(phase, { waitingForHold: true });
    for (const event of [h.s.held(CONSULT), h.s.holdFailed('x', CONSULT), h.s.held('X')]) {
      const out = transition(h.state, event);
      expect(out.state).toBe(h.state);
      expect(out.effects).toEqual([]);
    }
  });

  it.each([
    ['referring', 'handOver'],
    ['consult-dialing', 'call.dialConsult'],
  ] as const)('%s waiting: hold.settled sends the step that waited (%s) and nothing waits any more; hold.failed sends nothing', (phase, waited) => {
    const settled = reach(phase, { waitingForHold: true });
    settled.feed(settled.s.held());
    expect(settled.world.log.filter((e) => e.type === waited)).toHaveLength(1);
    expect(settled.state.transfer?.afterHold).toBeNull();
    const failed = reach(phase, { waitingForHold: true });
    failed.feed(failed.s.holdFailed());
    expect(failed.phase).toBe('idle');
    expect(failed.world.log.some((e) => e.type === 'handOver' || e.type === 'call.dialConsult')).toBe(false);
    expect(failed.state.transfer?.reason?.message).toBe('the caller could not be put on hold (the far end refused the hold)');
  });
});

describe('transfer machine: refusals an agent can meet', () => {
  const cases: Array<[TransferPhase, TransferEventType, string]> = [
    ['idle', 'agent.undo', 'no-transfer'],
    ['idle', 'agent.complete', 'no-transfer'],
    ['idle', 'agent.cancel', 'no-transfer'],
    ['idle', 'agent.swap', 'no-transfer'],
    ['idle', 'agent.answerRefer', 'no-offer'],
    ['pending', 'request.blind', 'transfer-in-progress'],
    ['pending', 'agent.swap', 'not-consulting'],
    ['referring', 'agent.undo', 'undo-too-late'],
    ['referring', 'agent.cancel', 'refer-in-flight'],
    ['referring', 'request.attended', 'transfer-in-progress'],
    ['consult-dialing', 'agent.undo', 'undo-too-late'],
    ['consult-dialing', 'agent.swap', 'not-consulting'],
    ['consulting', 'agent.undo', 'undo-too-late'],
    ['consulting', 'request.blind', 'transfer-in-progress'],
    ['completing', 'agent.undo', 'undo-too-late'],
    ['completing', 'agent.cancel', 'refer-in-flight'],
    ['completing', 'agent.swap', 'refer-in-flight'],
    ['refer-offered', 'request.blind', 'transfer-in-progress'],
    ['refer-offered', 'agent.complete', 'incoming-transfer'],
    ['refer-offered', 'agent.cancel', 'incoming-transfer'],
    ['following', 'agent.cancel', 'incoming-transfer'],
    ['following', 'agent.answerRefer', 'no-offer'],
    ['pending', 'agent.answerRefer', 'no-offer'],
    ['pending', 'agent.hangupConsult', 'not-consulting'],
    ['done', 'request.blind', 'call-ended'],
    ['done', 'agent.undo', 'call-ended'],
    ['done', 'agent.answerRefer', 'call-ended'],
  ];
  it.each(cases)('%s → %s is refused: %s', (phase, type, refusal) => {
    expect(ruleFor(phase, type)).toEqual({ refuse: refusal });
  });

  it('no SIP or timer event is ever refused (the outside world cannot be told "illegal")', () => {
    for (const phase of transferPhaseList) {
      for (const type of transferEventTypes) {
        if (type.startsWith('agent.') || type.startsWith('request.')) continue;
        expect(ruleFor(phase, type), `${phase} → ${type}`).not.toHaveProperty('refuse');
      }
    }
  });

  it('the actions offered in a snapshot are exactly the agent intents the machine accepts there', () => {
    const intentOf = {
      blind: 'request.blind',
      'safe-blind': 'request.blind',
      attended: 'request.attended',
      undo: 'agent.undo',
      complete: 'agent.complete',
      cancel: 'agent.cancel',
      swap: 'agent.swap',
      'follow-refer': 'agent.answerRefer',
      'decline-refer': 'agent.answerRefer',
    } as const;
    const states = transferPhaseList.flatMap((phase) => [reach(phase), reach(phase, { waitingForHold: true })]);
    for (const h of states) {
      const phase = h.phase;
      // As for a call that is answered and free: the start actions depend on the phase only then.
      const offered = allowedTransferActions(h.state, undefined, { callReady: true, safeBlindPreferred: true });
      for (const action of offered) expect(ruleFor(phase, intentOf[action]), `${phase} offers ${action}`).toBe('handle');
      for (const [action, intent] of Object.entries(intentOf)) {
        // In the undo window Cancel is accepted as an alias of Undo; the UI offers Undo only.
        if (phase === 'pending' && action === 'cancel') continue;
        if (!offered.includes(action as keyof typeof intentOf)) {
          expect(ruleFor(phase, intent), `${phase} hides ${action}`).not.toBe('handle');
        }
      }
      expect(isTransferActive(h.state)).toBe(phase !== 'idle' && phase !== 'done');
    }
  });
});
