/**
 * The transfer's words (renderer/ui/state/outcome.ts): one outcome line per
 * result naming the target, the cause from main's reason code, the phase
 * under way, and main's reason with its SIP code.
 */
import { describe, expect, it } from 'vitest';
import type { TransferReasonView, TransferSnapshot } from '../../../preload/contract';
import { describeOutcome, describePhase, describeReason, describeStep, type TransferOutcome } from '../../../renderer/ui/state/outcome';

const reason = (code: TransferReasonView['code'], message: string, sipCode: number | null = null): TransferReasonView => ({ code, message, sipCode });
const outcome = (result: TransferOutcome['result'], r: TransferReasonView | null = null, target: string | null = '2002'): TransferOutcome => ({
  result,
  target,
  reason: r,
  at: 1,
});

describe('describeOutcome', () => {
  it('words every result with its target', () => {
    expect(describeOutcome(outcome('transferred'))).toBe('Transferred to 2002');
    expect(describeOutcome(outcome('caller-back', reason('busy', 'busy', 486)))).toBe('2002 was busy — the caller is back with you');
    expect(describeOutcome(outcome('released'))).toBe('Released to 2002; the outcome is not known');
    expect(describeOutcome(outcome('caller-lost', reason('busy', 'busy', 486)))).toBe('2002 was busy — the caller was lost');
    expect(describeOutcome(outcome('back-to-consult', reason('refer-refused', 'the other side does not accept transfers', 403)))).toBe(
      '2002 refused the transfer — you are still talking to 2002',
    );
    expect(describeOutcome(outcome('cancelled'))).toBe('Transfer to 2002 cancelled — the caller is back with you');
    expect(describeOutcome(outcome('undone'))).toBe('Transfer to 2002 undone');
    expect(describeOutcome(outcome('caller-hung-up'))).toBe('The caller hung up during the transfer');
  });

  it('words each reason as a cause, falls back to main\u2019s message, and copes without reason or target', () => {
    const back = (code: TransferReasonView['code'], message: string = code) => describeOutcome(outcome('caller-back', reason(code, message)));
    expect(back('no-answer')).toBe('2002 did not answer — the caller is back with you');
    expect(back('not-answered-in-time')).toBe('2002 did not answer — the caller is back with you');
    expect(back('not-found')).toBe('2002 was not found — the caller is back with you');
    expect(back('declined')).toBe('2002 declined — the caller is back with you');
    expect(back('transferee-hung-up')).toBe('2002 hung up — the caller is back with you');
    expect(back('failed')).toBe('The transfer to 2002 failed — the caller is back with you');
    expect(back('another-transfer', 'another transfer is under way')).toBe(
      'The transfer to 2002 did not go through (another transfer is under way) — the caller is back with you',
    );
    expect(describeOutcome(outcome('caller-back'))).toBe('The transfer to 2002 did not go through — the caller is back with you');
    expect(describeOutcome(outcome('transferred', null, null))).toBe('Transferred to the other party');
    expect(describeOutcome(outcome('caller-back', reason('busy', 'busy'), null))).toBe('The other party was busy — the caller is back with you');
  });
});

describe('phase, reason and steps', () => {
  const s = (over: Partial<TransferSnapshot>) =>
    ({ phase: 'idle', safe: false, target: { kind: 'number', label: '2002', uri: 'sip:2002@pbx.test' }, ...over }) as TransferSnapshot;

  it('says what is under way, naming the target; nothing when idle or done', () => {
    expect(describePhase(s({ phase: 'pending' }))).toBe('Transfer to 2002 starts shortly — you can still undo it');
    expect(describePhase(s({ phase: 'referring' }))).toBe('Transferring to 2002…');
    expect(describePhase(s({ phase: 'referring', safe: true }))).toBe('Transferring to 2002 — the caller hears music until they answer');
    expect(describePhase(s({ phase: 'consulting' }))).toBe('Talking to 2002 privately — the caller hears music');
    expect(describePhase(s({ phase: 'idle' }))).toBe('');
    expect(describePhase(s({ phase: 'done' }))).toBe('');
  });

  it('a safe blind reaching the transferee on its own leg says so, and says when the caller is being handed over', () => {
    const consult = { callId: 'k', state: 'ringing', held: false, music: false } as const;
    const legs = { caller: { callId: 'c', state: 'up', held: true, music: true }, consult } as const;
    expect(describePhase(s({ phase: 'consult-dialing', mode: 'blind', safe: true, legs }))).toBe(
      'Reaching 2002 — the caller hears music and goes over once they answer',
    );
    expect(describePhase(s({ phase: 'completing', mode: 'blind', safe: true, legs: { ...legs, consult: { ...consult, state: 'up' } } }))).toBe(
      '2002 answered — handing the caller over…',
    );
    // An attended consult still reads as the agent's own call.
    expect(describePhase(s({ phase: 'consult-dialing', mode: 'attended', legs }))).toBe('Calling 2002 — the caller hears music');
  });

  it('gives main\u2019s reason with its SIP code, and each step with code and note', () => {
    expect(describeReason(reason('busy', 'busy', 486))).toBe('Reason: busy (SIP 486)');
    expect(describeReason(reason('failed', 'media host gone'))).toBe('Reason: media host gone');
    expect(describeStep({ step: 'failed', at: 1, sipCode: 486, note: 'busy' })).toBe('Failed (SIP 486) — busy');
    expect(describeStep({ step: 'taken-back', at: 1, sipCode: null, note: null })).toBe('Caller taken back');
  });
});
