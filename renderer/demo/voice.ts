/**
 * A voice-like signal per demo party, synthesised here in code — no
 * recordings, so nothing to license: a glottal pulse train at the party's
 * pitch, shaped by three vowel formants that move from syllable to syllable,
 * short noise bursts for consonants, syllables grouped into phrases with
 * pauses between them. It does not say words, but it sounds like someone
 * talking, and each party sounds like themselves: the pitch (f0), the pace
 * and the vocal tract differ, and the pitch stays within ±2 % of its mean so
 * a listener — or ./hearing.ts — can tell the parties apart.
 *
 * Pure: returns mono samples at `rate`; the page loops them into a
 * MediaStream (./sound.ts).
 */
import type { VoiceSpec } from './protocol';

/** Male formants F1–F3 (Hz) of five vowels; a party's tract factor scales them. */
const VOWELS: ReadonlyArray<readonly [number, number, number]> = [
  [730, 1090, 2440], // a
  [530, 1840, 2480], // e
  [300, 2200, 2950], // i
  [570, 840, 2410], // o
  [320, 900, 2240], // u
];
const BANDWIDTHS = [70, 100, 140] as const;

/** A small seeded generator (mulberry32): the same party always sounds the same. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The largest pitch excursion around f0 (fraction): intonation stays inside it. */
export const PITCH_RANGE = 0.02;

interface Syllable {
  start: number;
  length: number;
  vowel: readonly [number, number, number];
  /** Pitch factor at the syllable (intonation). */
  pitch: number;
  /** A consonant burst before the vowel (fraction of the syllable), or 0. */
  consonant: number;
  loud: number;
}

/** The syllables of `seconds` of talk: phrases of 3–9 syllables, pauses of 0.25–0.7 s. */
function script(voice: VoiceSpec, seconds: number, random: () => number): Syllable[] {
  const out: Syllable[] = [];
  let t = 0.15;
  while (t < seconds - 0.4) {
    const count = 3 + Math.floor(random() * 7);
    for (let i = 0; i < count && t < seconds - 0.3; i++) {
      const length = (1 / voice.rate) * (0.75 + random() * 0.5);
      // Declination over the phrase plus a random accent, both inside ±PITCH_RANGE.
      const declination = PITCH_RANGE * 0.6 * (1 - (2 * i) / Math.max(1, count - 1));
      const accent = (random() - 0.5) * PITCH_RANGE * 0.8;
      out.push({
        start: t,
        length,
        vowel: VOWELS[Math.floor(random() * VOWELS.length)]!,
        pitch: 1 + Math.max(-PITCH_RANGE, Math.min(PITCH_RANGE, declination + accent)),
        consonant: random() < 0.6 ? 0.15 + random() * 0.15 : 0,
        loud: 0.7 + random() * 0.3,
      });
      t += length;
    }
    t += 0.25 + random() * 0.45;
  }
  return out;
}

/** Two-pole resonator state: one formant. */
class Resonator {
  private y1 = 0;
  private y2 = 0;
  private a1 = 0;
  private a2 = 0;
  private gain = 0;
  constructor(private readonly rate: number) {}
  tune(freq: number, bandwidth: number) {
    const r = Math.exp((-Math.PI * bandwidth) / this.rate);
    const theta = (2 * Math.PI * Math.min(freq, this.rate * 0.45)) / this.rate;
    this.a1 = 2 * r * Math.cos(theta);
    this.a2 = -r * r;
    this.gain = 1 - r;
  }
  step(x: number): number {
    const y = this.gain * x + this.a1 * this.y1 + this.a2 * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/** `seconds` of the party talking, as mono samples at `rate`, peak-normalised to 0.5. */
export function speak(voice: VoiceSpec, seconds: number, rate: number): Float32Array<ArrayBuffer> {
  const random = seeded(voice.seed);
  const syllables = script(voice, seconds, random);
  const out = new Float32Array(Math.ceil(seconds * rate));
  const formants = BANDWIDTHS.map(() => new Resonator(rate));
  let phase = 0;
  let previousPulse = 0;
  let noise = 0;
  let s = 0;
  // Formants glide towards each syllable's vowel, retuned every 2 ms.
  const current = [...VOWELS[0]!].map((f) => f * voice.tract);
  const retune = Math.max(1, Math.floor(rate * 0.002));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    while (s < syllables.length - 1 && t >= syllables[s]!.start + syllables[s]!.length) s++;
    const syl = syllables[s];
    let amp = 0;
    let voiced = 0;
    let hiss = 0;
    if (syl && t >= syl.start && t < syl.start + syl.length) {
      const x = (t - syl.start) / syl.length;
      const vowelStart = syl.consonant;
      if (x < vowelStart) hiss = 0.25 * syl.loud * Math.sin((Math.PI * x) / vowelStart);
      else {
        const v = (x - vowelStart) / (1 - vowelStart);
        amp = syl.loud * Math.min(1, v / 0.12) * Math.min(1, (1 - v) / 0.2);
        voiced = syl.pitch;
      }
      if (i % retune === 0) {
        for (let k = 0; k < 3; k++) {
          current[k]! += (syl.vowel[k]! * voice.tract - current[k]!) * 0.08;
          formants[k]!.tune(current[k]!, BANDWIDTHS[k]! * voice.tract);
        }
      }
    }
    // Glottal flow (Rosenberg pulse) at the syllable's pitch; its derivative is what the lips radiate.
    const f0 = voice.f0 * (voiced || 1);
    phase += f0 / rate;
    if (phase >= 1) phase -= 1;
    const open = 0.4;
    const close = 0.16;
    const pulse = phase < open ? 0.5 * (1 - Math.cos((Math.PI * phase) / open)) : phase < open + close ? Math.cos((Math.PI * (phase - open)) / (2 * close)) : 0;
    const source = (pulse - previousPulse) * amp * 40;
    previousPulse = pulse;
    // Consonants: white noise, differenced so it hisses rather than rumbles.
    const white = random() * 2 - 1;
    const fricative = (white - noise) * hiss;
    noise = white;
    const x = source + fricative;
    out[i] = formants[0]!.step(x) * 1.0 + formants[1]!.step(x) * 0.6 + formants[2]!.step(x) * 0.3 + fricative * 0.2;
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i]! / peak) * 0.5;
  return out;
}
