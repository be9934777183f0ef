/**
 * Being the transferee (rows I1–I2 of docs/transfers.md): an INVITE with Replaces
 * for one of our calls, and a REFER from the far end — followed at once or
 * offered to the agent per preferences.transfer.incomingRefer.
 */
import { describe, expect, it } from 'vitest';
import { REFER_OFFER_MS } from '../../../main/calls/transfer/machine';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';
import { CALLER, Harness, play, SAFE, SEED, type Row } from './transfer-fixtures';

const offered: Row = [
  (s) => s.refer('ask'),
  'refer-offered',
  ['history offered', `timer.start refer:R1/offer ${REFER_OFFER_MS}`, 'notify "the other side asks to transfer this call"'],
];
const followed: Row = [(s) => s.refer('follow'), 'following', ['history offered', 'sip.acceptRefer C R1', 'history dialing']];

describe('I1 our agent is the transferee of an attended transfer (INVITE with Replaces)', () => {
  it('I1 INVITE with Replaces: the new call is answered in place of the old leg, which is released, and the cue plays', () => {
    const h = play([
      [(s) => s.replaces('N'), 'done', ['history offered', 'sip.acceptReplaces N for C', 'sip.hangup C', 'cue N', 'history completed']],
      [(s) => s.replaces('N2'), 'done', ['sip.reject N2 481']], // the dialog to replace is gone (RFC 3891 §3)
    ]);
    expect(h.world.legs.get(CALLER)?.up).toBe(false);
    expect(toTransferSnapshot(h.state)).toMatchObject({ mode: 'incoming-replaces', phase: 'done' });
  });

  it('I1 INVITE with Replaces while our own transfer of that call is under way: refused with 486, the agent told', () => {
    play([
      [(s) => s.blind(SEED), 'referring', ['history requested', 'handOver C sip:2001@pbx.test', 'timer.start T1/refer 30000']],
      [(s) => s.replaces('N'), 'referring', ['sip.reject N 486', 'notify "another transfer of this call is under way"']],
    ]);
    play([
      [(s) => s.blind(SAFE), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      [(s) => s.replaces('N'), 'consult-dialing', ['sip.reject N 486', 'notify "another transfer of this call is under way"']], // even before our leg went out
      [(s) => s.held(), 'consult-dialing', ['call.dialConsult sip:2001@pbx.test']],
      [(s) => s.replaces('N'), 'consult-dialing', ['sip.reject N 486', 'notify "another transfer of this call is under way"']],
    ]);
  });
});

describe('I1/I2 a transferred call reaches our agent (Referred-By, RFC 3892)', () => {
  it('I1 completion cue: the cue plays and the transferer and their note are in the timeline', () => {
    const h = play([[(s) => s.transferredIn('sip:alice@pbx.test', 'VIP, wants billing'), 'idle', ['history completed', 'cue C']]]);
    const snap = transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
    expect(snap.mode).toBe('transferred-in');
    expect(snap.timeline[0]?.note).toBe('transferred to you by sip:alice@pbx.test: VIP, wants billing');
    // the agent can transfer it on as any other call
    play(
      [
        [(s) => s.blind(SAFE), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
        [(s) => s.held(), 'consult-dialing', ['call.dialConsult sip:2001@pbx.test']],
      ],
      h,
    );
  });

  it('I1 completion cue without a known transferer', () => {
    const h = play([[(s) => s.transferredIn(null), 'idle', ['history completed', 'cue C']]]);
    expect(h.state.transfer?.timeline[0]?.note).toBe('transferred to you');
  });
});

describe('I2 the far end sends us a REFER', () => {
  it('I2 REFER followed (setting "follow"): accepted, the new call answered → cue, timeline completed', () => {
    const h = play([
      followed,
      [(s) => s.followedStarted('F'), 'following', []],
      [(s) => s.followedAnswered('F'), 'idle', ['history answered', 'history completed', 'cue F']],
      [(s) => s.callerEnded(), 'done', []], // the referrer hangs up its leg afterwards
    ]);
    expect(h.world.steps).toEqual(['offered', 'dialing', 'answered', 'completed']);
  });

  it('I2 REFER followed, the new call fails: the agent is told why, the original call is untouched', () => {
    const h = play([
      followed,
      [(s) => s.followedStarted('F'), 'following', []],
      [(s) => s.followedFailed(486, 'F'), 'idle', ['history failed 486', 'notify "busy"']],
    ]);
    expect(h.world.legs.get(CALLER)).toEqual({ up: true, held: false, music: false });
  });

  it('I2 REFER asked (setting "ask"): the agent follows it', () => {
    const h = play([
      offered,
      [(s) => s.answerRefer(true), 'following', ['timer.cancel refer:R1/offer', 'sip.acceptRefer C R1', 'history dialing']],
      [(s) => s.followedStarted('F'), 'following', []],
      [(s) => s.followedAnswered('F'), 'idle', ['history answered', 'history completed', 'cue F']],
    ]);
    expect(toTransferSnapshot(h.state).reason).toBeNull();
  });

  it('I2 REFER asked: the agent declines it (603)', () => {
    play([offered, [(s) => s.answerRefer(false), 'idle', ['timer.cancel refer:R1/offer', 'sip.rejectRefer C R1 603', 'history declined 603']]]);
  });

  it('I2 REFER asked and not answered within the offer time (< RFC 3261 Timer F): declined, the agent told', () => {
    expect(REFER_OFFER_MS).toBeLessThan(32_000);
    play([
      offered,
      [
        (s) => s.timer('refer:R1/offer', REFER_OFFER_MS),
        'idle',
        ['sip.rejectRefer C R1 603', 'history declined 603', 'notify "the transfer request was not answered in time and was declined"'],
      ],
    ]);
  });

  it('I2 REFER asked: the snapshot offers follow/decline and says why', () => {
    const h = play([offered]);
    const snap = transferSnapshotSchema.parse(toTransferSnapshot(h.state, h.world.hold));
    expect(snap).toMatchObject({
      mode: 'incoming-refer',
      phase: 'refer-offered',
      allowedActions: ['follow-refer', 'decline-refer'],
      reason: { code: 'refer-offered' },
      target: { uri: 'sip:2001@pbx.test' },
    });
  });

  it('I2 the referrer hangs up while we follow (no NOTIFY on an ended dialog, docs/transfers.md): keep following, the cue still plays, late NOTIFYs ignored', () => {
    const h = play([
      followed,
      [(s) => s.followedStarted('F'), 'following', []],
      [(s) => s.callerEnded(), 'following', []],
      [(s) => s.notify(200, 'refer:R1'), 'following', []],
      [(s) => s.followedAnswered('F'), 'done', ['history answered', 'history completed', 'cue F']],
    ]);
    expect(h.state.transfer?.referrerGone).toBe(true);
  });

  it('I2 the referrer hangs up while the agent is still asked: the offer is withdrawn, nothing sent on the dead dialog', () => {
    const h = play([offered, [(s) => s.callerEnded(), 'done', ['timer.cancel refer:R1/offer', 'history cancelled']]]);
    expect(h.world.log.some((e) => e.type === 'sip.rejectRefer')).toBe(false);
  });

  it('I2 a second REFER while one is offered or followed is declined', () => {
    const h = play([offered, [(s) => s.refer('follow', 'R2'), 'refer-offered', ['sip.rejectRefer C R2 603', 'notify "another transfer of this call is under way"']]]);
    play([[(s) => s.answerRefer(true), 'following', ['timer.cancel refer:R1/offer', 'sip.acceptRefer C R1', 'history dialing']]], h);
    play([[(s) => s.refer('ask', 'R3'), 'following', ['sip.rejectRefer C R3 603', 'notify "another transfer of this call is under way"']]], h);
  });

  it('I2 a REFER while our own transfer of the call is pending is declined', () => {
    play([
      [(s) => s.blind({ ...SAFE, undoMs: 3000 }), 'pending', ['history requested', 'timer.start T1/undo 3000']],
      [(s) => s.refer('follow'), 'pending', ['sip.rejectRefer C R1 603', 'notify "another transfer of this call is under way"']],
    ]);
  });

  it('I2 hold answers while a REFER is offered or followed are not this machine\u2019s to act on', () => {
    const h = play([offered, [(s) => s.held(), 'refer-offered', []], [(s) => s.holdFailed(), 'refer-offered', []]]);
    play(
      [
        [(s) => s.answerRefer(true), 'following', ['timer.cancel refer:R1/offer', 'sip.acceptRefer C R1', 'history dialing']],
        [(s) => s.held(), 'following', []],
        [(s) => s.holdFailed(), 'following', []],
      ],
      h,
    );
  });

  it('I2 answering an offer that does not exist is refused', () => {
    const h = new Harness();
    expect(() => h.feed(h.s.answerRefer(true))).toThrow(/idle → agent\.answerRefer \(no-offer/);
  });

  it('I2 events of a followed call we do not know are ignored', () => {
    play([followed, [(s) => s.followedStarted('F', 'R9'), 'following', []], [(s) => s.followedStarted('F'), 'following', []], [(s) => s.followedAnswered('OTHER'), 'following', []]]);
  });
});
