/**
 * The synthesised sounds (renderer/media/synth.ts; pure functions, no DOM):
 * hold music stays clear of the lab's party tones so every party — and the
 * agent's customers' ears — can tell music from a person; loops are
 * seamless; ringtone cadence and cue length are what the comments promise.
 */
import { describe, expect, it } from 'vitest';
import { classic, cue, lounge, ringtone } from '../../renderer/media/synth';

const RATE = 48_000;

/** Power at `hz` over a window (Goertzel), normalised to the window's mean power. */
function relativePowerDb(x: Float32Array, hz: number, from = 0, length = x.length - from): number {
  const w = (2 * Math.PI * hz) / RATE;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < from + length; i++) {
    const s0 = x[i]! + c * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x[i]! * x[i]!;
  }
  const power = (s1 * s1 + s2 * s2 - c * s1 * s2) / (length * length);
  return 10 * Math.log10(power / (energy / length) + 1e-20);
}

const rmsDb = (x: Float32Array, from: number, to: number) => {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i]! * x[i]!;
  return 10 * Math.log10(e / (to - from) + 1e-20);
};

describe.each([
  ['Lounge', lounge],
  ['Classic', classic],
])('hold music %s', (_name, piece) => {
  const x = piece(RATE);

  it('is a loop of 10–30 s, audible, never clipping', () => {
    expect(x.length / RATE).toBeGreaterThan(10);
    expect(x.length / RATE).toBeLessThan(30);
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeLessThanOrEqual(0.8 + 1e-6);
    expect(rmsDb(x, 0, x.length)).toBeGreaterThan(-30);
  });

  it('puts no lasting energy on the party tones (440/660/880 Hz), in any second of the loop', () => {
    // A musical note nearby (e.g. 415 or 466 Hz) is fine; the tone bins themselves stay far below the music.
    for (let second = 0; second + 1 <= x.length / RATE; second++) {
      const reference = Math.max(...[262, 311, 392, 466, 523, 622].map((hz) => relativePowerDb(x, hz, second * RATE, RATE)));
      for (const tone of [440, 660, 880]) {
        expect(relativePowerDb(x, tone, second * RATE, RATE), `${tone} Hz in second ${second}`).toBeLessThan(reference - 15);
      }
    }
  });

  it('loops without a click (the end decays into the start)', () => {
    expect(Math.abs(x[x.length - 1]! - x[0]!)).toBeLessThan(0.05);
  });
});

describe('ringtone and cue', () => {
  it('loud ring: 400+450 Hz bursts at 0–0.4 s and 0.6–1.0 s of a 3 s period; silent in between', () => {
    const x = ringtone(RATE, false);
    expect(x.length / RATE).toBeCloseTo(3, 2);
    expect(relativePowerDb(x, 400, 0, RATE * 0.4)).toBeGreaterThan(-10);
    expect(relativePowerDb(x, 450, 0, RATE * 0.4)).toBeGreaterThan(-10);
    expect(rmsDb(x, RATE * 0.41, RATE * 0.59)).toBeLessThan(-100);
    expect(rmsDb(x, RATE * 0.61, RATE * 0.99)).toBeGreaterThan(-15);
    expect(rmsDb(x, RATE * 1.01, RATE * 3)).toBeLessThan(-100);
  });

  it('soft ring (call waiting): one short burst per 4 s', () => {
    const x = ringtone(RATE, true);
    expect(x.length / RATE).toBeCloseTo(4, 2);
    expect(rmsDb(x, 0, RATE * 0.25)).toBeGreaterThan(-15);
    expect(rmsDb(x, RATE * 0.26, RATE * 4)).toBeLessThan(-100);
  });

  it('completion cue: about half a second, audible, ends in silence', () => {
    const x = cue(RATE);
    expect(x.length / RATE).toBeCloseTo(0.5, 1);
    expect(rmsDb(x, 0, RATE * 0.3)).toBeGreaterThan(-25);
    expect(Math.abs(x[x.length - 1]!)).toBeLessThan(0.01);
  });
});
