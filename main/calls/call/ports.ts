/**
 * What the call service needs from the outside world, as ports. The SIP
 * implementation lives in main/sip (the only JsSIP importer); tests supply
 * fakes; main/history supplies a SQLite-backed CallRecorder.
 */
import type { CallDirection, CallEvent, EndedBy, RemoteParty, RingVolume } from './machine';

/** One SIP call leg (a JsSIP RTCSession behind an adapter). Commands are fire-and-forget; outcomes come back as events. */
export interface CallLeg {
  readonly id: string;
  readonly direction: CallDirection;
  readonly remote: RemoteParty;
  /** An incoming INVITE with Replaces (RFC 3891): the id of our call it replaces; absent or null otherwise. */
  readonly replaces?: string | null;
  /** An incoming INVITE's Referred-By (RFC 3892): who transferred this caller to us; absent or null otherwise. */
  readonly referredBy?: string | null;
  /** The party Referred-By names, as the call card shows them; absent or null when unknown. */
  readonly transferredBy?: RemoteParty | null;
  answer(): void;
  decline(code: 486 | 603): void;
  hangup(): void;
  hold(): void;
  unhold(): void;
  dtmf(tones: string, mode: 'info' | 'rfc2833'): void;
  mute(on: boolean): void;
  /** Outcomes as call-machine events (sip.progress, sip.accepted, sip.holdChanged, sip.holdFailed, sip.ended). */
  onEvent(listener: (event: CallEvent) => void): () => void;
  /** Drop every listener and timer of this leg (after it ended). */
  dispose(): void;
}

export interface DialOptions {
  /**
   * A supervised safe blind's leg to the transferee (docs/transfers.md): the
   * agent's microphone is never on it and nothing is heard from it (the offer
   * only sends), so the agent stays free while the console reaches the transferee.
   */
  supervised?: boolean;
}

export interface Telephony {
  /** Starts an INVITE to a full sip: URI. Throws ConsoleError('unavailable') when the line cannot place calls. */
  dial(uri: string, remote: RemoteParty, options?: DialOptions): CallLeg;
  onIncoming(listener: (leg: CallLeg) => void): () => void;
  /** False while the WebSocket to the SIP server is down (a BYE could not be routed). */
  isConnected(): boolean;
  /** The account's SIP domain for numbers/extensions; null when no account. */
  domain(): string | null;
}

/** The history port (main/history's repository implements it). Every method is called as the fact happens. */
export interface CallRecorder {
  /** `transferredBy`: an incoming call that arrived by transfer, who transferred it. */
  callStarted(c: { callId: string; direction: CallDirection; remote: RemoteParty; at: number; transferredBy?: RemoteParty }): void;
  callAnswered(c: { callId: string; at: number }): void;
  callEnded(c: { callId: string; at: number; reason: string; by: EndedBy; code: number | null; answered: boolean }): void;
  holdStarted(c: { callId: string; at: number; heard: 'silence' | { music: string } }): void;
  holdEnded(c: { callId: string; at: number }): void;
}

/** Sounds and the agent's attention: ringtone in the media host, OS notifications in the shell. */
export interface CallAlerts {
  /** One ringer for all ringing calls: loud when the agent is free, soft (call waiting) while on a call. */
  ringer(mode: 'off' | RingVolume): void;
  incoming(callId: string, remote: RemoteParty, volume: RingVolume): void;
  dismiss(callId: string): void;
  missed(callId: string, remote: RemoteParty): void;
  problem(callId: string, message: string): void;
}

/** Hold music on a call's audio sender (main/sip/hold-music.ts over the media host). */
export interface HoldMusic {
  /**
   * on: the music replaces the microphone on the call's sender; resolves to the
   * music's name (null when the call has no audio connection). off: the
   * microphone is back; resolves null. Rejects when the media host cannot.
   */
  set(callId: string, on: boolean): Promise<string | null>;
}

/** Injected time: main/calls reads no clock and owns no Node timer directly. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): () => void;
}
