/**
 * Everything the host plays: remote call audio (to the output device), the
 * ringtone (to the ringer device), the completion cue and music preview (to
 * the output device), and the hold-music track sent to held callers
 * (WebAudio → MediaStreamAudioDestinationNode, swapped onto a sender with
 * replaceTrack by host.ts).
 */
import type { MusicSource } from '../../main/media/protocol';
import { classic, cue, lounge, ringtone } from './synth';

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

const sinkOf = (deviceId: string) => (deviceId === 'default' ? '' : deviceId);

export class AudioEngine {
  outputDeviceId = 'default';
  ringerDeviceId = 'default';
  #ctx: AudioContext | null = null;
  readonly #remote = new Map<string, SinkElement>();
  // Local sounds: one element per destination device so each follows its own setSinkId.
  #outputEl: SinkElement | null = null;
  #ringerEl: SinkElement | null = null;
  #outputDest: MediaStreamAudioDestinationNode | null = null;
  #ringerDest: MediaStreamAudioDestinationNode | null = null;
  // Hold music: source → gain → musicDest (to callers) and → outputDest while previewing.
  #musicDest: MediaStreamAudioDestinationNode | null = null;
  #musicGain: GainNode | null = null;
  #musicSource: AudioBufferSourceNode | null = null;
  #musicBuffer: AudioBuffer | null = null;
  #musicName = 'Lounge';
  #musicUsers = new Set<string>();
  #previewing = false;
  #ring: AudioBufferSourceNode | null = null;
  #cues = 0;
  /** Suspended by #sleepIfIdle (set at once: the suspend itself completes later). */
  #asleep = false;
  #sleepTimer: ReturnType<typeof setTimeout> | null = null;
  #switching: Promise<void> = Promise.resolve();
  /** How long the engine stays awake after the last sound. */
  static idleMs = 5000;

  get musicName(): string {
    return this.#musicName;
  }

  get remoteElements(): number {
    return this.#remote.size;
  }

  #context(): AudioContext {
    if (!this.#ctx) {
      this.#ctx = new AudioContext({ latencyHint: 'interactive' });
      this.#outputDest = this.#ctx.createMediaStreamDestination();
      this.#ringerDest = this.#ctx.createMediaStreamDestination();
      this.#musicDest = this.#ctx.createMediaStreamDestination();
      this.#musicGain = this.#ctx.createGain();
      this.#musicGain.gain.value = 0.5;
      this.#musicGain.connect(this.#musicDest);
      this.#outputEl = this.#element(this.#outputDest.stream, this.outputDeviceId, 'output');
      this.#ringerEl = this.#element(this.#ringerDest.stream, this.ringerDeviceId, 'ringer');
    }
    if (this.#sleepTimer !== null) clearTimeout(this.#sleepTimer);
    this.#sleepTimer = null;
    if (this.#asleep || this.#ctx.state === 'suspended') {
      this.#asleep = false;
      this.#switchContext('resume');
      for (const el of [this.#outputEl, this.#ringerEl]) if (el?.paused) void el.play().catch(() => undefined);
    }
    return this.#ctx;
  }

  /**
   * Nothing to play (no ringtone, no hold music, no preview, no cue) for a few seconds: the
   * context and the elements it feeds stop, so an idle console renders no audio — a running
   * context keeps an output stream open, which costs CPU in this page and in the audio service
   * on every 10 ms tick. The next sound resumes them. Not at once, and never overlapping: a
   * context suspended and resumed in a quick burst (ring, answer, hold) was measured to come back
   * running but feeding silence to the held caller.
   */
  #sleepIfIdle(): void {
    if (!this.#ctx || this.#asleep || this.#sleepTimer !== null) return;
    this.#sleepTimer = setTimeout(() => {
      this.#sleepTimer = null;
      if (!this.#ctx || this.#asleep || this.#ring || this.#musicSource || this.#previewing || this.#cues > 0) return;
      this.#asleep = true;
      this.#switchContext('suspend');
      this.#outputEl?.pause();
      this.#ringerEl?.pause();
    }, AudioEngine.idleMs);
  }

  /** Suspend and resume one after the other, never overlapping (each waits for the one before). */
  #switchContext(to: 'suspend' | 'resume'): void {
    const ctx = this.#ctx!;
    this.#switching = this.#switching.then(() => (to === 'suspend' ? ctx.suspend() : ctx.resume())).catch(() => undefined);
  }

