/**
 * Helpers for the media tier: tone WAVs for Chromium's fake microphone, a
 * plain (non-proxied) peer page, and an FFT probe run inside a page on a
 * received stream. Page code is passed as strings: the test transformer may
 * inject helpers (`__name`) that do not exist in the page.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { cue } from '../../renderer/media/synth';
import { aggregate, DETECTOR, type FrameReport } from '../lab/detector';
import { knownMusicSignatures, pcmFrames } from '../lab/tones';
import { toneSamples, WAV_RATE, writeWav } from '../support/wav';

/** A pure tone as a WAV in a fresh temporary folder (named tone-<hz>.wav), for Chromium's fake microphone. */
export function toneWav(hz: number, seconds = 2, amplitude = 0.3): string {
  return writeWav(join(mkdtempSync(join(tmpdir(), 'agent-console-media-')), `tone-${hz}.wav`), toneSamples(hz, seconds, amplitude));
}

export interface Spectrum {
  /** Peak level (dB, AnalyserNode scale) within ±4 bins of each probed frequency. */
  tones: Record<string, number>;
  /** Strongest frequency 100–8000 Hz. */
  peakHz: number;
  /** Energy 100–8000 Hz outside the probed tone bands, dB: music shows up here. */
  residualDb: number;
  /** Time-domain RMS, dBFS. */
  rmsDb: number;
  /** The lab detector's frames (test/lab/detector.ts), the probed tones left out of their note profiles. */
  frames: FrameReport[];
}

/**
 * The known music track a probe heard ('Lounge', 'Classic', …), or null —
 * recognised by its signature, never as "any sound that is not a tone".
 */
export function musicOf(s: Spectrum): string | null {
  return aggregate(s.frames, [], knownMusicSignatures()).track;
}

/**
 * Installs `window.__probe(streamOrNull, freqs)` in a page: 8 AnalyserNode
 * frames 100 ms apart on a stream (attached to a muted <audio> too —
 * Chromium only pulls remote audio that way, docs/testing.md), averaged for
 * the tone levels and judged frame by frame by the lab detector (music).
 */
const probeScript = `
window.__analyserOf = async (stream) => {
  const ctx = window.__probeCtx || (window.__probeCtx = new AudioContext());
  await ctx.resume();
  // One persistent analyser per stream, pulling audio all the time: a remote track nobody pulls
  // lets its jitter buffer fill, and a later probe would hear seconds-old audio.
  let an = stream.__analyser;
  if (!an) {
    const el = document.createElement('audio');
    el.muted = true; el.srcObject = stream; document.body.append(el); await el.play().catch(() => {});
    an = ctx.createAnalyser(); an.fftSize = 8192; an.smoothingTimeConstant = 0;
    ctx.createMediaStreamSource(stream).connect(an);
    stream.__analyser = an;
  }
  return an;
};
window.__frameOf = (an, freqs) => {
  const db = new Float32Array(an.frequencyBinCount); const td = new Float32Array(an.fftSize);
  an.getFloatFrequencyData(db); an.getFloatTimeDomainData(td);
  let s = 0; for (const v of td) s += v * v;
  return window.__labDetector.analyseFrame({ db, sampleRate: an.context.sampleRate, fftSize: an.fftSize, rmsDb: 10 * Math.log10(s / td.length || 1e-20) }, freqs);
};
// A recorder: the detector's frame of the element's stream every 20 ms, from now until stopped, so a
// short sound (the cue) or an absence is judged over the whole window, not at one instant.
window.__recorders = window.__recorders || {};
window.__record = (id, selector, freqs) => {
  const rec = { frames: [], busy: false };
  rec.timer = setInterval(async () => {
    if (rec.busy) return;
    rec.busy = true;
    try {
      const el = document.querySelector(selector);
      if (el && el.srcObject) rec.frames.push({ t: Date.now(), ...window.__frameOf(await window.__analyserOf(el.srcObject), freqs) });
    } finally { rec.busy = false; }
  }, 20);
  window.__recorders[id] = rec;
};
window.__stopRecording = (id) => {
  const rec = window.__recorders[id];
  clearInterval(rec.timer);
  delete window.__recorders[id];
  return rec.frames;
};
window.__probe = async (stream, freqs) => {
  const ctx = window.__probeCtx || (window.__probeCtx = new AudioContext());
  const an = await window.__analyserOf(stream);
  const bins = an.frequencyBinCount, binHz = ctx.sampleRate / an.fftSize;
  const sum = new Float64Array(bins); const db = new Float32Array(bins); const td = new Float32Array(an.fftSize);
  let rms = 0; const frames = 8; const reports = [];
  for (let f = 0; f < frames; f++) {
    // One frame every 100 ms, as the lab peers take them (the detector's window is 8 of them).
    if (f > 0) await new Promise((r) => setTimeout(r, 100));
    an.getFloatFrequencyData(db);
    for (let i = 0; i < bins; i++) sum[i] += Math.pow(10, db[i] / 10);
    an.getFloatTimeDomainData(td); let s = 0; for (const v of td) s += v * v; rms += s / td.length;
    reports.push(window.__labDetector.analyseFrame({ db, sampleRate: ctx.sampleRate, fftSize: an.fftSize, rmsDb: 10 * Math.log10(s / td.length || 1e-20) }, freqs));
  }
  const p = Array.from(sum, (v) => v / frames);
  const lo = Math.floor(100 / binHz), hi = Math.ceil(8000 / binHz);
  const tones = {}; const inBand = new Set();
  for (const f of freqs) {
    const c = Math.round(f / binHz); let m = 0;
    for (let i = c - 4; i <= c + 4; i++) { m = Math.max(m, p[i]); inBand.add(i); }
    tones[f] = 10 * Math.log10(m || 1e-20);
  }
  let peak = lo, residual = 0;
  for (let i = lo; i <= hi; i++) { if (p[i] > p[peak]) peak = i; if (!inBand.has(i)) residual += p[i]; }
  return { tones, peakHz: peak * binHz, residualDb: 10 * Math.log10(residual || 1e-20), rmsDb: 10 * Math.log10(rms / frames || 1e-20), frames: reports };
};`;

