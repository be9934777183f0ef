/**
 * The demo people's behaviour scripts (main/demo/scripts.ts), pure: the
 * arrival pace stays within its bounds and averages what it says, a colleague
 * picks up about as often as their habit says (and never while away), away
 * spells keep their share of the time, outside calls and hand-ons follow the
 * habits — all replayable from a seed.
 */
import { describe, expect, it } from 'vitest';
import { COLLEAGUES, type Habits } from '../../../main/demo/roster';
import * as scripts from '../../../main/demo/scripts';

const habits = (over: Partial<Habits> = {}): Habits => ({
  answers: 0.8,
  answerAfterMs: [2000, 4000],
  declines: 0.5,
  away: 0.2,
  ownCallsEveryMin: 3,
  transfersToAgent: 0.4,
  overflow: false,
  ...over,
});

const many = <T>(n: number, seed: number, f: (random: scripts.Random) => T): T[] => {
  const random = scripts.seededRandom(seed);
  return Array.from({ length: n }, () => f(random));
};

describe('demo behaviour scripts', () => {
  it('replays the same demo from the same seed', () => {
    expect(many(5, 42, (r) => r())).toEqual(many(5, 42, (r) => r()));
    expect(many(5, 42, (r) => r())).not.toEqual(many(5, 43, (r) => r()));
    for (const v of many(1000, 1, (r) => r())) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  it('spaces callers by the pace: inside 40–250 % of its mean, averaging near it, none at all when manual', () => {
    for (const [pace, mean] of [
      ['calm', 90_000],
      ['steady', 45_000],
      ['busy', 20_000],
    ] as const) {
      const waits = many(2000, 7, (r) => scripts.nextArrivalMs(pace, r)!);
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(mean * 0.4);
      expect(Math.max(...waits)).toBeLessThanOrEqual(mean * 2.5);
      const average = waits.reduce((a, b) => a + b, 0) / waits.length;
      expect(average).toBeGreaterThan(mean * 0.8);
      expect(average).toBeLessThan(mean * 1.2);
    }
    expect(scripts.nextArrivalMs('manual', Math.random)).toBeNull();
  });

  it('a free colleague picks up as often as their habit says, after their usual delay; declines or lets it ring otherwise', () => {
    const h = habits({ answers: 0.7, declines: 0.5 });
    const modes = many(4000, 3, (r) => scripts.colleagueIncoming(h, false, r));
    const answered = modes.filter((m) => m.kind === 'answer');
    expect(answered.length / modes.length).toBeCloseTo(0.7, 1);
    for (const m of answered) {
      if (m.kind !== 'answer') continue;
      expect(m.afterMs).toBeGreaterThanOrEqual(2000);
      expect(m.afterMs).toBeLessThanOrEqual(4000);
    }
    const declined = modes.filter((m) => m.kind === 'reject');
    const ignored = modes.filter((m) => m.kind === 'ignore');
    expect(declined.length / modes.length).toBeCloseTo(0.15, 1);
    expect(ignored.length / modes.length).toBeCloseTo(0.15, 1);
    for (const m of declined) if (m.kind === 'reject') expect(m.status).toBe(603);
  });

  it('an away colleague refuses at once with 480, whatever their habit', () => {
    for (const m of many(200, 5, (r) => scripts.colleagueIncoming(habits({ answers: 1 }), true, r))) {
      expect(m).toEqual({ kind: 'reject', status: 480, afterMs: 0 });
    }
  });

  it('keeps away spells to about the habit\u2019s share of the time, and never for someone who is always there', () => {
    const h = habits({ away: 0.25 });
    let away = 0;
    let present = 0;
    const random = scripts.seededRandom(9);
    for (let i = 0; i < 2000; i++) {
      away += scripts.presenceChangeMs(h, true, random)!;
      present += scripts.presenceChangeMs(h, false, random)!;
    }
    expect(away / (away + present)).toBeCloseTo(0.25, 1);
    expect(scripts.presenceChangeMs(habits({ away: 0 }), false, random)).toBeNull();
  });

  it('outside calls come about as often as the habit says; hand-ons to the agent as often, half blind and half attended', () => {
    const h = habits({ ownCallsEveryMin: 4, transfersToAgent: 0.4 });
    const gaps = many(1000, 11, (r) => scripts.ownCallMs(h, r)!);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length / 60_000).toBeCloseTo(4, 0);
    expect(scripts.ownCallMs(habits({ ownCallsEveryMin: 0 }), Math.random)).toBeNull();
    const endings = many(4000, 13, (r) => scripts.ownCallEnding(h, r));
    const share = (e: string) => endings.filter((x) => x === e).length / endings.length;
    expect(share('hang-up')).toBeCloseTo(0.6, 1);
    expect(share('blind')).toBeCloseTo(0.2, 1);
    expect(share('attended')).toBeCloseTo(0.2, 1);
  });

  it('gives every wait its stated range', () => {
    const random = scripts.seededRandom(17);
    for (let i = 0; i < 500; i++) {
      expect(scripts.queuePatienceMs(random)).toBeGreaterThanOrEqual(70_000);
      expect(scripts.holdPatienceMs(random)).toBeLessThanOrEqual(200_000);
      const talk = scripts.colleagueTalkMs(random);
      expect(talk).toBeGreaterThanOrEqual(15_000);
      expect(talk).toBeLessThanOrEqual(40_000);
      const consult = scripts.consultMs(random);
      expect(consult).toBeGreaterThanOrEqual(3_000);
      expect(consult).toBeLessThanOrEqual(6_000);
    }
  });

  it('gives the roster\u2019s colleagues habits that make a living demo: someone picks up, someone is often away, someone calls often', () => {
    expect(COLLEAGUES.some((c) => c.habits.answers >= 0.85)).toBe(true);
    expect(COLLEAGUES.some((c) => c.habits.away >= 0.3)).toBe(true);
    expect(COLLEAGUES.some((c) => c.habits.ownCallsEveryMin > 0 && c.habits.ownCallsEveryMin <= 3)).toBe(true);
    expect(COLLEAGUES.filter((c) => c.habits.overflow).length).toBeGreaterThan(0);
  });
});
