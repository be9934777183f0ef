/**
 * A finer "hears" for the transfer benchmark than the lab's detector.
 *
 * The lab detector (test/lab/detector.ts) is built to say WHAT a party hears
 * reliably: an 8192-point FFT (170 ms of audio) sampled every 100 ms, a tone
 * counted when it is in half of the frames of the window. As a clock it steps
 * in 100 ms frames and lags by up to a frame plus the FFT length, so a
 * "hears" time read from it can be ~100–270 ms late and moves in steps.
 *
 * This one only answers WHEN a known tone starts: an AudioWorklet on every
 * remote audio track of the page cuts the audio into 10 ms blocks (480
 * samples at 48 kHz), measures each party tone with a Hann-windowed Goertzel
 * filter, and calls a tone present in a block when it holds at least half of
 * the block's energy and the block is louder than −50 dBFS ('other' when no
 * party tone is, e.g. hold music). The onset is the
 * first block of a run of two present blocks; its time is when the worklet
 * finished that block (the page's clock), minus the block's length. Resolution:
 * one 10 ms block (the tone may have begun up to a block earlier but not
 * dominated it), plus the worklet → page message (well under a millisecond on
 * an idle page). The first RTP packet of the track (`unmute`) is kept too:
 * the earliest the tone could have been heard.
 *
 * It runs in the lab peers' pages, installed after they loaded: it wraps the
 * page's RTCPeerConnection so every connection made afterwards is watched
 * (SIP.js creates one per call). The pages are the lab's; the handle on the
 * page is the one thing taken from the Peer's private state.
 */
import type { Page } from 'playwright-core';
import type { Peer } from '../lab/lab';

/** Block length of the fine detector (ms): its resolution. */
export const FINE_BLOCK_MS = 10;

export interface TrackOnsets {
  /** When the connection carrying it was created (epoch ms). */
  pcCreated: number;
  /** First RTP packet on the track (epoch ms), if any yet. */
  unmuted: number | null;
  /** Every onset of each tone (Hz → epoch ms, ascending), and of 'other' sound (louder than −50 dBFS, no party tone: hold music). */
  onsets: Record<string, number[]>;
}

const pageOf = (peer: Peer): Page => (peer as unknown as { page: Page }).page;

// Strings, not functions: tsx would wrap named helpers in __name(), which the page lacks.
const worklet = `
class FineOnsets extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.freqs = options.processorOptions.freqs;
    this.size = options.processorOptions.size;
    this.buf = new Float32Array(this.size);
    this.win = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) this.win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (this.size - 1));
    this.n = 0;
    this.port.onmessage = (e) => { if (e.data === 'stop') this.stopped = true; };
  }
  process(inputs) {
    if (this.stopped) return false;
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    for (let i = 0; i < ch.length; i++) {
      this.buf[this.n++] = ch[i];
      if (this.n < this.size) continue;
      this.n = 0;
      let energy = 0, raw = 0;
      for (let k = 0; k < this.size; k++) { const v = this.buf[k] * this.win[k]; energy += v * v; raw += this.buf[k] * this.buf[k]; }
      const present = [];
      const rmsDb = 10 * Math.log10(raw / this.size + 1e-20);
      if (rmsDb > -50 && energy > 0) {
        for (const f of this.freqs) {
          const w = (2 * Math.PI * f) / sampleRate;
          let re = 0, im = 0;
          for (let k = 0; k < this.size; k++) { const v = this.buf[k] * this.win[k]; re += v * Math.cos(w * k); im -= v * Math.sin(w * k); }
          // A pure tone at f gives |X|² ≈ energy · N / 3 with a Hann window: the share of the block it holds.
          const share = (re * re + im * im) / ((energy * this.size) / 3);
          if (share >= 0.5) present.push(f);
        }
        // Sound that is none of the party tones (hold music, the lab's speech): 'other'.
        if (present.length === 0) present.push('other');
      }
      this.port.postMessage(present);
    }
    return true;
  }
}
registerProcessor('fine-onsets', FineOnsets);
`;

