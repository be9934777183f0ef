/**
 * Main-side stand-ins for the browser objects JsSIP touches: session
 * descriptions, media stream and track handles, RTP senders and their DTMF
 * senders. The real objects live in the media host; these carry ids.
 */
import type { SessionDescriptionInit, TrackInfo } from './protocol';

/** `new RTCSessionDescription({type, sdp})` as JsSIP builds remote descriptions. */
export class ProxySessionDescription {
  readonly type: SessionDescriptionInit['type'];
  readonly sdp: string;
  constructor(init: { type?: unknown; sdp?: unknown } = {}) {
    const type = init.type;
    if (type !== 'offer' && type !== 'answer' && type !== 'pranswer' && type !== 'rollback') {
      throw new TypeError(`RTCSessionDescription: invalid type ${String(type)}`);
    }
    this.type = type;
    this.sdp = typeof init.sdp === 'string' ? init.sdp : '';
  }
  toJSON(): SessionDescriptionInit {
    return { type: this.type, sdp: this.sdp };
  }
}

/** How a track handle reports `enabled` writes (mute, hold) to the host. */
export type EnabledSink = (track: TrackHandle, enabled: boolean) => void;

/**
 * A track of a host stream. `enabled` writes are forwarded to the host's
 * *microphone* track with this id — never to whatever the sender carries at
 * the moment — so JsSIP's hold/mute keep working while hold music is swapped
 * onto the sender (docs/architecture.md, "The peer-connection proxy").
 */
export class TrackHandle {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly label: string;
  #enabled: boolean;
  #sink: EnabledSink;
  constructor(info: TrackInfo, sink: EnabledSink) {
    this.id = info.id;
    this.kind = info.kind;
    this.label = info.label;
    this.#enabled = info.enabled;
    this.#sink = sink;
  }
  get enabled(): boolean {
    return this.#enabled;
  }
  set enabled(value: boolean) {
    const next = Boolean(value);
    if (next === this.#enabled) return;
    this.#enabled = next;
    this.#sink(this, next);
  }
}

/**
 * A microphone stream living in the media host. Deliberately a plain object
 * without a `then` member: JsSIP returns it from a promise callback, and a
 * thenable would be unwrapped (docs/architecture.md).
 */
export class MediaStreamHandle {
  readonly id: string;
  readonly #tracks: TrackHandle[];
  constructor(id: string, tracks: TrackHandle[]) {
    this.id = id;
    this.#tracks = tracks;
  }
  getTracks(): TrackHandle[] {
    return [...this.#tracks];
  }
  // JsSIP calls these when mediaConstraints.audio/video === false (RTCSession.js 441–453).
  getAudioTracks(): TrackHandle[] {
    return this.#tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): TrackHandle[] {
    return this.#tracks.filter((t) => t.kind === 'video');
  }
  removeTrack(): void {
    // Our streams are audio-only; JsSIP only removes video tracks, of which there are none.
  }
}

/** What the DTMF sender needs from its connection. */
export interface DtmfHost {
  toneBuffer(): string;
  insert(tones: string, duration: number, gap: number): void;
}

const dtmfTones = /^[0-9A-D#*,]*$/i;

/** RTCDTMFSender (RFC 2833 / RFC 4733 telephone-events) as JsSIP uses it. */
export class DtmfSenderHandle {
  readonly #host: DtmfHost;
  constructor(host: DtmfHost) {
    this.#host = host;
  }
  get toneBuffer(): string {
    return this.#host.toneBuffer();
  }
  canInsertDTMF = true;
  insertDTMF(tones: string, duration = 100, interToneGap = 70): void {
    const text = String(tones);
    if (!dtmfTones.test(text)) {
      const error = new Error(`insertDTMF: invalid tones ${JSON.stringify(text)}`);
      error.name = 'InvalidCharacterError';
      throw error;
    }
    // W3C webrtc §7.2: duration clamped to [40, 6000] ms, gap at least 30 ms.
    const d = Math.min(6000, Math.max(40, Math.round(Number(duration) || 100)));
    const g = Math.min(6000, Math.max(30, Math.round(Number(interToneGap) || 70)));
    this.#host.insert(text.toUpperCase(), d, g);
  }
}

export class RtpSenderHandle {
  readonly track: TrackHandle;
  readonly dtmf: DtmfSenderHandle | null;
  constructor(track: TrackHandle, dtmf: DtmfSenderHandle | null) {
    this.track = track;
    this.dtmf = dtmf;
  }
}
