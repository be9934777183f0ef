import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  createIncoming,
  createOutgoing,
  ENDED_CARD_MS,
  IllegalTransition,
  stateName,
  transition,
  type CallEvent,
  type CallEventType,
  type CallState,
  type Effect,
} from '../../../main/calls/call/machine';

const T0 = 1_000;
const NOW = 5_000;
const remote = { number: '1002', uri: 'sip:1002@lab.test', displayName: 'Bob' };
const out = (patch: Partial<CallState> = {}): CallState => ({ ...createOutgoing('c1', remote, T0).state, ...patch });
const inc = (patch: Partial<CallState> = {}): CallState => ({ ...createIncoming('c1', remote, T0, 'loud').state, ...patch });
const up = { phase: 'established' as const, answeredAt: 2_000 };

const states: Record<string, CallState> = {
  'outgoing/trying': out(),
  'outgoing/ringing': out({ phase: 'ringing' }),
  'outgoing/early-media': out({ phase: 'early-media' }),
  'outgoing/established': out(up),
  'incoming/ringing': inc(),
  'incoming/answering': inc({ phase: 'answering' }),
  'incoming/established': inc(up),
  'outgoing/ended': out({ phase: 'ended', ended: { reason: 'Hung up', by: 'agent', code: null }, endedAt: 3_000 }),
  'incoming/ended': inc({ phase: 'ended', ended: { reason: 'Declined', by: 'agent', code: 486 }, endedAt: 3_000 }),
};

const events: Record<CallEventType, CallEvent> = {
  answer: { type: 'answer' },
  decline: { type: 'decline', code: 486 },
  hangup: { type: 'hangup', transportUp: true },
  hold: { type: 'hold' },
  unhold: { type: 'unhold' },
  mute: { type: 'mute' },
  unmute: { type: 'unmute' },
  dtmf: { type: 'dtmf', tones: '12#' },
  'sip.progress': { type: 'sip.progress', code: 180, earlyMedia: false },
  'sip.accepted': { type: 'sip.accepted' },
  'sip.holdChanged': { type: 'sip.holdChanged', originator: 'remote', on: true },
  'sip.holdFailed': { type: 'sip.holdFailed', reason: 'time-out' },
  'sip.ended': { type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null },
  'media.gone': { type: 'media.gone', reason: 'the audio process crashed' },
  'holdMusic.started': { type: 'holdMusic.started', track: 'Lounge' },
  'holdMusic.stopped': { type: 'holdMusic.stopped' },
  'holdMusic.failed': { type: 'holdMusic.failed', reason: 'the media host is gone' },
};

/** Every legal (state, event) for the representative states above (established: not held, not muted). */
const legal: Record<string, CallEventType[]> = {
  'outgoing/trying': ['hangup', 'sip.progress', 'sip.accepted', 'sip.ended', 'media.gone'],
  'outgoing/ringing': ['hangup', 'sip.progress', 'sip.accepted', 'sip.ended', 'media.gone'],
  'outgoing/early-media': ['hangup', 'dtmf', 'sip.progress', 'sip.accepted', 'sip.ended', 'media.gone'],
  'outgoing/established': ['hangup', 'hold', 'mute', 'dtmf', 'sip.holdChanged', 'sip.ended', 'media.gone'],
  'incoming/ringing': ['answer', 'decline', 'sip.ended', 'media.gone'],
  'incoming/answering': ['hangup', 'sip.accepted', 'sip.ended', 'media.gone'],
  'incoming/established': ['hangup', 'hold', 'mute', 'dtmf', 'sip.holdChanged', 'sip.ended', 'media.gone'],
  'outgoing/ended': [],
  'incoming/ended': [],
};