const install = `(async () => {
  if (window.__fine) return;
  const tracks = [];
  const stops = new Set();
  // Stops every watcher (a remote track does not always end when its call does): nodes, sources, elements.
  const reset = () => { for (const stop of [...stops]) stop(); tracks.splice(0); };
  window.__fine = { tracks, reset, blockMs: ${FINE_BLOCK_MS} };
  const ctx = new AudioContext({ sampleRate: 48000 });
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([${JSON.stringify(worklet)}], { type: 'text/javascript' })));
  void ctx.resume();
  const freqs = [440, 660, 880];
  const now = () => performance.timeOrigin + performance.now();
  const Native = window.RTCPeerConnection;
  const watch = (pc, pcCreated) => pc.addEventListener('track', (e) => {
    if (e.track.kind !== 'audio') return;
    const rec = { pcCreated, unmuted: e.track.muted ? null : now(), onsets: { 440: [], 660: [], 880: [], other: [] } };
    tracks.push(rec);
    e.track.addEventListener('unmute', () => { if (rec.unmuted === null) rec.unmuted = now(); });
    const stream = new MediaStream([e.track]);
    // Chromium pulls remote WebRTC audio only through a media element: attach one, muted.
    const audio = document.createElement('audio');
    audio.muted = true;
    audio.srcObject = stream;
    document.body.appendChild(audio);
    void audio.play().catch(() => undefined);
    const source = ctx.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(ctx, 'fine-onsets', { processorOptions: { freqs, size: 480 } });
    const runs = { 440: 0, 660: 0, 880: 0, other: 0 };
    const first = { 440: 0, 660: 0, 880: 0, other: 0 };
    node.port.onmessage = (m) => {
      const end = now();
      for (const f of [...freqs, 'other']) {
        if (m.data.includes(f)) {
          if (runs[f] === 0) first[f] = end - ${FINE_BLOCK_MS};
          runs[f] += 1;
          if (runs[f] === 2) rec.onsets[f].push(first[f]);
        } else runs[f] = 0;
      }
    };
    source.connect(node);
    const stop = () => {
      stops.delete(stop);
      node.port.postMessage('stop');
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      audio.srcObject = null;
      audio.remove();
    };
    stops.add(stop);
    e.track.addEventListener('ended', stop);
  });
  const Wrapped = function (...args) {
    const pc = new Native(...args);
    watch(pc, now());
    return pc;
  };
  Wrapped.prototype = Native.prototype;
  Object.setPrototypeOf(Wrapped, Native);
  window.RTCPeerConnection = Wrapped;
})()`;

/** Installs the fine detector in the peer's page (idempotent). */
export async function installFineEars(peer: Peer): Promise<void> {
  await pageOf(peer).evaluate(install);
}

/** Every watched remote track of the peer so far. */
export async function fineTracks(peer: Peer): Promise<TrackOnsets[]> {
  return (await pageOf(peer).evaluate('window.__fine ? window.__fine.tracks : []')) as TrackOnsets[];
}

/** The first onset of `hz` (or 'other' sound) after `after` (epoch ms) on any watched track, and that track's first packet. */
export async function firstOnsetAfter(peer: Peer, hz: number | 'other', after: number): Promise<{ onset: number; unmuted: number | null } | null> {
  let best: { onset: number; unmuted: number | null } | null = null;
  for (const t of await fineTracks(peer)) {
    const onset = t.onsets[String(hz)]?.find((x) => x > after);
    if (onset !== undefined && (best === null || onset < best.onset)) best = { onset, unmuted: t.unmuted };
  }
  return best;
}

/** Between scenarios (no call left): stops every watcher and forgets its onsets, so a long run stays light. */
export async function forgetFineTracks(peer: Peer): Promise<void> {
  await pageOf(peer).evaluate('window.__fine && window.__fine.reset()');
}
