/**
 * Which way an attended or supervised transfer completes (RFC 5589), chosen
 * by the pure machine from what each phone announced: the choice for every
 * combination of Replaces support, then the machine carrying it out — the
 * REFER on the caller's leg or on the transferee's, what the agent is told
 * before Complete, and a replacement that arrives as a new call reported as
 * such. docs/transfers.md, "Which phone swaps the calls".
 */
import { describe, expect, it } from 'vitest';
import { completionPlan } from '../../../main/calls/transfer/completion';
import { toTransferSnapshot } from '../../../main/calls/transfer/snapshot';
import type { PeerSupport } from '../../../main/calls/transfer/types';
import { transferSnapshotSchema } from '../../../preload/contract/transfer';
import {
  CALLER,
  CALLER_DIALOG,
  CONSULT,
  CONSULT_DIALOG,
  NO_REPLACES,
  play,
  SAFE,
  SUPPORTS,
  UNKNOWN,
  type Row,
} from './transfer-fixtures';

const yes: PeerSupport = { replaces: true, refer: null };
const no: PeerSupport = { replaces: false, refer: null };
const unknown: PeerSupport = { replaces: null, refer: null };

describe('completionPlan: every combination of Replaces support', () => {
  // caller × transferee → who gets the REFER, whether the phone that gets the new call swaps it for ours, and which phone said it cannot
  type Unable = 'caller' | 'transferee' | 'both' | null;
  const support = { yes, no, unknown } as const;
  const table: Array<[keyof typeof support, keyof typeof support, 'caller' | 'transferee', 'swap' | 'new-call', Unable]> = [
    ['yes', 'yes', 'caller', 'swap', null],
    ['yes', 'no', 'caller', 'new-call', 'transferee'],
    ['yes', 'unknown', 'caller', 'swap', null],
    ['unknown', 'yes', 'caller', 'swap', null],
    ['unknown', 'no', 'caller', 'new-call', 'transferee'],
    ['unknown', 'unknown', 'caller', 'swap', null],
    // The caller cannot: the transferee is referred — and the caller's phone, which said it cannot swap, takes it as a new call.
    ['no', 'yes', 'transferee', 'new-call', 'caller'],
    ['no', 'no', 'caller', 'new-call', 'both'],
    ['no', 'unknown', 'caller', 'new-call', 'caller'],
  ];
  it.each(table)('caller %s × transferee %s → REFER the %s (%s; cannot swap: %s)', (caller, transferee, via, expected, unable) => {
    expect(completionPlan(support[caller], support[transferee])).toEqual({ via, expect: expected, unable });
  });

  it('the table above is every combination, once', () => {
    expect(new Set(table.map(([c, t]) => `${c}/${t}`)).size).toBe(9);
  });

  it('REFER in Allow counts too: a phone that does not take REFER is not referred', () => {
    // The caller could swap but takes no REFER: the transferee is asked when it can — a seamless swap at the caller.
    expect(completionPlan({ replaces: true, refer: false }, SUPPORTS)).toEqual({ via: 'transferee', expect: 'swap', unable: null });
    expect(completionPlan({ replaces: null, refer: false }, NO_REPLACES)).toEqual({ via: 'transferee', expect: 'swap', unable: 'transferee' });
    // The transferee could swap but takes no REFER: the caller is referred anyway.
    expect(completionPlan(NO_REPLACES, { replaces: true, refer: false })).toEqual({ via: 'caller', expect: 'new-call', unable: 'caller' });
    // Nobody takes REFER: the caller is asked (it will refuse, and the agent stays in the consult).
    expect(completionPlan({ replaces: false, refer: false }, { replaces: false, refer: false })).toEqual({ via: 'caller', expect: 'new-call', unable: 'both' });
  });

  it('without the caller\u2019s dialog the transferee cannot be pointed at it: the caller is referred', () => {
    expect(completionPlan(NO_REPLACES, SUPPORTS, false)).toEqual({ via: 'caller', expect: 'new-call', unable: 'caller' });
  });
});

