/**
 * How the demo's people behave, as pure functions of their habits and a
 * random number source (seeded in tests): when the next caller arrives, how
 * long they wait before giving up, how long anyone talks, whether a
 * colleague picks up, declines or lets it ring, when they step away from
 * their desk and when an outside call reaches them. The director
 * (./director.ts) turns the answers into timers and commands.
 */
import type { IncomingMode } from '../../renderer/demo/protocol';
import type { Habits } from './roster';

export type Random = () => number;

/** How busy the Support line is: the mean time between callers. `manual`: only when asked. */
export const paces = ['calm', 'steady', 'busy', 'manual'] as const;
export type Pace = (typeof paces)[number];

const MEAN_ARRIVAL_MS: Record<Exclude<Pace, 'manual'>, number> = { calm: 90_000, steady: 45_000, busy: 20_000 };

const between = (random: Random, [min, max]: readonly [number, number]) => Math.round(min + random() * (max - min));

/** A small seeded generator (mulberry32), so a test can replay the same demo. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The wait until the next caller: exponential around the pace's mean (calls
 * arrive independently of each other), kept between 40 % and 250 % of it so
 * the demo is never silent for long nor flooded. Null for `manual`.
 */
export function nextArrivalMs(pace: Pace, random: Random): number | null {
  if (pace === 'manual') return null;
  const mean = MEAN_ARRIVAL_MS[pace];
  const draw = -Math.log(1 - Math.min(random(), 0.999999)) * mean;
  return Math.round(Math.min(mean * 2.5, Math.max(mean * 0.4, draw)));
}

/** How long a caller waits in the queue before hanging up. */
export const queuePatienceMs = (random: Random) => between(random, [70_000, 160_000]);

/** How long a caller stays on hold before hanging up. */
export const holdPatienceMs = (random: Random) => between(random, [90_000, 200_000]);

/** How long a caller talks with the agent before saying goodbye themselves. */
export const callerTalkMs = (random: Random) => between(random, [180_000, 360_000]);

/** How long a colleague talks with a caller handed to them (then hangs up). */
export const colleagueTalkMs = (random: Random) => between(random, [15_000, 40_000]);

/** How long a colleague talks with an outside caller before hanging up or handing them on. */
export const ownCallTalkMs = (random: Random) => between(random, [8_000, 20_000]);

/** A consult: how long a colleague explains the caller to the agent before completing the transfer. */
export const consultMs = (random: Random) => between(random, [3_000, 6_000]);

/** How a free colleague treats the next call: picks up after a while, declines, or lets it ring. */
export function colleagueIncoming(h: Habits, away: boolean, random: Random): IncomingMode {
  // Away from the desk: the phone says so at once, as do-not-disturb does.
  if (away) return { kind: 'reject', status: 480, afterMs: 0 };
  if (random() < h.answers) return { kind: 'answer', afterMs: between(random, h.answerAfterMs) };
  if (random() < h.declines) return { kind: 'reject', status: 603, afterMs: between(random, [2_000, 5_000]) };
  return { kind: 'ignore' };
}

/** When a colleague next goes away or comes back: away spells last a few minutes, in proportion to their habit. */
export function presenceChangeMs(h: Habits, away: boolean, random: Random): number | null {
  if (h.away <= 0) return null;
  const awaySpell = between(random, [60_000, 180_000]);
  if (away) return awaySpell;
  // The time at the desk between away spells, so that away ≈ h.away of the time.
  return Math.round(awaySpell * ((1 - h.away) / h.away) * (0.5 + random()));
}

/** When the next outside call reaches a colleague directly, or null if none ever does. */
export function ownCallMs(h: Habits, random: Random): number | null {
  if (h.ownCallsEveryMin <= 0) return null;
  const mean = h.ownCallsEveryMin * 60_000;
  return Math.round(mean * (0.5 + random()));
}

/** What a colleague does at the end of an outside call: hang up, or hand the caller to the agent. */
export function ownCallEnding(h: Habits, random: Random): 'hang-up' | 'blind' | 'attended' {
  if (random() >= h.transfersToAgent) return 'hang-up';
  return random() < 0.5 ? 'blind' : 'attended';
}
