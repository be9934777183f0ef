/**
 * Attended transfers through a platform that dials the transferee onto the
 * caller's own leg (VoIPBIN's attended transfer: docs/voipbin.md): no consult
 * call of ours and no SIP hold — the platform plays the caller music and mutes
 * it. Complete is our leg leaving the bridge; Cancel hangs up the platform's
 * consult; leaving before the transferee answered would make the platform drop
 * the caller, so it is refused. Tables of (event) → (phase, effects in order).
 */
import { describe, expect, it } from 'vitest';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import { CALLER, ON_LEG, play, type Row } from './transfer-fixtures';

const CONSULT_ON_LEG = `platform.consult ${CALLER} sip:2001@pbx.test`;
const requested: Row = [(s) => s.attended(ON_LEG), 'consult-dialing', ['history requested', CONSULT_ON_LEG, 'history dialing', 'timer.start T1/consult 30000']];
const ringing: Row[] = [
  requested,
  [(s) => s.consultStarted('platform:T1'), 'consult-dialing', []],
  [(s) => s.consultRinging('platform:T1'), 'consult-dialing', ['history ringing']],
];
const consulting: Row[] = [...ringing, [(s) => s.consultAnswered(null, 'platform:T1'), 'consulting', ['timer.cancel T1/consult', 'history answered']]];

describe('attended on the platform\u2019s bridge (a consult on our own leg)', () => {
  it('the platform dials; nothing is held or dialled by us; the caller reads as held with music while it runs', () => {
    const h = play(ringing);
    expect(h.world.log.some((e) => e.type === 'call.hold' || e.type === 'call.dialConsult')).toBe(false);
    expect(toTransferSnapshot(h.state, h.world.hold)).toMatchObject({
      phase: 'consult-dialing',
      mode: 'attended',
      allowedActions: ['cancel'],
      legs: { caller: { held: true, music: true }, consult: { callId: 'platform:T1', state: 'ringing' } },
    });
  });

  it('complete = our leg leaves the bridge once the transferee answered; the platform connects caller and transferee', () => {
    const h = play([
      ...consulting,
      [(s) => s.agent('agent.complete'), 'done', ['history completed', 'sip.hangup C']],
      [(s) => s.consultEnded('platform:T1'), 'done', []],
    ]);
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'transferred', target: 'Bob' });
    expect(h.world.refers).toEqual([]);
  });

  it('the seed: hanging up our leg during the consult completes it, the same way', () => {
    play([...consulting, [(s) => s.agent('agent.hangupConsult'), 'done', ['history completed', 'sip.hangup C']]]);
  });

  it('leaving before the transferee answered would drop the caller: Complete and the hang-up are refused, typed; Cancel works', () => {
    const h = play(ringing);
    expect(() => h.feed(h.s.agent('agent.complete'))).toThrow(/consult-dialing → agent\.complete \(caller-would-drop/);
    expect(() => h.feed(h.s.agent('agent.hangupConsult'))).toThrow(/caller-would-drop/);
    play([[(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'timer.cancel T1/consult', 'platform.cancelConsult C']]], h);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('cancelled');
  });

  it('Cancel during the consult hangs up the platform\u2019s consult; the caller is the agent\u2019s again (no SIP resume of ours)', () => {
    const h = play([...consulting, [(s) => s.agent('agent.cancel'), 'idle', ['history cancelled', 'platform.cancelConsult C']]]);
    expect(h.world.log.some((e) => e.type === 'call.resume')).toBe(false);
  });

  it('swap is refused: the transferee is on the same call as the agent', () => {
    const h = play(consulting);
    expect(() => h.feed(h.s.agent('agent.swap'))).toThrow(/one-leg/);
  });

  it.each([
    [486, 'busy'],
    [480, 'no answer'],
    [603, 'declined'],
  ])('the transferee fails (%i): the platform gives the caller back; the reason is "%s"', (code, message) => {
    const h = play([...ringing, [(s) => s.consultFailed(code, 'platform:T1'), 'idle', [`history failed ${code}`, 'timer.cancel T1/consult', `notify "${message}"`]]]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('caller-back');
  });

  it('no answer within the consult time: the platform\u2019s consult is hung up and the caller is back', () => {
    play([...ringing, [(s) => s.timer('T1/consult', 30_000), 'idle', ['history failed', 'platform.cancelConsult C', 'notify "no answer"']]]);
  });

  it('the transferee hangs up during the consult: the caller is back with the agent', () => {
    play([...consulting, [(s) => s.consultEnded('platform:T1'), 'idle', ['history taken-back', 'notify "the transferee hung up"']]]);
  });

  it('our leg ends under the consult: the transfer is over and the platform\u2019s consult is hung up', () => {
    const h = play([...ringing, [(s) => s.callerEnded(), 'done', ['timer.cancel T1/consult', 'history cancelled', 'platform.cancelConsult C']]]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('caller-hung-up');
  });
});
