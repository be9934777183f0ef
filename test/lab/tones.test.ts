/**
 * The detector's judgement on known signals, in Node (no lab needed): the
 * same analyseFrame/aggregate the peer pages run on their remote track.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysePcm, readWav, SAMPLE_RATE, signalSamples, toneSamples, TONES, WavFormatError, writeLabWavs } from './tones';

describe('lab tones and the hearing detector', () => {
  it('hears each party tone as exactly that tone, not music', () => {
    for (const s of ['caller', 'agent', 'transferee'] as const) {
      const r = analysePcm(signalSamples(s), SAMPLE_RATE);
      expect(r).toMatchObject({ tones: [TONES[s]], music: false, silence: false });
      expect(r.levelDb).toBeGreaterThan(-20);
    }
  });

  it('recognises the lab hold signal as music with no party tone', () => {
    expect(analysePcm(signalSamples('hold'), SAMPLE_RATE)).toMatchObject({ tones: [], music: true, silence: false });
  });

  it('reports silence for digital silence', () => {
    expect(analysePcm(signalSamples('silence'), SAMPLE_RATE)).toMatchObject({ tones: [], music: false, silence: true });
  });

  it('hears a tone and music together when both are mixed at similar levels', () => {
    const mix = toneSamples(TONES.caller);
    const hold = signalSamples('hold');
    for (let i = 0; i < mix.length; i++) mix[i] = mix[i]! + hold[i]!;
    expect(analysePcm(mix, SAMPLE_RATE)).toMatchObject({ tones: [TONES.caller], music: true });
  });

  it('writes 48 kHz mono WAVs that read back to the same signal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-wav-'));
    try {
      const paths = writeLabWavs(dir);
      const { samples, sampleRate } = readWav(paths.agent);
      expect(sampleRate).toBe(48_000);
      expect(samples.length).toBe(4 * 48_000);
      expect(analysePcm(samples, sampleRate)).toMatchObject({ tones: [TONES.agent] });
      expect(() => readWav(join(import.meta.dirname, 'kamailio.cfg'))).toThrow(WavFormatError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
