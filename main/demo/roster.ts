/**
 * Who is in the demo: the agent's own extension, the "Support" queue, four
 * colleagues with habits of their own, and the people who call. Names and
 * numbers are invented. Each has a voice (renderer/demo/voice.ts) whose pitch
 * is theirs alone among the people who can be on a call together, chosen so
 * that none of its first harmonics falls near the lab's 660 Hz agent tone or
 * on a note of the built-in hold music (E♭ major), and no two are an octave
 * apart — that is what lets the parties' ears (renderer/demo/hearing.ts) and
 * the tests tell who is talking.
 */
import type { VoiceSpec } from '../../renderer/demo/protocol';

export const DEMO_DOMAIN = 'demo.invalid';
export const AGENT_USER = 'agent';
export const AGENT_NAME = 'You (demo)';

export const SUPPORT_QUEUE = { name: 'Support', user: '500' } as const;

/** How a colleague tends to behave; the scripts (./scripts.ts) roll the dice with these. */
export interface Habits {
  /** Chance they pick up a call that rings while they are free. */
  answers: number;
  /** They pick up after this many ms (min, max). */
  answerAfterMs: readonly [number, number];
  /** Chance a call they do not pick up is declined (603) rather than left ringing. */
  declines: number;
  /** Share of the time they are away from their desk. */
  away: number;
  /** Mean minutes between outside calls that reach them directly (0: none). */
  ownCallsEveryMin: number;
  /** Chance they hand such a call on to the agent (half blind, half attended). */
  transfersToAgent: number;
  /** They also take Support calls that waited too long. */
  overflow: boolean;
}

export interface Colleague {
  id: string;
  user: string;
  name: string;
  voice: VoiceSpec;
  habits: Habits;
}

export interface CallerPersona {
  user: string;
  name: string;
  voice: VoiceSpec;
}

export const COLLEAGUES: readonly Colleague[] = [
  {
    id: 'anna',
    user: '201',
    name: 'Anna Berg',
    voice: { f0: 252, rate: 4.6, tract: 1.17, seed: 201 },
    habits: { answers: 0.9, answerAfterMs: [2000, 5000], declines: 0, away: 0.05, ownCallsEveryMin: 6, transfersToAgent: 0.5, overflow: true },
  },
  {
    id: 'ben',
    user: '202',
    name: 'Ben Okafor',
    voice: { f0: 101, rate: 3.8, tract: 1.0, seed: 202 },
    habits: { answers: 0.7, answerAfterMs: [3000, 7000], declines: 0.5, away: 0.1, ownCallsEveryMin: 2.5, transfersToAgent: 0.35, overflow: false },
  },
  {
    id: 'carla',
    user: '203',
    name: 'Carla Mendes',
    voice: { f0: 180, rate: 5.0, tract: 1.15, seed: 203 },
    habits: { answers: 0.55, answerAfterMs: [4000, 9000], declines: 0.2, away: 0.15, ownCallsEveryMin: 5, transfersToAgent: 0.3, overflow: true },
  },
  {
    id: 'david',
    user: '204',
    name: 'David Lindqvist',
    voice: { f0: 120, rate: 4.2, tract: 1.03, seed: 204 },
    habits: { answers: 0.8, answerAfterMs: [2500, 6000], declines: 0.3, away: 0.35, ownCallsEveryMin: 8, transfersToAgent: 0.2, overflow: false },
  },
];

/** The people who call. Two voices between them: two callers of different voice can be on the line at once. */
export const CALLERS: readonly CallerPersona[] = [
  { user: '+4930555010', name: 'Jonas Weber', voice: { f0: 139, rate: 4.4, tract: 1.0, seed: 11 } },
  { user: '+4930555011', name: 'Lea Hoffmann', voice: { f0: 151, rate: 4.8, tract: 1.16, seed: 12 } },
  { user: '+4940555012', name: 'Mehmet Yilmaz', voice: { f0: 139, rate: 3.9, tract: 1.02, seed: 13 } },
  { user: '+4989555013', name: 'Sofia Rossi', voice: { f0: 151, rate: 5.2, tract: 1.18, seed: 14 } },
  { user: '+4969555014', name: 'Peter Novak', voice: { f0: 139, rate: 4.1, tract: 0.98, seed: 15 } },
  { user: '+4922155015', name: 'Emma Schulz', voice: { f0: 151, rate: 4.5, tract: 1.2, seed: 16 } },
];

/** Every pitch a party's ear should know. */
export const VOICES: readonly number[] = [...new Set([...COLLEAGUES, ...CALLERS].map((p) => p.voice.f0))];

export const knownUser = (user: string): boolean => user === AGENT_USER || COLLEAGUES.some((c) => c.user === user);