describe('call machine: every illegal transition throws IllegalTransition "from → event"', () => {
  const illegal: Array<[string, CallEventType]> = [];
  for (const s of Object.keys(states)) {
    for (const e of Object.keys(events) as CallEventType[]) if (!legal[s]!.includes(e)) illegal.push([s, e]);
  }
  it('covers the whole cross product (legal + illegal = states × events)', () => {
    const legalCount = Object.values(legal).reduce((n, l) => n + l.length, 0);
    expect(illegal.length + legalCount).toBe(Object.keys(states).length * Object.keys(events).length);
    expect(illegal.length).toBeGreaterThan(80);
  });
  it.each(illegal)('%s → %s throws', (s, e) => {
    const call = () => transition(states[s]!, events[e], NOW);
    expect(call).toThrow(IllegalTransition);
    expect(call).toThrow(`${s} → ${e}`);
  });
  it.each(Object.entries(legal).flatMap(([s, es]) => es.map((e) => [s, e] as const)))('%s → %s is legal', (s, e) => {
    expect(() => transition(states[s]!, events[e], NOW)).not.toThrow();
  });
});

describe('call machine: attribute guards inside established', () => {
  const held = out({ ...up, hold: { local: true, remote: false } });
  const pending = out({ ...up, holdPending: 'hold' });
  const muted = out({ ...up, muted: true });
  it.each([
    ['hold while already held', held, events.hold],
    ['hold while a hold re-INVITE is in flight', pending, events.hold],
    ['unhold while not held', out(up), events.unhold],
    ['unhold while the hold is still pending', pending, events.unhold],
    ['mute while muted', muted, events.mute],
    ['unmute while not muted', out(up), events.unmute],
    ['holdFailed with nothing pending', out(up), events['sip.holdFailed']],
    ['music started on a call that is not being held', out(up), events['holdMusic.started']],
    ['music started while the hold re-INVITE is still in flight', pending, events['holdMusic.started']],
    ['music stopped with no resume under way', held, events['holdMusic.stopped']],
    ['music failed with nothing pending', held, events['holdMusic.failed']],
    ['hangup on a ringing incoming call (that is decline)', inc(), events.hangup],
    ['progress on an incoming call', inc(), events['sip.progress']],
    ['accepted twice', out(up), events['sip.accepted']],
  ])('%s throws', (_name, s, e) => {
    expect(() => transition(s, e, NOW)).toThrow(IllegalTransition);
  });
});

type Row = [name: string, from: CallState, event: CallEvent, expectState: Partial<CallState>, effects: Effect[]];
const endEffects = (reason: string, by: 'agent' | 'remote' | 'system', code: number | null, answered: boolean): Effect[] => [
  { type: 'history.ended', callId: 'c1', at: NOW, reason, by, code, answered },
  { type: 'timer.cancelAll', callId: 'c1' },
  { type: 'timer.start', callId: 'c1', name: 'dismiss', ms: ENDED_CARD_MS },
];

