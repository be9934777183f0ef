/**
 * The lab's microphones: generated WAVs (48 kHz, mono, signed 16-bit, whole
 * number of periods so Chromium's fake capture loops them without a click),
 * a Node-side analyser applying the page's detector to PCM, and the
 * signatures of the music the lab knows (the media host's tracks and the
 * lab's chime), computed from the tracks' own samples.
 *
 * Signals:
 *   caller 440 Hz, agent 660 Hz, transferee 880 Hz — pure sines at 0.3 FS.
 *   HOLD_SIGNAL — the lab's own hold music: a two-note chime alternating
 *   C5 523.25 Hz and G5 783.99 Hz every 250 ms (5 ms ramps), 0.3 FS. Neither
 *   note is near a party tone; the detector recognises it as the track
 *   LAB_CHIME, with no tones.
 *   speech — something like a voice (test/support/wav.ts): audible, harmonic,
 *   and neither a tone nor music (the detector's negative control).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { speechLikeSamples, toneSamples, WAV_RATE, wavBytes, writeWav } from '../support/wav';
import { classic, lounge } from '../../renderer/media/synth';
import { aggregate, analyseFrame, DETECTOR, KNOWN_TONES, signatureFromFrames, type FrameReport, type HearsReport, type MusicSignature } from './detector';

export * from './detector';
export { toneSamples };

export const SAMPLE_RATE = WAV_RATE;
export const HOLD_SIGNAL = { notesHz: [523.25, 783.99], noteMs: 250, rampMs: 5 } as const;

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

export function holdSignalSamples(seconds = 4, amplitude = 0.3): Float32Array {
  const n = Math.round(seconds * SAMPLE_RATE);
  const noteLen = Math.round((HOLD_SIGNAL.noteMs / 1000) * SAMPLE_RATE);
  const ramp = Math.round((HOLD_SIGNAL.rampMs / 1000) * SAMPLE_RATE);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / noteLen);
    const j = i - k * noteLen;
    const hz = HOLD_SIGNAL.notesHz[k % HOLD_SIGNAL.notesHz.length]!;
    // Each note starts and ends at zero amplitude: seamless both between notes and at the loop point.
    const env = Math.min(1, j / ramp, (noteLen - j) / ramp);
    out[i] = amplitude * env * Math.sin((2 * Math.PI * hz * j) / SAMPLE_RATE);
  }
  return out;
}

export type LabSignal = 'caller' | 'agent' | 'transferee' | 'hold' | 'speech' | 'silence';

export function signalSamples(signal: LabSignal, seconds = 4): Float32Array {
  switch (signal) {
    case 'caller':
    case 'agent':
    case 'transferee':
      return toneSamples({ caller: 440, agent: 660, transferee: 880 }[signal], seconds);
    case 'hold':
      return holdSignalSamples(seconds);
    case 'speech':
      return speechLikeSamples(seconds);
    case 'silence':
      return new Float32Array(Math.round(seconds * SAMPLE_RATE));
  }
}

/** Write every lab signal as `<dir>/<signal>.wav`; returns the paths. */
export function writeLabWavs(dir: string): Record<LabSignal, string> {
  mkdirSync(dir, { recursive: true });
  const out = {} as Record<LabSignal, string>;
  for (const s of ['caller', 'agent', 'transferee', 'hold', 'speech', 'silence'] as const) {
    const path = join(dir, `${s}.wav`);
    // Other labs (other test processes) may be reading these files right now: write
    // atomically, and not at all when an identical file is already there.
    const data = wavBytes(signalSamples(s));
    if (!existsSync(path) || !readFileSync(path).equals(data)) {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    }
    out[s] = path;
  }
  return out;
}

export function writeToneWav(path: string, hz: number, seconds = 4): string {
  return writeWav(path, toneSamples(hz, seconds));
}

/** Read a PCM s16 WAV (any rate, first channel) into floats. */
export function readWav(path: string): { samples: Float32Array; sampleRate: number } {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new WavFormatError(`${path}: not a RIFF/WAVE file`);
  let off = 12;
  let channels = 1;
  let sampleRate = 0;
  let bits = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (b.readUInt16LE(off + 8) !== 1) throw new WavFormatError(`${path}: only PCM is supported`);
      channels = b.readUInt16LE(off + 10);
      sampleRate = b.readUInt32LE(off + 12);
      bits = b.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new WavFormatError(`${path}: only 16-bit samples are supported (got ${bits})`);
      const frames = Math.floor(Math.min(size, b.length - off - 8) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = b.readInt16LE(off + 8 + i * 2 * channels) / 32768;
      return { samples, sampleRate };
    }
    off += 8 + size + (size % 2);
  }
  throw new WavFormatError(`${path}: no data chunk`);
}

const fftTables = new Map<number, { cos: Float64Array; sin: Float64Array; window: Float64Array }>();