  #element(stream: MediaStream, deviceId: string, role: string): SinkElement {
    const el = document.createElement('audio') as SinkElement;
    el.dataset['role'] = role;
    el.autoplay = true;
    el.srcObject = stream;
    document.body.append(el);
    void this.#sink(el, deviceId);
    void el.play().catch(() => undefined);
    return el;
  }

  async #sink(el: SinkElement, deviceId: string): Promise<void> {
    if (!el.setSinkId) return;
    try {
      await el.setSinkId(sinkOf(deviceId));
    } catch {
      // The device vanished between enumerate and now: the default device keeps playing.
      await el.setSinkId('').catch(() => undefined);
    }
  }

  async setDevices(output: string, ringer: string): Promise<void> {
    this.outputDeviceId = output;
    this.ringerDeviceId = ringer;
    const jobs: Promise<void>[] = [];
    for (const el of this.#remote.values()) jobs.push(this.#sink(el, output));
    if (this.#outputEl) jobs.push(this.#sink(this.#outputEl, output));
    if (this.#ringerEl) jobs.push(this.#sink(this.#ringerEl, ringer));
    await Promise.all(jobs);
  }

  /** Remote audio of a call: played through an <audio> element on the output device. */
  playRemote(pcId: string, stream: MediaStream): void {
    let el = this.#remote.get(pcId);
    if (!el) {
      el = document.createElement('audio') as SinkElement;
      el.autoplay = true;
      el.dataset['pc'] = pcId;
      document.body.append(el);
      this.#remote.set(pcId, el);
      void this.#sink(el, this.outputDeviceId);
    }
    if (el.srcObject !== stream) el.srcObject = stream;
    void el.play().catch(() => undefined);
  }

  stopRemote(pcId: string): void {
    const el = this.#remote.get(pcId);
    if (!el) return;
    el.pause();
    el.srcObject = null;
    el.remove();
    this.#remote.delete(pcId);
  }

  #buffer(samples: Float32Array): AudioBuffer {
    const ctx = this.#context();
    const buffer = ctx.createBuffer(1, samples.length, ctx.sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    return buffer;
  }

  async configureMusic(source: MusicSource, name: string, volume: number): Promise<string> {
    const ctx = this.#context();
    let buffer: AudioBuffer;
    if ('builtin' in source) {
      buffer = this.#buffer(source.builtin === 'classic' ? classic(ctx.sampleRate) : lounge(ctx.sampleRate));
    } else {
      const bytes = Uint8Array.from(atob(source.base64), (c) => c.charCodeAt(0));
      buffer = await ctx.decodeAudioData(bytes.buffer);
    }
    this.#musicBuffer = buffer;
    this.#musicName = name;
    this.#musicGain!.gain.value = Math.min(1, Math.max(0, volume));
    if (this.#musicSource) {
      // Switch pieces in place: held callers hear the new one without a renegotiation.
      this.#stopMusicSource();
      this.#startMusicSource();
    }
    this.#sleepIfIdle();
    return name;
  }

  #startMusicSource(): void {
    const ctx = this.#context();
    if (!this.#musicBuffer) this.#musicBuffer = this.#buffer(lounge(ctx.sampleRate));
    const source = ctx.createBufferSource();
    source.buffer = this.#musicBuffer;
    source.loop = true;
    source.connect(this.#musicGain!);
    source.start();
    this.#musicSource = source;
  }

  #stopMusicSource(): void {
    if (!this.#musicSource) return;
    this.#musicSource.stop();
    this.#musicSource.disconnect();
    this.#musicSource = null;
  }

  #updateMusic(): void {
    const wanted = this.#musicUsers.size > 0 || this.#previewing;
    // Synthesis only runs while someone listens (2-core agent PCs run a softphone and a CRM).
    if (wanted && !this.#musicSource) this.#startMusicSource();
    if (!wanted) {
      this.#stopMusicSource();
      this.#sleepIfIdle();
    }
  }

  /** The hold-music track a held leg's sender carries (one shared track; volume applies to all). */
  musicTrack(user: string): MediaStreamTrack {
    this.#context();
    this.#musicUsers.add(user);
    this.#updateMusic();
    return this.#musicDest!.stream.getAudioTracks()[0]!;
  }

  releaseMusic(user: string): void {
    this.#musicUsers.delete(user);
    this.#updateMusic();
  }

  preview(on: boolean): void {
    this.#context();
    if (on && !this.#previewing) this.#musicGain!.connect(this.#outputDest!);
    if (!on && this.#previewing) this.#musicGain!.disconnect(this.#outputDest!);
    this.#previewing = on;
    this.#updateMusic();
  }

  startRing(soft: boolean): void {
    this.#stopRingSource();
    const ctx = this.#context();
    const source = ctx.createBufferSource();
    source.buffer = this.#buffer(ringtone(ctx.sampleRate, soft));
    source.loop = true;
    const gain = ctx.createGain();
    // Call waiting: a second call rings softly so the conversation stays audible.
    gain.gain.value = soft ? 0.25 : 1;
    source.connect(gain).connect(this.#ringerDest!);
    source.start();
    this.#ring = source;
  }

  stopRing(): void {
    if (!this.#ring) return;
    this.#stopRingSource();
    this.#sleepIfIdle();
  }

  #stopRingSource(): void {
    this.#ring?.stop();
    this.#ring?.disconnect();
    this.#ring = null;
  }

  get ringing(): boolean {
    return this.#ring !== null;
  }

  playCue(): Promise<void> {
    const ctx = this.#context();
    const source = ctx.createBufferSource();
    source.buffer = this.#buffer(cue(ctx.sampleRate));
    source.connect(this.#outputDest!);
    this.#cues++;
    return new Promise((resolve) => {
      source.onended = () => {
        source.disconnect();
        this.#cues--;
        this.#sleepIfIdle();
        resolve();
      };
      source.start();
    });
  }
}