const FROM_CALLER = 'handOver C sip:2001@pbx.test?Replaces=consult-call-id%40agent%3Bto-tag%3DbobTag%3Bfrom-tag%3DourTag';
/** RFC 3891 §3 from the caller's side: to-tag is the caller's own tag (our remote), from-tag ours. */
const TO_TRANSFEREE = 'handOver on K sip:alice@pbx.test?Replaces=caller-call-id%40pbx%3Bto-tag%3DaliceTag%3Bfrom-tag%3DagentTag';

/** An attended transfer up to the private consult, with what each phone announced. */
function consulting(caller: PeerSupport, transferee: PeerSupport): Row[] {
  return [
    [(s) => s.attended(SAFE, undefined, undefined, { support: caller, dialog: CALLER_DIALOG }), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing']],
    [(s) => s.held(), 'consult-dialing', ['call.dialConsult sip:2001@pbx.test']],
    [(s) => s.consultStarted(), 'consult-dialing', []],
    [(s) => s.consultAnswered(CONSULT_DIALOG, CONSULT, transferee), 'consulting', ['history answered']],
  ];
}

describe('the machine completes the chosen way', () => {
  it('a caller that can swap is referred as before; the snapshot says nothing special', () => {
    const h = play([...consulting(SUPPORTS, SUPPORTS)]);
    expect(toTransferSnapshot(h.state).completion).toEqual({ via: 'caller', expect: 'swap', unable: null });
    play([[(s) => s.agent('agent.complete'), 'completing', [FROM_CALLER, 'timer.start T1/complete 8000']]], h);
  });

  it('a caller that cannot swap: the transferee is referred to the caller\u2019s call; clean when our caller leg is replaced', () => {
    const h = play(consulting(NO_REPLACES, SUPPORTS));
    // …and since it said it cannot swap calls, it will most likely take the transferee as a new call.
    expect(transferSnapshotSchema.parse(toTransferSnapshot(h.state)).completion).toEqual({ via: 'transferee', expect: 'new-call', unable: 'caller' });
    play(
      [
        [(s) => s.agent('agent.complete'), 'completing', [TO_TRANSFEREE, 'timer.start T1/complete 8000']],
        [(s) => s.accepted(), 'completing', []],
        [(s) => s.notify(100), 'completing', []],
        // The transferee's phone reached the caller: wait for the caller's phone to end our leg.
        [(s) => s.notify(200), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
        // It did (RFC 3891 §3): clean. Our leg to the transferee has done its part.
        [(s) => s.callerEnded(), 'done', ['timer.cancel T1/replaced', 'history completed 200', 'sip.hangup K']],
      ],
      h,
    );
    expect(h.world.refers[0]).toMatchObject({ callId: CALLER, on: CONSULT, replaces: { callId: 'caller-call-id@pbx', toTag: 'aliceTag', fromTag: 'agentTag' } });
    expect(h.world.legs.get(CONSULT)?.up).toBe(false);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('transferred');
    expect(toTransferSnapshot(h.state).completion).toBeNull();
  });

  it('referred the other way, the caller\u2019s phone ends our leg before any NOTIFY 200: clean all the same', () => {
    const h = play([
      ...consulting(NO_REPLACES, SUPPORTS),
      [(s) => s.agent('agent.complete'), 'completing', [TO_TRANSFEREE, 'timer.start T1/complete 8000']],
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.callerEnded(), 'done', ['timer.cancel T1/complete', 'history completed', 'sip.hangup K']],
      [(s) => s.notify(200), 'done', []],
    ]);
    expect(toTransferSnapshot(h.state).outcome?.result).toBe('transferred');
  });

  it('referred the other way, the caller\u2019s phone keeps our leg after NOTIFY 200: it took the transferee as a new call', () => {
    const h = play([
      ...consulting(NO_REPLACES, SUPPORTS),
      [(s) => s.agent('agent.complete'), 'completing', [TO_TRANSFEREE, 'timer.start T1/complete 8000']],
      [(s) => s.accepted(), 'completing', []],
      [(s) => s.notify(200), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
      [(s) => s.timer('T1/replaced', 3000), 'done', ['history new-call 200', 'sip.hangup C', 'sip.hangup K']],
    ]);
    expect(h.state.transfer?.timeline.at(-1)?.note).toMatch(/caller.s phone took the transferee as a new call/);
    expect(toTransferSnapshot(h.state).outcome).toMatchObject({ result: 'new-call', reason: null });
  });

  it('referred the other way and refused: back to the consult, both legs still ours', () => {
    const h = play([
      ...consulting(NO_REPLACES, SUPPORTS),
      [(s) => s.agent('agent.complete'), 'completing', [TO_TRANSFEREE, 'timer.start T1/complete 8000']],
      [(s) => s.rejected(405), 'consulting', ['history failed 405', 'timer.cancel T1/complete', 'notify "the other side does not accept transfers"']],
    ]);
    expect(h.world.legs.get(CALLER)?.up).toBe(true);
    expect(h.world.legs.get(CONSULT)?.up).toBe(true);
  });

  it('neither phone can swap: the agent is told before Complete; the caller is referred and a new call is reported, not a clean completion', () => {
    const h = play(consulting(NO_REPLACES, NO_REPLACES));
    expect(toTransferSnapshot(h.state).completion).toEqual({ via: 'caller', expect: 'new-call', unable: 'both' });
    play(
      [
        [(s) => s.agent('agent.hangupConsult'), 'completing', [FROM_CALLER, 'timer.start T1/complete 8000']],
        [(s) => s.accepted(), 'completing', []],
        [(s) => s.notify(200), 'completing', ['timer.cancel T1/complete', 'timer.start T1/replaced 3000']],
        // The consult stays up: the transferee's phone took the caller as a second call.
        [(s) => s.timer('T1/replaced', 3000), 'done', ['history new-call 200', 'sip.hangup C', 'sip.hangup K']],
        [(s) => s.consultEnded(), 'done', []],
      ],
      h,
    );
    expect(h.world.steps.slice(-1)).toEqual(['new-call 200']);
    expect(h.state.transfer?.timeline.at(-1)?.note).toMatch(/transferee.s phone took the caller as a new call/);
  });

  it('a supervised safe blind hands over the same way: the transferee is referred when the caller cannot swap', () => {
    const h = play([
      [(s) => s.blind(SAFE, undefined, undefined, { support: NO_REPLACES, dialog: CALLER_DIALOG }), 'consult-dialing', ['history requested', 'call.hold C', 'history dialing', 'timer.start T1/consult 30000']],
      [(s) => s.held(), 'consult-dialing', ['call.dialConsult sip:2001@pbx.test']],
      [(s) => s.consultStarted(), 'consult-dialing', []],
      [(s) => s.consultAnswered(CONSULT_DIALOG, CONSULT, SUPPORTS), 'completing', ['timer.cancel T1/consult', 'history answered', TO_TRANSFEREE, 'timer.start T1/complete 8000']],
    ]);
    expect(toTransferSnapshot(h.state).completion).toEqual({ via: 'transferee', expect: 'new-call', unable: 'caller' });
  });

  it('an existing call as the consult brings its phone\u2019s support with it', () => {
    const h = play([
      [
        (s) => s.attended(SAFE, { callId: CONSULT, dialog: CONSULT_DIALOG, support: SUPPORTS }, undefined, { support: NO_REPLACES, dialog: CALLER_DIALOG }),
        'consulting',
        ['history requested', 'call.hold C', 'call.resume K'],
      ],
      [(s) => s.agent('agent.complete'), 'completing', [TO_TRANSFEREE, 'timer.start T1/complete 8000']],
    ]);
    expect(h.world.refers[0]?.on).toBe(CONSULT);
  });

  it('unknown support everywhere completes exactly as before phones were asked', () => {
    const h = play(consulting(UNKNOWN, UNKNOWN));
    expect(toTransferSnapshot(h.state).completion).toEqual({ via: 'caller', expect: 'swap', unable: null });
    play([[(s) => s.agent('agent.complete'), 'completing', [FROM_CALLER, 'timer.start T1/complete 8000']]], h);
  });

  it('the snapshot shows no completion plan outside an attended or supervised consult', () => {
    const h = play([[(s) => s.blind({ ...SAFE, safe: false }), 'referring', ['history requested', 'handOver C sip:2001@pbx.test', 'timer.start T1/refer 30000']]]);
    expect(toTransferSnapshot(h.state).completion).toBeNull();
  });
});