function fftMagnitudeDb(frame: Float32Array): Float32Array {
  // Radix-2 FFT with a Blackman window, scaled like AnalyserNode (|X|/N in dB).
  const n = frame.length;
  let t = fftTables.get(n);
  if (!t) {
    t = { cos: new Float64Array(n / 2), sin: new Float64Array(n / 2), window: new Float64Array(n) };
    for (let k = 0; k < n / 2; k++) {
      t.cos[k] = Math.cos((-2 * Math.PI * k) / n);
      t.sin[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    for (let i = 0; i < n; i++) t.window[i] = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / n) + 0.08 * Math.cos((4 * Math.PI * i) / n);
    fftTables.set(n, t);
  }
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = frame[i]! * t.window[i]!;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const step = n / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = t.cos[k * step]!;
        const wi = t.sin[k * step]!;
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
  const out = new Float32Array(n / 2);
  for (let k = 0; k < n / 2; k++) out[k] = 20 * Math.log10(Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!) / n + 1e-12);
  return out;
}

/** The detector's frames over PCM: DETECTOR.fftSize samples every `hop` (100 ms, as the pages take them). */
export function pcmFrames(samples: Float32Array, sampleRate: number, known: readonly number[] = KNOWN_TONES, hop = Math.round(sampleRate / 10)): FrameReport[] {
  const size = DETECTOR.fftSize;
  const frames: FrameReport[] = [];
  for (let start = 0; start + size <= samples.length; start += hop) {
    const frame = samples.subarray(start, start + size);
    let sum = 0;
    for (let i = 0; i < size; i++) sum += frame[i]! ** 2;
    const rmsDb = 10 * Math.log10(sum / size + 1e-20);
    frames.push(analyseFrame({ db: fftMagnitudeDb(frame), sampleRate, fftSize: size, rmsDb }, known));
  }
  return frames;
}

/**
 * A track's signature from its samples. The track loops (as hold music
 * does), so frames run on past its end into its start again.
 */
export function musicSignature(name: string, samples: Float32Array, sampleRate: number): MusicSignature {
  const hop = Math.round(sampleRate / 10);
  const wrapped = new Float32Array(samples.length + DETECTOR.fftSize);
  wrapped.set(samples);
  for (let i = 0; i < DETECTOR.fftSize; i++) wrapped[samples.length + i] = samples[i % samples.length]!;
  const frames = pcmFrames(wrapped, sampleRate, []).slice(0, Math.max(1, Math.floor(samples.length / hop)));
  return signatureFromFrames(name, frames.map((f) => f.notes));
}

export const LAB_CHIME = 'lab chime';
let knownMusic: MusicSignature[] | undefined;

/**
 * Every piece of music a lab party may hear, by the name the console reports
 * it under: the media host's synthesised tracks (renderer/media/synth.ts,
 * rendered here from the same code at the lab's rate) and the lab's own chime.
 */
export function knownMusicSignatures(): MusicSignature[] {
  knownMusic ??= [
    musicSignature('Lounge', lounge(SAMPLE_RATE), SAMPLE_RATE),
    musicSignature('Classic', classic(SAMPLE_RATE), SAMPLE_RATE),
    musicSignature(LAB_CHIME, holdSignalSamples(HOLD_SIGNAL.notesHz.length * (HOLD_SIGNAL.noteMs / 1000)), SAMPLE_RATE),
  ];
  return knownMusic;
}

/**
 * The peers' judgement on PCM (the first `maxSeconds`): tones, silence and
 * level over all frames as the page aggregates them; music as the track
 * recognised in at least half of the report-sized windows.
 */
export function analysePcm(
  samples: Float32Array,
  sampleRate: number,
  known: readonly number[] = KNOWN_TONES,
  maxSeconds = 10,
  signatures: readonly MusicSignature[] = knownMusicSignatures(),
): HearsReport {
  const frames = pcmFrames(samples.subarray(0, Math.min(samples.length, Math.round(maxSeconds * sampleRate))), sampleRate, known);
  const overall = aggregate(frames, known, []);
  const windows = pcmWindows(frames, known, signatures);
  const votes = new Map<string, number>();
  for (const w of windows) if (w.track) votes.set(w.track, (votes.get(w.track) ?? 0) + 1);
  const [track, count] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  const recognised = track !== null && count >= windows.length / 2 ? track : null;
  const scores = windows.map((w) => w.musicScore).sort((a, b) => a - b);
  return { ...overall, music: recognised !== null, track: recognised, musicScore: scores[Math.floor(scores.length / 2)] ?? 0 };
}

/** One report per report-sized window of frames (every 100 ms), as a page would give them over time. */
export function pcmWindows(frames: readonly FrameReport[], known: readonly number[] = KNOWN_TONES, signatures: readonly MusicSignature[] = knownMusicSignatures()): HearsReport[] {
  const out: HearsReport[] = [];
  for (let i = 0; i + DETECTOR.windowFrames <= frames.length; i++) out.push(aggregate(frames.slice(i, i + DETECTOR.windowFrames), known, signatures));
  return out;
}