let detectorScript: Promise<string> | undefined;

/** The lab detector bundled for pages (window.__labDetector): one judgement of sound, in Node and in every page. */
function detectorBundle(): Promise<string> {
  detectorScript ??= build({
    entryPoints: [join(import.meta.dirname, '../lab/detector.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__labDetector',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  }).then((r) => `${r.outputFiles[0]!.text}\nwindow.__labDetector = __labDetector;`);
  return detectorScript;
}

export async function installProbe(page: Page): Promise<void> {
  await page.evaluate(await detectorBundle());
  await page.evaluate(probeScript);
}

export type RecordedFrame = FrameReport & { t: number };

export interface Recording {
  /** The frames recorded so far (one per 20 ms while the element existed), each with its time (epoch ms). */
  frames(): Promise<RecordedFrame[]>;
  /** Stops recording; every frame recorded. */
  stop(): Promise<RecordedFrame[]>;
}

let recordings = 0;

/**
 * Records what an <audio> element of the page plays (the lab detector's
 * frame every 20 ms) from now until stop(): a short sound cannot slip
 * between two probes, and an absence is observed over the whole window.
 * Waits for the element to appear. Needs installProbe.
 */
export async function recordElement(page: Page, selector: string, freqs: number[] = []): Promise<Recording> {
  const id = `r${++recordings}`;
  await page.evaluate(`window.__record(${JSON.stringify(id)}, ${JSON.stringify(selector)}, ${JSON.stringify(freqs)})`);
  return {
    frames: () => page.evaluate(`window.__recorders[${JSON.stringify(id)}].frames.slice()`) as Promise<RecordedFrame[]>,
    stop: () => page.evaluate(`window.__stopRecording(${JSON.stringify(id)})`) as Promise<RecordedFrame[]>,
  };
}

/** The strongest note of each audible frame (MIDI), repeats collapsed: a melody as it was heard. */
export function melodyOf(frames: readonly FrameReport[]): number[] {
  const out: number[] = [];
  for (const f of frames) {
    if (f.silence) continue;
    let best = -1;
    f.notes.forEach((v, i) => {
      if (v > 0 && (best < 0 || v > f.notes[best]!)) best = i;
    });
    const note = best < 0 ? -1 : DETECTOR.noteLow + best;
    if (note >= 0 && out.at(-1) !== note) out.push(note);
  }
  return out;
}

/** `wanted` appears in `heard` in order (other notes may come between, before and after). */
export function containsInOrder(heard: readonly number[], wanted: readonly number[]): boolean {
  let i = 0;
  for (const n of heard) if (n === wanted[i]) i++;
  return i === wanted.length;
}

let cueMelody: number[] | undefined;

/**
 * The completion cue's melody, taken from the cue itself (renderer/media/synth.ts
 * rendered at 48 kHz and framed every 20 ms as a recording is): what a
 * recording must contain for the cue to count as played.
 */
export function completionCueMelody(): number[] {
  if (!cueMelody) {
    const samples = cue(WAV_RATE);
    const padded = new Float32Array(samples.length + DETECTOR.fftSize * 2);
    padded.set(samples, DETECTOR.fftSize);
    const frames = pcmFrames(padded, WAV_RATE, [], Math.round(WAV_RATE / 50));
    cueMelody = melodyOf(frames);
  }
  return cueMelody;
}

/**
 * A plain RTCPeerConnection in a page (an independent far end): answers or
 * offers with full ICE gathering (no trickle, like JsSIP), reports its
 * transceiver direction, and probes what it receives.
 */
const peerScript = `
window.__peer = {
  pc: null, mic: null,
  async open() {
    this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    this.pc = new RTCPeerConnection({ iceServers: [] });
    this.pc.addTrack(this.mic.getAudioTracks()[0], this.mic);
    this.remote = new MediaStream();
    this.pc.ontrack = (e) => { this.remote.addTrack(e.track); void window.__probe(this.remote, []); };
  },
  async gathered() {
    if (this.pc.iceGatheringState === 'complete') return;
    await new Promise((r) => this.pc.addEventListener('icegatheringstatechange', () => this.pc.iceGatheringState === 'complete' && r()));
  },
  async answer(sdp) {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.gathered();
    return this.pc.localDescription.sdp;
  },
  async offer(direction) {
    const o = await this.pc.createOffer();
    await this.pc.setLocalDescription(o);
    await this.gathered();
    const sdp = this.pc.localDescription.sdp;
    return direction ? sdp.replace(/a=(sendrecv|sendonly|recvonly|inactive)/g, 'a=' + direction) : sdp;
  },
  async accept(sdp) { await this.pc.setRemoteDescription({ type: 'answer', sdp }); },
  direction() { return this.pc.getTransceivers()[0].currentDirection; },
  state() { return this.pc.iceConnectionState; },
  close() { this.pc.close(); this.mic.getTracks().forEach((t) => t.stop()); },
};`;

export async function installPeer(page: Page): Promise<void> {
  await installProbe(page);
  await page.evaluate(peerScript);
  await page.evaluate('window.__peer.open()');
}

export const peerProbe = (page: Page, freqs: number[]): Promise<Spectrum> =>
  page.evaluate(`window.__probe(window.__peer.remote, ${JSON.stringify(freqs)})`) as Promise<Spectrum>;

/** Probe the media host's own playback of a call (its <audio data-pc> element). */
export const hostProbe = (page: Page, pcId: string, freqs: number[]): Promise<Spectrum> =>
  page.evaluate(
    `window.__probe(document.querySelector('audio[data-pc=${JSON.stringify(pcId)}]').srcObject, ${JSON.stringify(freqs)})`,
  ) as Promise<Spectrum>;

/** Rewrite every direction attribute, as JsSIP's hold does on the wire (RTCSession._mangleOffer). */
export const withDirection = (sdp: string, direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive') =>
  sdp.replace(/a=(sendrecv|sendonly|recvonly|inactive)/g, `a=${direction}`);

/**
 * Listen until what arrives matches (audio through RTP and a jitter buffer
 * lags the change under test, more so on a loaded 2-core machine); fails
 * with the last spectrum heard. Returns the matching spectrum.
 */
/** A spectrum in one line for failure messages (levels, peak and the music recognised; not the frames). */
export function describeSpectrum(s: Spectrum): string {
  const { frames: _frames, ...levels } = s;
  const best = aggregate(s.frames, [], knownMusicSignatures());
  return `${JSON.stringify(levels)} music ${best.track ?? 'none'} (best match ${best.musicScore})`;
}

export async function heardEventually(
  probe: () => Promise<Spectrum>,
  ok: (s: Spectrum) => boolean,
  what: string,
  ms = 8_000,
): Promise<Spectrum> {
  const until = Date.now() + ms;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`never heard ${what}; last spectrum: ${describeSpectrum(last)}`);
    last = await probe();
  }
  return last;
}
