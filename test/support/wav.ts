/**
 * WAV files for Chromium's fake microphone and for hold-music files: PCM,
 * signed 16-bit, mono. A tone of whole periods loops without a click.
 */
import { writeFileSync } from 'node:fs';

/** Chromium's own capture rate: no resampling between the file and the call. */
export const WAV_RATE = 48_000;

/** A pure sine; `seconds` × `hz` should be whole so the loop point is seamless. */
export function toneSamples(hz: number, seconds = 4, amplitude = 0.3, sampleRate = WAV_RATE): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
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
