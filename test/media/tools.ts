/**
 * Helpers for the media tier: tone WAVs for Chromium's fake microphone, a
 * plain (non-proxied) peer page, and an FFT probe run inside a page on a
 * received stream. Page code is passed as strings: the test transformer may
 * inject helpers (`__name`) that do not exist in the page.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { toneSamples, writeWav } from '../support/wav';

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
}

/**
 * Installs `window.__probe(streamOrNull, freqs)` in a page: averages a
 * second of AnalyserNode frames on a stream (attached to a muted <audio>
 * too — Chromium only pulls remote audio that way, docs/testing.md).
 */
const probeScript = `
window.__probe = async (stream, freqs) => {
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
  // Let the change under test reach the ear (RTP + jitter buffer) before listening.
  await new Promise((r) => setTimeout(r, 500));
  const bins = an.frequencyBinCount, binHz = ctx.sampleRate / an.fftSize;
  const sum = new Float64Array(bins); const db = new Float32Array(bins); const td = new Float32Array(an.fftSize);
  let rms = 0; const frames = 8;
  for (let f = 0; f < frames; f++) {
    an.getFloatFrequencyData(db);
    for (let i = 0; i < bins; i++) sum[i] += Math.pow(10, db[i] / 10);
    an.getFloatTimeDomainData(td); let s = 0; for (const v of td) s += v * v; rms += s / td.length;
    await new Promise((r) => setTimeout(r, 100));
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
  return { tones, peakHz: peak * binHz, residualDb: 10 * Math.log10(residual || 1e-20), rmsDb: 10 * Math.log10(rms / frames || 1e-20) };
};`;

export async function installProbe(page: Page): Promise<void> {
  await page.evaluate(probeScript);
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
export async function heardEventually(
  probe: () => Promise<Spectrum>,
  ok: (s: Spectrum) => boolean,
  what: string,
  ms = 8_000,
): Promise<Spectrum> {
  const until = Date.now() + ms;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`never heard ${what}; last spectrum: ${JSON.stringify(last)}`);
    last = await probe();
  }
  return last;
}