const rows: Row[] = [
  ['100 Trying changes nothing', out(), { type: 'sip.progress', code: 100, earlyMedia: false }, { phase: 'trying' }, []],
  ['180 rings', out(), { type: 'sip.progress', code: 180, earlyMedia: false }, { phase: 'ringing' }, []],
  ['183 with SDP is early media', out({ phase: 'ringing' }), { type: 'sip.progress', code: 183, earlyMedia: true }, { phase: 'early-media' }, []],
  ['a later 180 does not leave early media', out({ phase: 'early-media' }), { type: 'sip.progress', code: 180, earlyMedia: false }, { phase: 'early-media' }, []],
  ['200 establishes an outgoing call', out({ phase: 'ringing' }), { type: 'sip.accepted' }, { phase: 'established', answeredAt: NOW }, [{ type: 'history.answered', callId: 'c1', at: NOW }]],
  ['cancel while ringing', out({ phase: 'ringing' }), { type: 'hangup', transportUp: true }, { phase: 'ended', ended: { reason: 'Cancelled', by: 'agent', code: null } }, [{ type: 'sip.hangup', callId: 'c1' }, ...endEffects('Cancelled', 'agent', null, false)]],
  ['486 from the far end', out({ phase: 'ringing' }), { type: 'sip.ended', by: 'remote', reason: 'Busy', code: 486 }, { phase: 'ended', ended: { reason: 'Busy', by: 'remote', code: 486 } }, endEffects('Busy', 'remote', 486, false)],
  ['answer an incoming call: ringtone stops, SIP answers', inc(), { type: 'answer' }, { phase: 'answering' }, [{ type: 'media.ringtone', callId: 'c1', action: 'stop' }, { type: 'notify.dismiss', callId: 'c1' }, { type: 'sip.answer', callId: 'c1' }]],
  ['our 200 confirmed → established', inc({ phase: 'answering' }), { type: 'sip.accepted' }, { phase: 'established', answeredAt: NOW }, [{ type: 'history.answered', callId: 'c1', at: NOW }]],
  ['decline busy', inc(), { type: 'decline', code: 486 }, { phase: 'ended', ended: { reason: 'Declined (busy)', by: 'agent', code: 486 } }, [{ type: 'sip.decline', callId: 'c1', code: 486 }, { type: 'media.ringtone', callId: 'c1', action: 'stop' }, { type: 'notify.dismiss', callId: 'c1' }, ...endEffects('Declined (busy)', 'agent', 486, false)]],
  ['decline 603', inc(), { type: 'decline', code: 603 }, { phase: 'ended', ended: { reason: 'Declined', by: 'agent', code: 603 } }, [{ type: 'sip.decline', callId: 'c1', code: 603 }, { type: 'media.ringtone', callId: 'c1', action: 'stop' }, { type: 'notify.dismiss', callId: 'c1' }, ...endEffects('Declined', 'agent', 603, false)]],
  ['caller gives up while ringing: missed', inc(), { type: 'sip.ended', by: 'remote', reason: 'Caller hung up', code: 487 }, { phase: 'ended' }, [{ type: 'media.ringtone', callId: 'c1', action: 'stop' }, { type: 'notify.dismiss', callId: 'c1' }, { type: 'notify.missed', callId: 'c1', remote }, ...endEffects('Caller hung up', 'remote', 487, false)]],
  ['hold asks SIP and marks pending', out(up), { type: 'hold' }, { holdPending: 'hold', hold: { local: false, remote: false } }, [{ type: 'sip.hold', callId: 'c1' }]],
  ['hold confirmed: now the music (still pending)', out({ ...up, holdPending: 'hold' }), { type: 'sip.holdChanged', originator: 'local', on: true }, { holdPending: 'hold', hold: { local: true, remote: false }, heldSince: NOW }, [{ type: 'media.holdMusic', callId: 'c1', on: true }]],
  ['music on: the hold is done and history records the music from the hold start', out({ ...up, hold: { local: true, remote: false }, holdPending: 'hold', heldSince: 4_000 }), { type: 'holdMusic.started', track: 'Lounge' }, { holdPending: null, holdMusic: 'Lounge', holdHeard: { music: 'Lounge' } }, [{ type: 'history.holdStarted', callId: 'c1', at: 4_000, heard: { music: 'Lounge' } }]],
  ['music failed: silence, recorded, the agent told', out({ ...up, hold: { local: true, remote: false }, holdPending: 'hold', heldSince: 4_000 }), { type: 'holdMusic.failed', reason: 'the media host is gone' }, { holdPending: null, holdMusic: null }, [{ type: 'history.holdStarted', callId: 'c1', at: 4_000, heard: 'silence' }, { type: 'notify.problem', callId: 'c1', message: 'Hold music could not start (the media host is gone); the caller hears silence.' }]],
  ['unhold with music: microphone back first', out({ ...up, hold: { local: true, remote: false }, holdMusic: 'Lounge' }), { type: 'unhold' }, { holdPending: 'unhold', holdMusic: 'Lounge' }, [{ type: 'media.holdMusic', callId: 'c1', on: false }]],
  ['microphone back: now the re-INVITE', out({ ...up, hold: { local: true, remote: false }, holdPending: 'unhold', holdMusic: 'Lounge' }), { type: 'holdMusic.stopped' }, { holdPending: 'unhold', holdMusic: null }, [{ type: 'sip.unhold', callId: 'c1' }]],
  ['unhold without music asks SIP at once', out({ ...up, hold: { local: true, remote: false } }), { type: 'unhold' }, { holdPending: 'unhold' }, [{ type: 'sip.unhold', callId: 'c1' }]],
  ['unhold confirmed', out({ ...up, hold: { local: true, remote: false }, holdPending: 'unhold', heldSince: 4_000, holdHeard: { music: 'Lounge' } }), { type: 'sip.holdChanged', originator: 'local', on: false }, { holdPending: null, hold: { local: false, remote: false }, heldSince: null, holdHeard: null }, [{ type: 'history.holdEnded', callId: 'c1', at: NOW }]],
  ['resume failed: music back on the still-held caller', out({ ...up, hold: { local: true, remote: false }, holdPending: 'unhold', heldSince: 4_000, holdHeard: { music: 'Lounge' } }), { type: 'sip.holdFailed', reason: 'the other side answered 500' }, { holdPending: 'hold', hold: { local: true, remote: false } }, [{ type: 'notify.problem', callId: 'c1', message: 'Resume did not go through: the other side answered 500' }, { type: 'media.holdMusic', callId: 'c1', on: true }]],
  ['the same music back after a failed resume is not a new hold in history', out({ ...up, hold: { local: true, remote: false }, holdPending: 'hold', heldSince: 4_000, holdHeard: { music: 'Lounge' } }), { type: 'holdMusic.started', track: 'Lounge' }, { holdPending: null, holdMusic: 'Lounge' }, []],
  ['remote hold plays no music', inc(up), { type: 'sip.holdChanged', originator: 'remote', on: true }, { hold: { local: false, remote: true }, holdMusic: null, holdPending: null }, []],
  ['hold failed clears pending and tells the agent', out({ ...up, holdPending: 'hold' }), { type: 'sip.holdFailed', reason: 'no answer to the re-INVITE' }, { holdPending: null, hold: { local: false, remote: false } }, [{ type: 'notify.problem', callId: 'c1', message: 'Hold did not go through: no answer to the re-INVITE' }]],
  ['remote hold is an attribute', out(up), { type: 'sip.holdChanged', originator: 'remote', on: true }, { phase: 'established', hold: { local: false, remote: true } }, []],
  ['both held', out({ ...up, hold: { local: true, remote: false } }), { type: 'sip.holdChanged', originator: 'remote', on: true }, { hold: { local: true, remote: true } }, []],
  ['mute', out(up), { type: 'mute' }, { muted: true }, [{ type: 'media.mute', callId: 'c1', on: true }]],
  ['unmute', out({ ...up, muted: true }), { type: 'unmute' }, { muted: false }, [{ type: 'media.mute', callId: 'c1', on: false }]],
  ['dtmf', out(up), { type: 'dtmf', tones: '5' }, { phase: 'established' }, [{ type: 'sip.dtmf', callId: 'c1', tones: '5' }]],
  ['hang up an established call', out(up), { type: 'hangup', transportUp: true }, { phase: 'ended', ended: { reason: 'Hung up', by: 'agent', code: null } }, [{ type: 'sip.hangup', callId: 'c1' }, ...endEffects('Hung up', 'agent', null, true)]],
  ['hang up while the server is unreachable says so', out(up), { type: 'hangup', transportUp: false }, { phase: 'ended' }, [{ type: 'sip.hangup', callId: 'c1' }, ...endEffects('Hung up — the SIP server was unreachable, so the other party may not have been told yet', 'agent', null, true)]],
  ['hang up a held call closes its hold in history', out({ ...up, hold: { local: true, remote: false }, holdMusic: 'Lounge', holdHeard: { music: 'Lounge' } }), { type: 'hangup', transportUp: true }, { phase: 'ended', holdMusic: null }, [{ type: 'sip.hangup', callId: 'c1' }, { type: 'history.holdEnded', callId: 'c1', at: NOW }, ...endEffects('Hung up', 'agent', null, true)]],
  ['the caller hangs up while the music is being swapped in: recorded as silence', out({ ...up, hold: { local: true, remote: false }, holdPending: 'hold', heldSince: 4_000 }), { type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null }, { phase: 'ended' }, [{ type: 'history.holdStarted', callId: 'c1', at: 4_000, heard: 'silence' }, { type: 'history.holdEnded', callId: 'c1', at: NOW }, ...endEffects('Hung up by the other party', 'remote', null, true)]],
  ['remote BYE', inc(up), { type: 'sip.ended', by: 'remote', reason: 'Hung up by the other party', code: null }, { phase: 'ended', ended: { reason: 'Hung up by the other party', by: 'remote', code: null } }, endEffects('Hung up by the other party', 'remote', null, true)],
  ['media host gone ends the call with a reason', inc(up), { type: 'media.gone', reason: 'the audio process crashed' }, { phase: 'ended', ended: { reason: 'Audio stopped: the audio process crashed', by: 'system', code: null } }, [{ type: 'sip.hangup', callId: 'c1' }, ...endEffects('Audio stopped: the audio process crashed', 'system', null, true)]],
];

