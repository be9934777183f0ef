/**
 * The detector's judgement on known signals, in Node (no lab needed): the
 * same analyseFrame/aggregate the peer pages run on their remote track. Music
 * is recognised as the very track that plays — Lounge as Lounge, Classic as
 * Classic, the lab's chime as the chime — while noise, a voice-like sound or a
 * lone tone are audible but never music.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classic, lounge } from '../../renderer/media/synth';
import { noiseSamples } from '../support/wav';
import {
  analysePcm,
  DETECTOR,
  knownMusicSignatures,
  LAB_CHIME,
  pcmFrames,
  pcmWindows,
  readWav,
  SAMPLE_RATE,
  signalSamples,
  toneSamples,
  TONES,
  WavFormatError,
  writeLabWavs,
} from './tones';

/** A track as a far end receives it: from another point of the loop, quieter, over a little noise. */
function received(track: Float32Array, offsetMs: number, seconds = 6, gain = 0.5): Float32Array {
  const offset = Math.round((offsetMs / 1000) * SAMPLE_RATE);
  const hiss = noiseSamples(seconds, 0.001, 7);
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) out[i] = gain * track[(i + offset) % track.length]! + hiss[i]!;
  return out;
}

/** Every report-sized window of `samples`, as a page would report them over time. */
const windowsOf = (samples: Float32Array) => pcmWindows(pcmFrames(samples, SAMPLE_RATE));

describe('lab tones and the hearing detector', () => {
  it('hears each party tone as exactly that tone, not music', () => {
    for (const s of ['caller', 'agent', 'transferee'] as const) {
      const r = analysePcm(signalSamples(s), SAMPLE_RATE);
      expect(r).toMatchObject({ tones: [TONES[s]], music: false, track: null, silence: false });
      expect(r.levelDb).toBeGreaterThan(-20);
    }
  });

  it('recognises the lab hold signal as the lab chime, with no party tone', () => {
    expect(analysePcm(signalSamples('hold'), SAMPLE_RATE)).toMatchObject({ tones: [], music: true, track: LAB_CHIME, silence: false });
  });

  it('reports silence for digital silence', () => {
    expect(analysePcm(signalSamples('silence'), SAMPLE_RATE)).toMatchObject({ tones: [], music: false, silence: true });
  });

  it('hears a tone and the music together when both are mixed at similar levels', () => {
    const mix = toneSamples(TONES.caller, 6);
    const music = received(lounge(SAMPLE_RATE), 3000);
    for (let i = 0; i < mix.length; i++) mix[i] = mix[i]! + music[i]!;
    expect(analysePcm(mix, SAMPLE_RATE)).toMatchObject({ tones: [TONES.caller], music: true, track: 'Lounge' });
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

describe('music is recognised as the track that plays', () => {
  it('knows the media host’s two tracks and the lab chime by the names the console reports', () => {
    expect(knownMusicSignatures().map((s) => s.name)).toEqual(['Lounge', 'Classic', LAB_CHIME]);
  });

  it.each([
    ['Lounge', lounge, 37],
    ['Classic', classic, 9_053],
  ] as const)('every window of %s, from anywhere in its loop, is recognised as that track and never as the other', (name, piece, offsetMs) => {
    const reports = windowsOf(received(piece(SAMPLE_RATE), offsetMs, 8));
    expect(reports.length).toBeGreaterThan(50);
    const wrong = reports.filter((r) => r.track !== name).map((r) => `${r.track} (${r.musicScore})`);
    expect(wrong, `windows of ${name} not recognised as ${name}`).toEqual([]);
  });

  it.each([
    ['white noise', () => noiseSamples(6, 0.2, 3)],
    ['a voice-like sound', () => signalSamples('speech', 6)],
    ['a party tone', () => signalSamples('caller', 6)],
  ])('%s is audible but never music, in any window', (_what, make) => {
    const reports = windowsOf(make());
    expect(reports.length).toBeGreaterThan(40);
    for (const r of reports) {
      expect(r.silence).toBe(false);
      expect(r.music, `recognised as ${r.track} (${r.musicScore})`).toBe(false);
      // Its best match stays well clear of the threshold: no near misses.
      expect(r.musicScore).toBeLessThan(DETECTOR.musicMatch - 0.2);
    }
    // The voice and the noise are "other sound": what the old detector wrongly called music.
    if (_what !== 'a party tone') expect(reports.filter((r) => r.other).length).toBeGreaterThan(reports.length / 2);
  });

  it('recognises a track at any level (volume is not a feature) but not below silence', () => {
    const quiet = received(lounge(SAMPLE_RATE), 12_000, 4, 0.03);
    expect(analysePcm(quiet, SAMPLE_RATE)).toMatchObject({ music: true, track: 'Lounge' });
    const muted = received(lounge(SAMPLE_RATE), 12_000, 4, 0);
    expect(analysePcm(muted, SAMPLE_RATE)).toMatchObject({ music: false, silence: true });
  });
});
