/**
 * The transfer executor (main/calls/transfer/service.ts) over a fake call
 * service and a fake SIP port: effects run in order and each waits until the
 * call service shows it settled (hold → music → REFER; music off → unhold —
 * the music itself is the call service's, inside its hold: the fake below
 * plays it like the real one, so the executor must wait for it),
 * every timer dies on every end path, the agent's hang-up on a live consult
 * completes the transfer, and the timeline reaches the history recorder.
 */
import { describe, expect, it } from 'vitest';
import type { CallSnapshot, Preferences } from '../../../preload/contract';
import { silentLogger } from '../../../main/logging/logger';
import { createTransferService, type ReferHandlers, type TransferCalls, type TransferSipPort } from '../../../main/calls/transfer/service';
import type { TransferStepEvent } from '../../../main/history/recorder';

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function world(prefs: Partial<Preferences['transfer']> = {}) {
  const ops: string[] = [];
  const calls = new Map<string, CallSnapshot>();
  const listeners = new Set<(l: CallSnapshot[]) => void>();
  let nextCall = 2;
  let clock = 1_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextTimer = 1;
  const publish = () => {
    for (const l of [...listeners]) l([...calls.values()]);
  };
  const set = (id: string, patch: Partial<CallSnapshot>) => {
    calls.set(id, { ...calls.get(id)!, ...patch });
    publish();
  };
  const make = (id: string, direction: 'incoming' | 'outgoing', state: CallSnapshot['state']): CallSnapshot => ({
    id,
    direction,
    state,
    remote: { number: id, uri: `sip:${id}@pbx.test`, displayName: null },
    hold: { local: false, remote: false },
    holdPending: false,
    muted: false,
    ring: null,
    startedAt: clock,
    answeredAt: state === 'established' ? clock : null,
    endedAt: null,
    ended: null,
    allowedActions: ['hangup', 'hold'],
    heldSince: null,
    holdAudio: 'you',
  });
  calls.set('c1', make('c1', 'incoming', 'established'));
  const fakeCalls: TransferCalls = {
    list: () => [...calls.values()],
    onChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
    hold: (id) => (ops.push(`hold ${id}`), set(id, { holdPending: true, holdAudio: 'silence' })),
    // Like the call service: the microphone goes back before the resume re-INVITE.
    unhold: (id) => (musicOff(id), ops.push(`unhold ${id}`), set(id, { holdPending: true, holdAudio: 'silence' })),
    swap: (id) => (musicOff(id), ops.push(`swap ${id}`), set(id, { holdPending: true, holdAudio: 'silence' })),
    hangup: (id) => (ops.push(`hangup ${id}`), set(id, { state: 'ended', ended: { reason: 'Hung up', by: 'agent', code: null } })),
    answer: (id) => ops.push(`answer ${id}`),
    decline: (id, code) => ops.push(`decline ${id} ${code}`),
    dial: (target) => {
      const id = `c${nextCall++}`;
      ops.push(`dial ${target} → ${id}`);
      calls.set(id, make(id, 'outgoing', 'trying'));
      publish();
      return calls.get(id)!;
    },
  };
  function musicOff(id: string) {
    if (typeof calls.get(id)!.holdAudio === 'object') ops.push(`music off ${id}`);
  }
  /**
   * The re-INVITE of a pending hold/unhold was answered. Like the call service:
   * a held call then gets its music (still pending until the host swapped it),
   * a resumed call's far end hears us again.
   */
  const settle = (id: string) => {
    const c = calls.get(id)!;
    if (!c.hold.local) {
      ops.push(`music on ${id}`);
      return set(id, { hold: { ...c.hold, local: true }, heldSince: clock });
    }
    set(id, { holdPending: false, hold: { ...c.hold, local: false }, heldSince: null, allowedActions: ['hangup', 'hold'], holdAudio: 'you' });
  };
  /** The media host swapped the music in: the hold is done. */
  const musicOn = (id: string) => set(id, { holdPending: false, holdAudio: { music: 'Lounge' }, allowedActions: ['hangup', 'unhold'] });
  let refer: { callId: string; referTo: string; h: ReferHandlers } | null = null;
  const sip: TransferSipPort = {
    refer: (callId, referTo, h) => {
      ops.push(`refer ${callId} ${referTo}`);
      refer = { callId, referTo, h };
    },
    dialog: (callId) => ({ callId: `dlg-${callId}`, localTag: 'ours', remoteTag: 'theirs', remoteUri: 'sip:2001@pbx.test', direction: 'outgoing' }),
    cue: () => ops.push('cue'),
    referredBy: () => null,
    onIncomingRefer: () => () => {},
    onReplaces: () => () => {},
    referProgress: () => {},
    rejectRefer: () => {},
  };
  const steps: TransferStepEvent[] = [];
  const service = createTransferService({
    calls: fakeCalls,
    sip,
    clock: {
      now: () => clock,
      setTimeout: (fn, ms) => {
        const id = nextTimer++;
        timers.set(id, { at: clock + ms, fn });
        return () => timers.delete(id);
      },
    },
    recorder: { transferStep: (e) => steps.push(e) },
    prefs: () => ({ safeBlind: true, safeBlindTimeoutSec: 30, undoWindowSec: 0, completeTimeoutSec: 8, incomingRefer: 'ask', ...prefs }),
    domain: () => 'pbx.test',
    publish: () => {},
    log: silentLogger,
  });
  const advance = async (ms: number) => {
    clock += ms;
    for (const [id, t] of [...timers]) {
      if (t.at <= clock) {
        timers.delete(id);
        t.fn();
      }
    }
    await flush();
  };
  return { ops, calls, set, settle, musicOn, service, steps, timers, advance, refer: () => refer };
}

