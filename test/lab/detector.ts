/**
 * What a lab party "hears": pure functions shared by the peer page (fed by a
 * WebAudio AnalyserNode on the remote track), the media probes (injected into
 * a page) and Node (fed by PCM, see analysePcm in ./tones). No DOM, no Node
 * imports: bundled into pages.
 *
 * Each party sends one known pure tone. Music is recognised as a particular
 * TRACK, never as "anything that is not a tone": every frame's spectral peaks
 * are mapped onto the notes of the tempered scale (MIDI 47–96, 123–2093 Hz),
 * summed over the report window into a note profile, and compared (cosine)
 * with the note profiles of every window of each known track — its
 * signature, computed from the track's own samples (musicSignature in
 * ./tones). Noise, speech, a lone tone or another piece score far below the
 * threshold; the track that is playing scores near 1 whatever its level.
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
  /** Energy outside the tone bands ("residual") counts as other sound above this (dB)… */
  otherAbsDb: -60,
  /** …when it is within this many dB of the total energy in the voice band. */
  otherRelDb: 10,
  /** Voice band used for totals (Hz). */
  bandLowHz: 100,
  bandHighHz: 8000,
  /** RMS below this (dBFS) is silence. */
  silenceDb: -60,
  /** Frames aggregated into one report (one frame per 100 ms in the page). */
  windowFrames: 8,
  /** Notes of the profile: MIDI numbers (47 = B2, 123 Hz; 96 = C7, 2093 Hz). */
  noteLow: 47,
  noteHigh: 96,
  /** A spectral peak counts towards the profile when within this many dB of the frame's strongest peak… */
  notePeakRangeDb: 30,
  /** …and within this many semitones of a tempered note (noise peaks fall anywhere). */
  noteMaxOffset: 0.3,
  /** A window is a track when its profile's cosine with one of the track's windows reaches this… */
  musicMatch: 0.85,
  /** …and beats every other known track by this much. */
  musicMargin: 0.05,
} as const;

const NOTE_COUNT = DETECTOR.noteHigh - DETECTOR.noteLow + 1;

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
  /** Audible energy mostly outside the known tone bands (music, speech, noise — anything). */
  other: boolean;
  silence: boolean;
  levelDb: number;
  peakHz: number;
  residualDb: number;
  totalDb: number;
  /** Note profile of the frame (DETECTOR.noteLow…noteHigh), tone bands left out. */
  notes: number[];
}

/** A known piece of music: the L2-normalised note profile of every report-sized window of it. */
export interface MusicSignature {
  name: string;
  windows: number[][];
}

export interface HearsReport {
  /** Known tones present (ascending). */
  tones: number[];
  /** A known music track is playing (`track` says which). */
  music: boolean;
  /** The recognised track's name ('Lounge', 'Classic', …), or null. */
  track: string | null;
  /** The best match score of the window against any known track (diagnostics). */
  musicScore: number;
  /** Audible energy mostly outside the tone bands in at least half the frames (music or not). */
  other: boolean;
  silence: boolean;
  /** Median RMS over the window (dBFS). */
  levelDb: number;
  /** Strongest frequency in the last frame (diagnostics). */
  peakHz: number;
  frames: number;
}

const toDb = (p: number): number => (p > 0 ? 10 * Math.log10(p) : -200);

/** The frame's spectral peaks on the tempered scale, weighted by their height above the frame's floor. */
export function noteProfile(db: ArrayLike<number>, sampleRate: number, fftSize: number, skip?: Uint8Array): number[] {
  const binHz = sampleRate / fftSize;
  const midiHz = (m: number): number => 440 * 2 ** ((m - 69) / 12);
  const lo = Math.max(2, Math.floor(midiHz(DETECTOR.noteLow - 0.5) / binHz));
  const hi = Math.min(db.length - 2, Math.ceil(midiHz(DETECTOR.noteHigh + 0.5) / binHz));
  const out = new Array<number>(NOTE_COUNT).fill(0);
  let max = -Infinity;
  for (let i = lo; i <= hi; i++) if (!skip?.[i]) max = Math.max(max, db[i]!);
  const floor = max - DETECTOR.notePeakRangeDb;
  for (let i = lo; i <= hi; i++) {
    const b = db[i]!;
    const a = db[i - 1]!;
    const c = db[i + 1]!;
    if (skip?.[i] || !(b > a && b >= c) || b <= floor || !Number.isFinite(b)) continue;
    // Parabolic interpolation of the peak: a bin is 5.9 Hz, a semitone at 123 Hz only 7 Hz.
    const denom = a - 2 * b + c;
    const offset = denom !== 0 && Number.isFinite(denom) ? (0.5 * (a - c)) / denom : 0;
    const midi = 69 + 12 * Math.log2(((i + offset) * binHz) / 440);
    const note = Math.round(midi);
    if (Math.abs(midi - note) > DETECTOR.noteMaxOffset || note < DETECTOR.noteLow || note > DETECTOR.noteHigh) continue;
    out[note - DETECTOR.noteLow]! += b - floor;
  }
  return out;
}

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
  const other = !silence && residualDb > DETECTOR.otherAbsDb && residualDb > totalDb - DETECTOR.otherRelDb;
  return {
    tones: silence ? [] : tones.sort((a, b) => a - b),
    other,
    silence,
    levelDb: f.rmsDb,
    peakHz: peakBin * binHz,
    residualDb,
    totalDb,
    notes: silence ? new Array<number>(NOTE_COUNT).fill(0) : noteProfile(f.db, f.sampleRate, f.fftSize, inToneBand),
  };
}

