/**
 * The demo parties' voices and ears (renderer/demo/voice.ts, hearing.ts),
 * pure, in Node: every voice of the roster is recognised as itself and as no
 * one else; the console's built-in hold music is heard as music, never as a
 * voice; the lab's 660 Hz agent tone is a tone; silence is silence. And the
 * roster keeps the rules that make this hold: pitches apart, no octaves,
 * no harmonic near the agent tone.
 */
import { describe, expect, it } from 'vitest';
import { CALLERS, COLLEAGUES, VOICES } from '../../../main/demo/roster';
import { HEARING, hearFrame, hearWindow, spectrumOf } from '../../../renderer/demo/hearing';
import type { HearsReport } from '../../../renderer/demo/protocol';
import { PITCH_RANGE, speak } from '../../../renderer/demo/voice';
import { classic, lounge } from '../../../renderer/media/synth';

const RATE = 48_000;
const AGENT_TONE = 660;
const known = { voices: VOICES, tones: [AGENT_TONE] };

/** Reports over a signal, one per 100 ms once a window is full. */
function reports(samples: Float32Array): HearsReport[] {
  const frames = [];
  const out: HearsReport[] = [];
  for (let start = 0; start + HEARING.fftSize < samples.length; start += RATE / 10) {
    frames.push(hearFrame(spectrumOf(samples, start, RATE), known));
    if (frames.length >= HEARING.windowFrames) out.push(hearWindow(frames.slice(-HEARING.windowFrames)));
  }
  return out;
}

const share = (list: HearsReport[], ok: (r: HearsReport) => boolean) => list.filter(ok).length / list.length;
const people = [...COLLEAGUES, ...CALLERS];

describe('demo voices and ears', () => {
  it.each(people.filter((p, i) => people.findIndex((q) => q.voice.f0 === p.voice.f0) === i).map((p) => [p.name, p.voice] as const))(
    '%s is heard as themselves and as nobody else',
    (_name, voice) => {
      const heard = reports(speak(voice, 6, RATE));
      expect(share(heard, (r) => r.voices.length === 1 && r.voices[0] === voice.f0)).toBeGreaterThan(0.9);
      expect(heard.every((r) => r.voices.every((v) => v === voice.f0))).toBe(true);
      expect(heard.every((r) => !r.music && r.tones.length === 0)).toBe(true);
    },
  );

  it.each([
    ['lounge', lounge],
    ['classic', classic],
  ] as const)('hears the built-in %s hold music as music, never as a voice', (_name, piece) => {
    const heard = reports(piece(RATE).slice(0, RATE * 10));
    expect(heard.every((r) => r.voices.length === 0)).toBe(true);
    expect(share(heard, (r) => r.music)).toBeGreaterThan(0.9);
  });

  it('hears the agent\u2019s test tone as a tone, a voice over it as both, and nothing as silence', () => {
    const tone = new Float32Array(RATE * 3).map((_, i) => 0.3 * Math.sin((2 * Math.PI * AGENT_TONE * i) / RATE));
    expect(reports(tone).every((r) => r.tones.join() === '660' && r.voices.length === 0 && !r.music)).toBe(true);
    const anna = COLLEAGUES[0]!.voice;
    const both = speak(anna, 4, RATE).map((v, i) => v + tone[i % tone.length]!);
    expect(share(reports(both), (r) => r.tones.join() === '660' && r.voices.join() === String(anna.f0))).toBeGreaterThan(0.8);
    const silence = reports(new Float32Array(RATE * 2));
    expect(silence.every((r) => r.silence && !r.music && r.voices.length === 0)).toBe(true);
  });

  it('keeps the roster\u2019s pitches apart: no two within 7 %, no octaves, no harmonic near the agent tone', () => {
    const f0s = [...new Set(people.map((p) => p.voice.f0))];
    for (const a of f0s) {
      for (const b of f0s) {
        if (a >= b) continue;
        const ratio = b / a;
        expect(ratio, `${a} and ${b}`).toBeGreaterThanOrEqual(1.07);
        expect(Math.abs(ratio - 2) / 2, `${a} and ${b} are an octave apart`).toBeGreaterThanOrEqual(0.05);
      }
      for (let k = 1; k <= 8; k++) expect(Math.abs(k * a - AGENT_TONE) / AGENT_TONE, `harmonic ${k} of ${a}`).toBeGreaterThanOrEqual(0.05);
    }
    expect(PITCH_RANGE).toBeLessThan(HEARING.toothWidth);
  });

  it('sounds the same every time: a voice is its seed', () => {
    const v = CALLERS[0]!.voice;
    expect(speak(v, 1, RATE)).toEqual(speak(v, 1, RATE));
    expect(speak(v, 1, RATE)).not.toEqual(speak({ ...v, seed: v.seed + 1 }, 1, RATE));
  });
});