describe('call machine: (state, event) → (state, effects)', () => {
  it.each(rows)('%s', (_name, from, event, expectState, effects) => {
    const next = transition(from, event, NOW);
    expect(next.state).toMatchObject(expectState);
    expect(next.effects).toEqual(effects);
    expect(from.phase === 'ended' || next.state.id === from.id).toBe(true);
  });
});

describe('call machine: creation and allowed actions', () => {
  it('an outgoing call starts trying and is recorded', () => {
    const t = createOutgoing('c9', remote, T0);
    expect(stateName(t.state)).toBe('outgoing/trying');
    expect(t.effects).toEqual([{ type: 'history.started', callId: 'c9', direction: 'outgoing', remote, at: T0 }]);
  });
  it('an incoming call rings at the volume the call set chose and notifies', () => {
    const t = createIncoming('c9', remote, T0, 'soft');
    expect(t.state).toMatchObject({ phase: 'ringing', ring: 'soft' });
    expect(t.effects).toContainEqual({ type: 'media.ringtone', callId: 'c9', action: 'start', volume: 'soft' });
    expect(t.effects).toContainEqual({ type: 'notify.incoming', callId: 'c9', remote, volume: 'soft' });
  });
  it.each([
    ['incoming/ringing', inc(), ['answer', 'decline']],
    ['incoming/answering', inc({ phase: 'answering' }), ['hangup']],
    ['outgoing/trying', out(), ['hangup']],
    ['outgoing/early-media', out({ phase: 'early-media' }), ['hangup', 'dtmf']],
    ['established', out(up), ['hangup', 'hold', 'mute', 'dtmf']],
    ['established, held and muted', out({ ...up, hold: { local: true, remote: false }, muted: true }), ['hangup', 'unhold', 'unmute', 'dtmf']],
    ['established, hold in flight', out({ ...up, holdPending: 'hold' }), ['hangup', 'mute', 'dtmf']],
    ['ended', states['outgoing/ended']!, []],
  ])('%s offers %j', (_n, s, actions) => {
    expect(allowedActions(s as CallState)).toEqual(actions);
  });
  it('every allowed agent action is a legal transition (main never offers what it would refuse)', () => {
    const agentEvent = (a: string): CallEvent | null =>
      a === 'decline' ? events.decline : a === 'dtmf' ? events.dtmf : a === 'swap' ? null : (events[a as CallEventType] ?? null);
    for (const s of [...Object.values(states), out({ ...up, hold: { local: true, remote: false }, muted: true })]) {
      for (const a of allowedActions(s)) {
        const e = agentEvent(a);
        if (e) expect(() => transition(s, e, NOW), `${stateName(s)} ${a}`).not.toThrow();
      }
    }
  });
});