function normalise(v: readonly number[]): number[] {
  const n = Math.hypot(...v);
  return n > 0 ? v.map((x) => x / n) : v.map(() => 0);
}

/** Sum of the frames' note profiles. */
export function sumProfiles(profiles: readonly (readonly number[])[]): number[] {
  const sum = new Array<number>(NOTE_COUNT).fill(0);
  for (const p of profiles) for (let i = 0; i < NOTE_COUNT; i++) sum[i]! += p[i] ?? 0;
  return sum;
}

/**
 * A track's signature from the note profiles of consecutive frames (one per
 * 100 ms): one normalised profile per window of `windowFrames`, wrapping at
 * the end because hold music loops. Rounded: it travels to pages as JSON.
 */
export function signatureFromFrames(name: string, frames: readonly (readonly number[])[], windowFrames: number = DETECTOR.windowFrames): MusicSignature {
  const windows: number[][] = [];
  for (let start = 0; start < frames.length; start++) {
    const win: (readonly number[])[] = [];
    for (let k = 0; k < windowFrames; k++) win.push(frames[(start + k) % frames.length]!);
    windows.push(normalise(sumProfiles(win)).map((x) => Math.round(x * 1000) / 1000));
  }
  return { name, windows };
}

/** The known track whose signature the profile matches, with the best score (cosine, 0–1). */
export function matchMusic(profile: readonly number[], signatures: readonly MusicSignature[]): { track: string | null; score: number } {
  const p = normalise(profile);
  if (p.every((x) => x === 0) || signatures.length === 0) return { track: null, score: 0 };
  const scores = signatures.map((s) => {
    let best = 0;
    for (const w of s.windows) {
      let dot = 0;
      for (let i = 0; i < NOTE_COUNT; i++) dot += p[i]! * (w[i] ?? 0);
      if (dot > best) best = dot;
    }
    return { name: s.name, score: best };
  });
  scores.sort((a, b) => b.score - a.score);
  const [first, second] = scores;
  const ok = first!.score >= DETECTOR.musicMatch && first!.score - (second?.score ?? 0) >= DETECTOR.musicMargin;
  return { track: ok ? first!.name : null, score: first!.score };
}

/**
 * One report over a window of frames: a tone counts if present in at least
 * half of them; music is judged on the window's summed note profile.
 */
export function aggregate(frames: readonly FrameReport[], known: readonly number[] = KNOWN_TONES, signatures: readonly MusicSignature[] = []): HearsReport {
  if (frames.length === 0) return { tones: [], music: false, track: null, musicScore: 0, other: false, silence: true, levelDb: -200, peakHz: 0, frames: 0 };
  const half = frames.length / 2;
  const tones = known.filter((hz) => frames.filter((f) => f.tones.includes(hz)).length >= half).sort((a, b) => a - b);
  const other = frames.filter((f) => f.other).length >= half;
  const silentFrames = frames.filter((f) => f.silence).length;
  const levels = frames.map((f) => f.levelDb).sort((a, b) => a - b);
  const silence = silentFrames >= frames.length * 0.75;
  const { track, score } = silence ? { track: null, score: 0 } : matchMusic(sumProfiles(frames.map((f) => f.notes)), signatures);
  return {
    tones,
    music: track !== null,
    track,
    musicScore: Math.round(score * 1000) / 1000,
    other,
    silence,
    levelDb: levels[Math.floor(levels.length / 2)]!,
    peakHz: frames[frames.length - 1]!.peakHz,
    frames: frames.length,
  };
}

export interface HearsExpectation {
  /** Exactly this set of known tones (order irrelevant). */
  tones?: number[];
  /** true: some known track; a name: exactly that track ('Lounge'); false: no known track. */
  music?: boolean | string;
  silence?: boolean;
}

export function matchesExpectation(r: HearsReport, e: HearsExpectation): boolean {
  if (e.tones) {
    const want = [...e.tones].sort((a, b) => a - b);
    if (want.length !== r.tones.length || want.some((t, i) => t !== r.tones[i])) return false;
  }
  if (typeof e.music === 'string' && r.track !== e.music) return false;
  if (typeof e.music === 'boolean' && e.music !== r.music) return false;
  if (e.silence !== undefined && e.silence !== r.silence) return false;
  return true;
}

export function describeReport(r: HearsReport): string {
  const music = r.track ? `music "${r.track}"` : 'no known music';
  return `tones [${r.tones.join(', ')}] ${music} (best match ${r.musicScore.toFixed(2)}) other sound ${r.other} silence ${r.silence} level ${r.levelDb.toFixed(1)} dBFS peak ${r.peakHz.toFixed(0)} Hz (${r.frames} frames)`;
}
