/**
 * What a demo party hears, told from a spectrum: which known voices (each
 * party's pitch, ./voice.ts), which known pure tones, whether there is other
 * sound (hold music), or silence. The parties use it to behave like people
 * (a caller left in silence loses patience sooner than one hearing music)
 * and the tests use it to check who hears whom.
 *
 * A voice is recognised by its harmonic comb: energy at f0, 2·f0 … 5·f0
 * (each within the party's ±3 % intonation) well above the spectrum's floor
 * — the median of the teeth must stand out, so another voice or a chord that
 * hits one or two teeth by chance does not count, and the fundamental itself
 * must be there, so a voice an octave down does not either.
 *
 * Pure: spectra come from the page's AnalyserNode or, in tests, from fft().
 */
import type { HearsReport } from './protocol';

export const HEARING = {
  /** AnalyserNode size at 48 kHz: 2.9 Hz bins, fine enough to part voices 7 % apart. */
  fftSize: 16384,
  /** Half-width of a comb tooth, relative (intonation ±2 % and a little). */
  toothWidth: 0.025,
  teeth: 6,
  /** The median tooth must stand this far (dB) above its gap… */
  voiceMedianDb: 12,
  /** …and the fundamental this far. */
  voiceFundamentalDb: 8,
  /** Teeth further below the frame's peak than this are absent. */
  dynamicDb: 40,
  /** A pure tone: band peak above this (dB) and within toneRelDb of the spectrum's peak. */
  toneAbsDb: -70,
  toneRelDb: 20,
  toneBandBins: 4,
  /** RMS below this (dBFS) is silence. */
  silenceDb: -60,
  /** Frames per report (one every 100 ms), and how many must show a voice for it to count. */
  windowFrames: 10,
  voiceFrames: 3,
  musicFrames: 4,
} as const;

export interface Spectrum {
  /** Level per bin in dB (the AnalyserNode scale). */
  db: ArrayLike<number>;
  sampleRate: number;
  fftSize: number;
  /** Time-domain RMS of the frame, dBFS. */
  rmsDb: number;
}

export interface FrameHearing {
  voices: number[];
  tones: number[];
  audible: boolean;
  levelDb: number;
}

