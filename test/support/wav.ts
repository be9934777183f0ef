/**
 * WAV files for Chromium's fake microphone and for hold-music files: PCM,
 * signed 16-bit, mono. A tone of whole periods loops without a click.
 */
import { writeFileSync } from 'node:fs';
import { seededRandom } from './random';

/** Chromium's own capture rate: no resampling between the file and the call. */
export const WAV_RATE = 48_000;

/** A pure sine; `seconds` × `hz` should be whole so the loop point is seamless. */
export function toneSamples(hz: number, seconds = 4, amplitude = 0.3, sampleRate = WAV_RATE): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return out;
}

/** White noise (uniform), replayable from its seed: a sound that is neither a tone nor music. */
export function noiseSamples(seconds = 4, amplitude = 0.2, seed = 1, sampleRate = WAV_RATE): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * (random() * 2 - 1);
  return out;
}

/**
 * Something like a voice: a glottal pulse train whose pitch glides between
 * about 90 and 210 Hz, through three moving formant resonators, in syllables
 * of 200 ms. Harmonic like music, but on no scale and never still.
 */
export function speechLikeSamples(seconds = 4, amplitude = 0.3, sampleRate = WAV_RATE): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const state = [0, 0, 0].map(() => [0, 0]);
  const bandwidths = [80, 100, 150];
  let phase = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 50 * Math.sin(2 * Math.PI * 0.7 * t) + 20 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += f0 / sampleRate;
    const pulse = phase >= 1 ? 1 : 0;
    if (phase >= 1) phase -= 1;
    const formants = [700 + 300 * Math.sin(2 * Math.PI * 2 * t), 1200 + 500 * Math.sin(2 * Math.PI * 1.3 * t), 2500];
    let v = 0;
    formants.forEach((hz, k) => {
      const r = Math.exp((-Math.PI * bandwidths[k]!) / sampleRate);
      const s = state[k]!;
      const y = pulse + 2 * r * Math.cos((2 * Math.PI * hz) / sampleRate) * s[0]! - r * r * s[1]!;
      s[1] = s[0]!;
      s[0] = y;
      v += y;
    });
    out[i] = v * Math.max(0, Math.sin(2 * Math.PI * 2.5 * t));
    peak = Math.max(peak, Math.abs(out[i]!));
  }
  for (let i = 0; i < n; i++) out[i] = (out[i]! / peak) * amplitude;
  return out;
}

/** The bytes of a WAV file holding `samples` (−1…1, clipped). */
export function wavBytes(samples: Float32Array, sampleRate = WAV_RATE): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    data.writeInt16LE(Math.round(s * 32767), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Writes `samples` as a WAV file at `path`; returns the path. */
export function writeWav(path: string, samples: Float32Array, sampleRate = WAV_RATE): string {
  writeFileSync(path, wavBytes(samples, sampleRate));
  return path;
}