describe('transfer service (executor)', () => {
  it('safe blind: hold settles, THEN music, THEN the REFER; NOTIFY 200 releases the caller; timers gone', async () => {
    const w = world();
    const snap = w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    expect(snap.phase).toBe('referring');
    await flush();
    expect(w.ops).toEqual(['hold c1']); // nothing else until the re-INVITE is answered
    w.settle('c1');
    await flush();
    expect(w.ops).toEqual(['hold c1', 'music on c1']); // no REFER while the music is still being swapped in
    w.musicOn('c1');
    await flush();
    expect(w.ops).toEqual(['hold c1', 'music on c1', 'refer c1 sip:2001@pbx.test']);
    expect(w.calls.get('c1')!.holdAudio).toEqual({ music: 'Lounge' });
    w.refer()!.h.accepted();
    w.refer()!.h.notify(100);
    w.refer()!.h.notify(200);
    await flush();
    // The music ends with the connection: no separate swap before the BYE.
    expect(w.ops.slice(3)).toEqual(['hangup c1']);
    expect(w.service.snapshot('c1').phase).toBe('done');
    expect(w.service.counters().timers).toBe(0);
    expect(w.steps.map((s) => s.step)).toEqual(['requested', 'refer-sent', 'accepted', 'dialing', 'answered', 'completed']);
    expect(new Set(w.steps.map((s) => s.mode))).toEqual(new Set(['safe-blind']));
  });

  it('safe blind time-out: the caller is taken back — microphone first, then the unhold', async () => {
    const w = world({ safeBlindTimeoutSec: 5 });
    w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    await flush();
    w.settle('c1');
    w.musicOn('c1');
    await flush();
    await w.advance(5000);
    expect(w.ops.slice(3)).toEqual(['music off c1', 'unhold c1']);
    w.settle('c1');
    expect(w.service.snapshot('c1')).toMatchObject({ phase: 'idle', reason: { code: 'no-answer' } });
    expect(w.calls.get('c1')).toMatchObject({ hold: { local: false }, holdAudio: 'you' });
    expect(w.service.counters().timers).toBe(0);
  });

  it('attended: the consult is dialled after hold + music; hanging up the consult completes with Replaces', async () => {
    const w = world();
    w.service.attended({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    await flush();
    w.settle('c1');
    await flush();
    expect(w.ops).toEqual(['hold c1', 'music on c1']);
    w.musicOn('c1');
    await flush();
    expect(w.ops).toEqual(['hold c1', 'music on c1', 'dial sip:2001@pbx.test → c2']);
    expect(w.service.interceptHangup('c1')).toBe(false); // the caller leg is not a consult
    w.set('c2', { state: 'ringing' });
    w.set('c2', { state: 'established', answeredAt: 2000 });
    expect(w.service.snapshot('c1').phase).toBe('consulting');
    expect(w.service.interceptHangup('c2')).toBe(true);
    await flush();
    // RFC 3891: to-tag is the transferee's own (our remote) tag.
    expect(w.ops.at(-1)).toBe(`refer c1 sip:2001@pbx.test?Replaces=${encodeURIComponent('dlg-c2;to-tag=theirs;from-tag=ours')}`);
    expect(w.calls.get('c2')!.state).toBe('established'); // not hung up by the intercept
    w.refer()!.h.accepted();
    w.refer()!.h.notify(200);
    await flush();
    expect(w.ops.slice(-2)).toEqual(['hangup c1', 'hangup c2']);
    expect(w.service.counters().timers).toBe(0);
  });

  it('attended: a busy transferee brings the caller back (music off before unhold), reason busy', async () => {
    const w = world();
    w.service.attended({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    await flush();
    w.settle('c1');
    w.musicOn('c1');
    await flush();
    w.set('c2', { state: 'ended', ended: { reason: 'Busy', by: 'remote', code: 486 } });
    await flush();
    expect(w.ops.slice(3)).toEqual(['music off c1', 'unhold c1']);
    expect(w.service.snapshot('c1').reason).toMatchObject({ code: 'busy', sipCode: 486 });
  });

  it('undo window: nothing is sent, Undo after it is a typed refusal, dispose leaves no timer', async () => {
    const w = world({ undoWindowSec: 3 });
    expect(w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2001' } }).phase).toBe('pending');
    expect(w.service.counters().timers).toBe(1);
    expect(w.service.intent('c1', 'undo').phase).toBe('idle');
    await w.advance(3000);
    expect(w.ops).toEqual([]);
    expect(() => w.service.intent('c1', 'undo')).toThrow(expect.objectContaining({ code: 'not-allowed' }));
    w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    w.service.dispose();
    expect(w.service.counters().timers).toBe(0);
  });

  it('refuses a second transfer on the same call and a transfer of an unanswered call, typed', () => {
    const w = world({ undoWindowSec: 3 });
    w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2001' } });
    expect(() => w.service.blind({ callId: 'c1', target: { kind: 'number', number: '2002' } })).toThrow(expect.objectContaining({ code: 'busy' }));
    expect(() => w.service.blind({ callId: 'nope', target: { kind: 'number', number: '2002' } })).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});