const bandPeak = (db: ArrayLike<number>, lo: number, hi: number) => {
  let peak = -Infinity;
  for (let i = Math.max(1, lo); i <= Math.min(db.length - 1, hi); i++) peak = Math.max(peak, db[i]!);
  return peak;
};

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Comb score of one candidate pitch: for each tooth k·f0, how far (dB) its
 * peak stands above the highest point of the gap up to the next tooth (the
 * window's main lobe left out). A harmonic voice at f0 has deep valleys
 * between its partials; another voice or a chord puts partials into the gaps.
 * Returns [median over the teeth, the fundamental's]. Teeth more than
 * `dynamicDb` below the frame's peak count as absent.
 */
export function combScore(s: Spectrum, f0: number, peakDb: number): [number, number] {
  const binHz = s.sampleRate / s.fftSize;
  const lobe = 3; // Blackman main lobe: ±3 bins
  const w = HEARING.toothWidth;
  const scores: number[] = [];
  for (let k = 1; k <= HEARING.teeth; k++) {
    const f = k * f0;
    // The strongest partial near the tooth, located to a fraction of a bin: it must lie inside the tooth.
    const lo = Math.max(1, Math.floor((f * (1 - w)) / binHz) - lobe);
    const hi = Math.min(s.db.length - 2, Math.ceil((f * (1 + w)) / binHz) + lobe);
    let at = lo;
    for (let i = lo; i <= hi; i++) if (s.db[i]! > s.db[at]!) at = i;
    const [a, b, c] = [s.db[at - 1]!, s.db[at]!, s.db[at + 1]!];
    const denominator = a - 2 * b + c;
    const offset = denominator < 0 ? (0.5 * (a - c)) / denominator : 0;
    const inside = Math.abs(((at + offset) * binHz) / f - 1) <= w;
    const gapLo = Math.ceil((f * (1 + w)) / binHz) + lobe;
    const gapHi = Math.floor(((k + 1) * f0 * (1 - w)) / binHz) - lobe;
    const gap = gapHi > gapLo ? bandPeak(s.db, gapLo, gapHi) : -Infinity;
    scores.push(!inside || b < peakDb - HEARING.dynamicDb ? 0 : Math.min(60, b - gap));
  }
  return [median(scores), scores[0]!];
}

export function hearFrame(s: Spectrum, known: { voices: readonly number[]; tones: readonly number[] }): FrameHearing {
  const audible = s.rmsDb >= HEARING.silenceDb;
  if (!audible) return { voices: [], tones: [], audible, levelDb: s.rmsDb };
  const binHz = s.sampleRate / s.fftSize;
  const peak = bandPeak(s.db, Math.floor(80 / binHz), Math.ceil(3000 / binHz));
  const voices = known.voices.filter((f0) => {
    const [mid, fundamental] = combScore(s, f0, peak);
    return mid >= HEARING.voiceMedianDb && fundamental >= HEARING.voiceFundamentalDb;
  });
  const tones = known.tones.filter((f) => {
    const c = Math.round(f / binHz);
    const level = bandPeak(s.db, c - HEARING.toneBandBins, c + HEARING.toneBandBins);
    return level > HEARING.toneAbsDb && level >= peak - HEARING.toneRelDb;
  });
  return { voices, tones, audible, levelDb: s.rmsDb };
}

/** A report over the last frames: a voice heard in enough of them counts (speech has pauses). */
export function hearWindow(frames: readonly FrameHearing[]): HearsReport {
  const count = (pick: (f: FrameHearing) => readonly number[]) => {
    const n = new Map<number, number>();
    for (const f of frames) for (const v of pick(f)) n.set(v, (n.get(v) ?? 0) + 1);
    return n;
  };
  const voiceCounts = count((f) => f.voices);
  const toneCounts = count((f) => f.tones);
  const voices = [...voiceCounts].filter(([, n]) => n >= HEARING.voiceFrames).map(([v]) => v).sort((a, b) => a - b);
  const tones = [...toneCounts].filter(([, n]) => n * 2 > frames.length).map(([v]) => v).sort((a, b) => a - b);
  const audible = frames.filter((f) => f.audible);
  // Music: sound in enough frames in which no known voice or tone explains it.
  const unexplained = audible.filter((f) => f.voices.length === 0 && f.tones.length === 0).length;
  const levels = frames.map((f) => f.levelDb).sort((a, b) => a - b);
  return {
    voices,
    tones,
    music: voices.length === 0 && tones.length === 0 && unexplained >= HEARING.musicFrames,
    silence: audible.length === 0,
    levelDb: levels.length ? levels[Math.floor(levels.length / 2)]! : -200,
  };
}

/** Power spectrum in dB of `fftSize` samples from `start` (Blackman window, like AnalyserNode): for tests and Node. */
export function spectrumOf(samples: Float32Array, start: number, sampleRate: number, fftSize = HEARING.fftSize): Spectrum {
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  let sum = 0;
  for (let i = 0; i < fftSize; i++) {
    const x = samples[start + i] ?? 0;
    sum += x * x;
    const a = (2 * Math.PI * i) / fftSize;
    re[i] = x * (0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a));
  }
  // Iterative radix-2 FFT.
  for (let i = 1, j = 0; i < fftSize; i++) {
    let bit = fftSize >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= fftSize; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < fftSize; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const ur = re[i + k]!;
        const ui = im[i + k]!;
        const vr = re[i + k + len / 2]! * wr - im[i + k + len / 2]! * wi;
        const vi = re[i + k + len / 2]! * wi + im[i + k + len / 2]! * wr;
        re[i + k] = ur + vr;
        im[i + k] = ui + vi;
        re[i + k + len / 2] = ur - vr;
        im[i + k + len / 2] = ui - vi;
      }
    }
  }
  const db = new Float32Array(fftSize / 2);
  for (let i = 0; i < db.length; i++) db[i] = 20 * Math.log10(Math.hypot(re[i]!, im[i]!) / fftSize + 1e-20);
  return { db, sampleRate, fftSize, rmsDb: 10 * Math.log10(sum / fftSize + 1e-20) };
}
