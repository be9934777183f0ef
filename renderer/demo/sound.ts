/**
 * The parties' mouths and ears in WebAudio. A mouth is the party's voice
 * (./voice.ts) looped into a MediaStream: each call gets its own clone of
 * the track (SIP.js stops a call's tracks when the call ends). An ear is an
 * AnalyserNode on a call's received audio, read ten times a second into
 * ./hearing.ts frames. One AudioContext for the whole page.
 */
import { HEARING, hearFrame, hearWindow, type FrameHearing } from './hearing';
import type { HearsReport, VoiceSpec } from './protocol';
import { speak } from './voice';

let context: AudioContext | null = null;
const audio = () => (context ??= new AudioContext({ sampleRate: 48_000 }));

/** Seconds of talk a voice loops: long enough not to sound like a loop at once. */
const LOOP_SECONDS = 14;

export class Mouth {
  private readonly destination: MediaStreamAudioDestinationNode;
  private readonly source: AudioBufferSourceNode;

  constructor(voice: VoiceSpec) {
    const ctx = audio();
    void ctx.resume();
    const samples = speak(voice, LOOP_SECONDS, ctx.sampleRate);
    const buffer = ctx.createBuffer(1, samples.length, ctx.sampleRate);
    buffer.copyToChannel(samples, 0);
    this.source = ctx.createBufferSource();
    this.source.buffer = buffer;
    this.source.loop = true;
    this.destination = ctx.createMediaStreamDestination();
    this.source.connect(this.destination);
    this.source.start();
  }

  /** A stream for one call. */
  stream(): MediaStream {
    return new MediaStream(this.destination.stream.getAudioTracks().map((t) => t.clone()));
  }

  close(): void {
    this.source.stop();
    this.source.disconnect();
    for (const t of this.destination.stream.getTracks()) t.stop();
  }
}

export class Ear {
  private readonly frames: FrameHearing[] = [];
  private readonly element: HTMLAudioElement;
  private readonly input: MediaStreamAudioSourceNode;
  private readonly analyser: AnalyserNode;
  private readonly timer: number;

  constructor(track: MediaStreamTrack, known: { voices: readonly number[]; tones: readonly number[] }) {
    const ctx = audio();
    void ctx.resume();
    const stream = new MediaStream([track]);
    // Chromium only pulls remote WebRTC audio through a media element: attach it, muted.
    this.element = document.createElement('audio');
    this.element.muted = true;
    this.element.autoplay = true;
    this.element.srcObject = stream;
    document.body.append(this.element);
    void this.element.play().catch(() => undefined);
    this.input = ctx.createMediaStreamSource(stream);
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = HEARING.fftSize;
    this.analyser.smoothingTimeConstant = 0;
    this.input.connect(this.analyser);
    const db = new Float32Array(this.analyser.frequencyBinCount);
    const time = new Float32Array(this.analyser.fftSize);
    this.timer = window.setInterval(() => {
      this.analyser.getFloatFrequencyData(db);
      this.analyser.getFloatTimeDomainData(time);
      let sum = 0;
      for (const v of time) sum += v * v;
      const rmsDb = 10 * Math.log10(sum / time.length + 1e-20);
      this.frames.push(hearFrame({ db, sampleRate: ctx.sampleRate, fftSize: this.analyser.fftSize, rmsDb }, known));
      if (this.frames.length > HEARING.windowFrames) this.frames.shift();
    }, 100);
  }

  hears(): HearsReport {
    return hearWindow(this.frames);
  }

  close(): void {
    window.clearInterval(this.timer);
    this.input.disconnect();
    this.element.srcObject = null;
    this.element.remove();
    this.frames.length = 0;
  }
}
