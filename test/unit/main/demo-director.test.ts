/**
 * The demo's director (main/demo/director.ts) with a fake parties page and a
 * fake clock: what it tells the page to do, and when, from the page's
 * reports — the greeting, callers ringing the queue and giving up, holding
 * out on hold for a while only, colleagues picking up by their habits (or as
 * a test pins them), a colleague handing an outside caller to the agent, and
 * a stop that leaves no timer behind.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/logging/logger';
import { createDirector, type DirectorClock } from '../../../main/demo/director';
import { AGENT_USER, COLLEAGUES, SUPPORT_QUEUE } from '../../../main/demo/roster';
import { seededRandom } from '../../../main/demo/scripts';
import type { DirectorLink } from '../../../main/demo/switchboard';
import type { DirectorCommand, PartyReport } from '../../../renderer/demo/protocol';

function fakeClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: DirectorClock = {
    now: () => now,
    after(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return () => void timers.delete(id);
    },
  };
  return {
    clock,
    pending: () => timers.size,
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
    },
  };
}

function fakePage() {
  const sent: DirectorCommand[] = [];
  const listeners = new Set<(m: unknown) => void>();
  const closers = new Set<() => void>();
  const link: DirectorLink = {
    send: (m) => void sent.push(m as DirectorCommand),
    onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
    onClose: (l) => (closers.add(l), () => closers.delete(l)),
  };
  return {
    link,
    sent,
    report: (r: PartyReport | unknown) => {
      for (const l of [...listeners]) l(r);
    },
    of: <T extends DirectorCommand['type']>(type: T) => sent.filter((c): c is Extract<DirectorCommand, { type: T }> => c.type === type),
  };
}

function setup(o: { pace?: 'manual' | 'busy'; auto?: boolean } = {}) {
  const time = fakeClock();
  const page = fakePage();
  const director = createDirector({
    sipUrl: 'ws://127.0.0.1:1/t',
    domain: 'demo.invalid',
    pace: o.pace ?? 'manual',
    random: seededRandom(1),
    clock: time.clock,
    log: silentLogger,
    auto: o.auto ?? false,
    tones: [660],
  });
  director.attach(page.link);
  page.report({ type: 'ready' });
  for (const c of COLLEAGUES) page.report({ type: 'party-ready', party: c.id, registered: true });
  return { time, page, director };
}

const call = (party: string, id: string, phase: 'calling' | 'ringing' | 'established' | 'ended', remote: string, direction: 'in' | 'out' = 'out'): PartyReport => ({
  type: 'call',
  party,
  call: id,
  direction,
  phase,
  remote,
});

describe('demo director', () => {
  it('greets the page with the switchboard and the voices, then brings every colleague in', async () => {
    const { page, director } = setup();
    expect(page.of('hello')).toEqual([{ type: 'hello', sipUrl: 'ws://127.0.0.1:1/t', domain: 'demo.invalid', voices: expect.arrayContaining([252, 101]), tones: [660] }]);
    expect(page.of('party').map((c) => c.party.user)).toEqual(COLLEAGUES.map((c) => c.user));
    expect(page.of('party').every((c) => c.party.register)).toBe(true);
    await expect(director.whenReady(1000)).resolves.toBeUndefined();
  });

  it('a caller rings the queue, gives up when nobody answers in time, and leaves', () => {
    const { page, director, time } = setup();
    const id = director.sendCaller()!;
    const party = page.of('party').find((c) => c.party.id === id)!;
    expect(party.party.register).toBe(false);
    expect(page.of('call')).toEqual([{ type: 'call', party: id, to: SUPPORT_QUEUE.user }]);
    page.report(call(id, `${id}-1`, 'calling', SUPPORT_QUEUE.user));
    time.advance(69_000);
    expect(page.of('hangup')).toEqual([]);
    time.advance(100_000);
    expect(page.of('hangup')).toEqual([{ type: 'hangup', party: id }]);
    page.report(call(id, `${id}-1`, 'ended', SUPPORT_QUEUE.user));
    expect(page.of('dismiss')).toEqual([{ type: 'dismiss', party: id }]);
    expect(director.callers()).toEqual([]);
    expect(director.resources().timers).toBe(0);
  });

  it('an answered caller stops counting the wait; on hold they hold out a while, then hang up', () => {
    const { page, director, time } = setup();
    const id = director.sendCaller()!;
    page.report(call(id, `${id}-1`, 'established', SUPPORT_QUEUE.user));
    time.advance(170_000);
    expect(page.of('hangup')).toEqual([]);
    page.report({ type: 'held', party: id, call: `${id}-1`, held: true });
    time.advance(60_000);
    page.report({ type: 'held', party: id, call: `${id}-1`, held: false });
    time.advance(150_000);
    expect(page.of('hangup')).toEqual([{ type: 'hangup', party: id }]);
    // That was the long talk ending, not the hold: the hold timer was cleared when they were resumed.
    expect(time.pending()).toBe(0);
  });

  it('keeps callers\u2019 voices apart while they are on the line together, and runs out of callers politely', () => {
    const { director } = setup();
    const first = director.sendCaller()!;
    const second = director.sendCaller()!;
    const voices = director.callers().map((c) => c.persona.voice.f0);
    expect(new Set(voices).size).toBe(2);
    expect([first, second]).toEqual(['caller-1', 'caller-2']);
    for (let i = 0; i < 10; i++) director.sendCaller();
    expect(director.callers().length).toBe(6);
    expect(director.sendCaller()).toBeNull();
  });

  it('a colleague is told how to treat the next call after each one, unless pinned', () => {
    const { page, director } = setup();
    const anna = COLLEAGUES[0]!;
    director.setIncoming(anna.id, { kind: 'reject', status: 486, afterMs: 100 });
    expect(page.of('incoming').at(-1)).toEqual({ type: 'incoming', party: anna.id, mode: { kind: 'reject', status: 486, afterMs: 100 } });
    page.report(call(anna.id, 'anna-1', 'ringing', AGENT_USER, 'in'));
    page.report(call(anna.id, 'anna-1', 'ended', AGENT_USER, 'in'));
    expect(page.of('incoming').at(-1)?.mode).toEqual({ kind: 'reject', status: 486, afterMs: 100 });
    director.setIncoming(anna.id, null);
    director.setAway(anna.id, true);
    expect(page.of('incoming').at(-1)?.mode).toEqual({ kind: 'reject', status: 480, afterMs: 0 });
    expect(director.colleagues().find((c) => c.colleague.id === anna.id)?.away).toBe(true);
  });

  it('a colleague with an outside caller hands them on to the agent when the script says so', () => {
    const { page, director, time } = setup();
    const ben = COLLEAGUES[1]!;
    const caller = director.outsideCall(ben.id, 'attended')!;
    const persona = director.callers().find((c) => c.id === caller)!.persona;
    expect(page.of('incoming').at(-1)).toMatchObject({ party: ben.id, mode: { kind: 'answer' } });
    expect(page.of('call').at(-1)).toEqual({ type: 'call', party: caller, to: ben.user });
    page.report(call(ben.id, 'ben-1', 'established', persona.user, 'in'));
    time.advance(21_000);
    expect(page.of('transfer')).toEqual([{ type: 'transfer', party: ben.id, to: AGENT_USER, attended: true, consultMs: expect.any(Number) }]);
  });

  it('a colleague helping a transferred caller hangs up after a while; a consult from the agent lasts as long as the agent wants', () => {
    const { page, time } = setup();
    const carla = COLLEAGUES[2]!;
    page.report(call(carla.id, 'carla-1', 'established', AGENT_USER, 'in'));
    time.advance(600_000);
    expect(page.of('hangup')).toEqual([]);
    page.report(call(carla.id, 'carla-1', 'ended', AGENT_USER, 'in'));
    page.report(call(carla.id, 'carla-2', 'established', '+4930555010', 'in'));
    time.advance(41_000);
    expect(page.of('hangup')).toEqual([{ type: 'hangup', party: carla.id, call: 'carla-2' }]);
  });

  it('asks the page what a party hears, and answers null when the page does not say', async () => {
    const { page, director, time } = setup();
    const asked = director.hears('anna');
    const question = page.of('hears')[0]!;
    page.report({ type: 'heard', request: question.request, report: { voices: [139], tones: [], music: false, silence: false, levelDb: -30 } });
    await expect(asked).resolves.toMatchObject({ voices: [139] });
    const unanswered = director.hears('ben');
    time.advance(3001);
    await expect(unanswered).resolves.toBeNull();
    expect(director.resources().pendingQuestions).toBe(0);
  });

  it('drops a report it cannot read, and a busy pace brings callers by itself', () => {
    const { page, director, time } = setup({ pace: 'busy' });
    page.report({ type: 'call', party: 'anna', call: 7 });
    page.report('nonsense');
    time.advance(50_001);
    expect(director.callers().length).toBeGreaterThan(0);
    director.setPace('manual');
    const before = page.of('call').length;
    time.advance(600_000);
    expect(page.of('call').length - before).toBe(0);
  });

  it('with spontaneous colleagues, someone steps away or takes an outside call in time; stop leaves no timer', () => {
    const { page, director, time } = setup({ auto: true });
    time.advance(30 * 60_000);
    expect(page.of('call').length + page.of('incoming').length).toBeGreaterThan(COLLEAGUES.length);
    director.stop();
    expect(director.resources()).toEqual({ timers: 0, parties: 0, pendingQuestions: 0 });
    expect(time.pending()).toBe(0);
  });
});
