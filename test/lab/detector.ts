/**
 * What a lab party "hears": pure functions shared by the peer page (fed by a
 * WebAudio AnalyserNode on the remote track) and Node (fed by PCM, see
 * analysePcm in ./tones). No DOM, no Node imports: bundled into the page.
 *
 * Each party sends one known pure tone; hold music is anything audible whose
 * energy lies mostly OUTSIDE the known tone bands. That definition is
 * deliberately generic so the real hold music shipped by the media host (a
 * melody, chords, anything but a lone test tone) is recognised by the same
 * detector as the lab's own hold signal (HOLD_SIGNAL in ./tones).
 */

/** The parties' microphone tones (Hz). */
export const TONES = { caller: 440, agent: 660, transferee: 880 } as const;
export const KNOWN_TONES: readonly number[] = [TONES.caller, TONES.agent, TONES.transferee];

export const DETECTOR = {
  /** AnalyserNode size at 48 kHz: 5.9 Hz bins. */
  fftSize: 8192,
  /** A known tone counts when its band peak is above this (dBFS, AnalyserNode scale)… */
  toneAbsDb: -70,
  /** …and within this many dB of the strongest bin of the spectrum. */
  toneRelDb: 20,
  /** Half-width of a tone's band in bins (Blackman main lobe is ±3 bins). */
  toneBandBins: 4,
  /** Energy outside the tone bands ("residual") counts as music above this (dB)… */
  musicAbsDb: -60,
  /** …when it is within this many dB of the total energy in the voice band. */
  musicRelDb: 10,
  /** Voice band used for totals (Hz). */
  bandLowHz: 100,
  bandHighHz: 8000,
  /** RMS below this (dBFS) is silence. */
  silenceDb: -60,
  /** Frames aggregated into one report (one frame per 100 ms in the page). */
  windowFrames: 8,
} as const;

export interface FrameInput {
  /** Magnitudes in dB per bin (AnalyserNode.getFloatFrequencyData scale). */
  db: ArrayLike<number>;
  sampleRate: number;
  fftSize: number;
  /** Time-domain RMS of the frame in dBFS. */
  rmsDb: number;
}

export interface FrameReport {
  tones: number[];
  music: boolean;
  silence: boolean;
  levelDb: number;
  peakHz: number;
  residualDb: number;
  totalDb: number;
}

export interface HearsReport {
  /** Known tones present (ascending). */
  tones: number[];
  /** Audible energy mostly outside the known tones: hold music (or speech, or noise). */
  music: boolean;
  silence: boolean;
  /** Median RMS over the window (dBFS). */
  levelDb: number;
  /** Strongest frequency in the last frame (diagnostics). */
  peakHz: number;
  frames: number;
}

const toDb = (p: number): number => (p > 0 ? 10 * Math.log10(p) : -200);

export function analyseFrame(f: FrameInput, known: readonly number[] = KNOWN_TONES): FrameReport {
  const binHz = f.sampleRate / f.fftSize;
  const lo = Math.max(1, Math.floor(DETECTOR.bandLowHz / binHz));
  const hi = Math.min(f.db.length - 1, Math.ceil(DETECTOR.bandHighHz / binHz));
  let peakDb = -Infinity;
  let peakBin = 0;
  for (let i = lo; i <= hi; i++) {
    const v = f.db[i]!;
    if (v > peakDb) {
      peakDb = v;
      peakBin = i;
    }
  }
  const inToneBand = new Uint8Array(f.db.length);
  const tones: number[] = [];
  for (const hz of known) {
    const c = Math.round(hz / binHz);
    let bandPeak = -Infinity;
    for (let i = c - DETECTOR.toneBandBins; i <= c + DETECTOR.toneBandBins; i++) {
      if (i < 0 || i >= f.db.length) continue;
      inToneBand[i] = 1;
      bandPeak = Math.max(bandPeak, f.db[i]!);
    }
    if (bandPeak > DETECTOR.toneAbsDb && bandPeak > peakDb - DETECTOR.toneRelDb) tones.push(hz);
  }
  let total = 0;
  let residual = 0;
  for (let i = lo; i <= hi; i++) {
    const p = 10 ** (f.db[i]! / 10);
    total += p;
    if (!inToneBand[i]) residual += p;
  }
  const totalDb = toDb(total);
  const residualDb = toDb(residual);
  const silence = f.rmsDb < DETECTOR.silenceDb;
  const music = !silence && residualDb > DETECTOR.musicAbsDb && residualDb > totalDb - DETECTOR.musicRelDb;
  return {
    tones: silence ? [] : tones.sort((a, b) => a - b),
    music,
    silence,
    levelDb: f.rmsDb,
    peakHz: peakBin * binHz,
    residualDb,
    totalDb,
  };
}

/** Majority vote over a window of frames: a tone/music counts if present in at least half. */
export function aggregate(frames: readonly FrameReport[], known: readonly number[] = KNOWN_TONES): HearsReport {
  if (frames.length === 0) return { tones: [], music: false, silence: true, levelDb: -200, peakHz: 0, frames: 0 };
  const half = frames.length / 2;
  const tones = known.filter((hz) => frames.filter((f) => f.tones.includes(hz)).length >= half).sort((a, b) => a - b);
  const music = frames.filter((f) => f.music).length >= half;
  const silentFrames = frames.filter((f) => f.silence).length;
  const levels = frames.map((f) => f.levelDb).sort((a, b) => a - b);
  return {
    tones,
    music,
    silence: silentFrames >= frames.length * 0.75,
    levelDb: levels[Math.floor(levels.length / 2)]!,
    peakHz: frames[frames.length - 1]!.peakHz,
    frames: frames.length,
  };
}

export interface HearsExpectation {
  /** Exactly this set of known tones (order irrelevant). */
  tones?: number[];
  music?: boolean;
  silence?: boolean;
}

export function matchesExpectation(r: HearsReport, e: HearsExpectation): boolean {
  if (e.tones) {
    const want = [...e.tones].sort((a, b) => a - b);
    if (want.length !== r.tones.length || want.some((t, i) => t !== r.tones[i])) return false;
  }
  if (e.music !== undefined && e.music !== r.music) return false;
  if (e.silence !== undefined && e.silence !== r.silence) return false;
  return true;
}

export function describeReport(r: HearsReport): string {
  return `tones [${r.tones.join(', ')}] music ${r.music} silence ${r.silence} level ${r.levelDb.toFixed(1)} dBFS peak ${r.peakHz.toFixed(0)} Hz (${r.frames} frames)`;
}
