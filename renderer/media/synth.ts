/**
 * Sounds synthesised in the host, so every sound we ship is our own and
 * license-clean (no samples, no third-party recordings): two hold-music
 * pieces, the ringtone and the transfer completion cue. Each returns mono
 * samples at the AudioContext's rate; the caller loops them.
 *
 * The pieces deliberately avoid sitting on a single sustained pitch, so the
 * lab can tell "music" apart from the pure test tones the parties send; both
 * are in E♭ major, whose notes (and octaves) never hit A or E — the lab's
 * party tones are 440, 660 and 880 Hz.
 */

const midi = (note: number) => 440 * 2 ** ((note - 69) / 12);

/** Soft electric-piano-like voice: a few harmonics with an exponential decay. */
function addNote(out: Float32Array, rate: number, startSec: number, lengthSec: number, note: number, gain: number, bright = 0.3) {
  const f = midi(note);
  const start = Math.floor(startSec * rate);
  const n = Math.min(out.length - start, Math.floor(lengthSec * rate));
  const attack = Math.max(1, Math.floor(0.01 * rate));
  const release = Math.max(1, Math.floor(0.08 * rate));
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const env = Math.min(1, i / attack) * Math.exp(-2.2 * t / lengthSec) * Math.min(1, (n - i) / release);
    const w = 2 * Math.PI * f * t;
    // Fundamental + octave only: a 3rd harmonic of D would land on the lab's 880 Hz party tone.
    const s = Math.sin(w) + bright * Math.sin(2 * w) * Math.exp(-3 * t);
    out[start + i]! += gain * env * s;
  }
}

const normalise = (out: Float32Array, peak = 0.8) => {
  let max = 0;
  for (const v of out) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i]! / max) * peak;
  return out;
};

/** "Lounge": a slow ii–V–I–vi progression in E♭ with a walking bass (16 s loop, 84 bpm). */
export function lounge(rate: number): Float32Array {
  const beat = 60 / 84;
  const bars = 8;
  const out = new Float32Array(Math.ceil(bars * 4 * beat * rate));
  // Fm7 Bb7 Ebmaj7 Cm7, twice; MIDI notes (voicings in the middle register).
  const chords = [
    [53, 56, 60, 63],
    [50, 53, 56, 58],
    [51, 55, 58, 62],
    [48, 51, 55, 58],
  ];
  const bass = [
    [41, 44, 48, 41],
    [46, 38, 41, 44],
    [39, 43, 46, 43],
    [36, 39, 43, 46],
  ];
  for (let bar = 0; bar < bars; bar++) {
    const chord = chords[bar % 4]!;
    const t0 = bar * 4 * beat;
    for (const hit of [0, 1.5, 2.5]) for (const note of chord) addNote(out, rate, t0 + hit * beat, beat * 1.4, note, 0.16, 0.25);
    bass[bar % 4]!.forEach((note, i) => addNote(out, rate, t0 + i * beat, beat * 0.95, note, 0.45, 0.5));
    // A little melody on top every other bar.
    if (bar % 2 === 1) [chord[3]! + 12, chord[2]! + 12, chord[1]! + 12].forEach((note, i) => addNote(out, rate, t0 + (i + 1) * beat, beat * 0.9, note, 0.18, 0.2));
  }
  return normalise(out);
}

/** "Classic": a baroque-style broken-chord figure over a I–vi–IV–V bass in E♭ (~19 s loop). */
export function classic(rate: number): Float32Array {
  const sixteenth = 60 / 100 / 4;
  const bars = 8;
  const out = new Float32Array(Math.ceil(bars * 16 * sixteenth * rate));
  // E♭, Cm, A♭, B♭.
  const chords = [
    [51, 55, 58, 63],
    [48, 51, 55, 60],
    [44, 48, 51, 56],
    [46, 50, 53, 58],
  ];
  const pattern = [0, 1, 2, 3, 2, 1, 2, 3, 0, 1, 2, 3, 2, 1, 2, 1];
  for (let bar = 0; bar < bars; bar++) {
    const chord = chords[bar % 4]!;
    const t0 = bar * 16 * sixteenth;
    pattern.forEach((p, i) => addNote(out, rate, t0 + i * sixteenth, sixteenth * 3, chord[p]! + 12, 0.2, 0.45));
    addNote(out, rate, t0, sixteenth * 15, chord[0]! - 12, 0.5, 0.4);
  }
  return normalise(out);
}

/**
 * Ringtone: a dual-tone burst pattern (400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off),
 * the cadence agents recognise. `soft` is the call-waiting variant: one short burst per 4 s.
 */
export function ringtone(rate: number, soft: boolean): Float32Array {
  const period = soft ? 4 : 3;
  const bursts = soft ? [[0, 0.25]] : [[0, 0.4], [0.6, 1.0]];
  const out = new Float32Array(Math.ceil(period * rate));
  for (const [a, b] of bursts) {
    const from = Math.floor(a! * rate);
    const to = Math.floor(b! * rate);
    for (let i = from; i < to; i++) {
      const t = i / rate;
      const edge = Math.min(1, (i - from) / (0.01 * rate), (to - i) / (0.01 * rate));
      out[i] = 0.4 * edge * (Math.sin(2 * Math.PI * 400 * t) + Math.sin(2 * Math.PI * 450 * t));
    }
  }
  return out;
}

/** Completion cue: two quick rising notes (a fifth), ~0.45 s, played once. */
export function cue(rate: number): Float32Array {
  const out = new Float32Array(Math.ceil(0.5 * rate));
  addNote(out, rate, 0, 0.2, 76, 0.5, 0.2);
  addNote(out, rate, 0.15, 0.3, 83, 0.5, 0.2);
  return normalise(out, 0.6);
}
