/**
 * What main's demo director and the hidden parties page say to each other
 * over the switchboard's control channel (JSON on a WebSocket, see
 * main/demo/switchboard.ts). The page is a bank of phones: main decides who
 * calls whom and how each party treats the next call; the page carries it
 * out with SIP.js and WebRTC and reports what happened. Types only here;
 * main validates every report (main/demo/director-protocol.ts).
 */

/** A voice the page synthesises for a party (./voice.ts): pitch, pace and vocal tract. */
export interface VoiceSpec {
  /** Mean fundamental frequency, Hz. Each party's differs, so who speaks can be told apart. */
  f0: number;
  /** Syllables per second. */
  rate: number;
  /** Formant frequencies relative to an adult male's (≈1.0 male, ≈1.17 female). */
  tract: number;
  seed: number;
}

export interface PartySpec {
  /** The director's name for the party, e.g. `anna` or `caller-3`. */
  id: string;
  /** SIP user: a number such as 201 or +4930555010. */
  user: string;
  /** Display name in From, e.g. "Anna Berg". */
  name: string;
  voice: VoiceSpec;
  /** Colleagues register (they are called); callers only place calls. */
  register: boolean;
}

/** How a party treats the next call that rings (calls that replace one of its calls are always taken). */
export type IncomingMode =
  | { kind: 'answer'; afterMs: number }
  | { kind: 'reject'; status: 480 | 486 | 603; afterMs: number }
  /** Let it ring: the caller or the queue gives up. */
  | { kind: 'ignore' };

export type DirectorCommand =
  /** First: where the switchboard is, and what the parties' ears should recognise (every party's pitch; pure test tones). */
  | { type: 'hello'; sipUrl: string; domain: string; voices: number[]; tones: number[] }
  | { type: 'party'; party: PartySpec; incoming: IncomingMode }
  | { type: 'dismiss'; party: string }
  | { type: 'incoming'; party: string; mode: IncomingMode }
  | { type: 'call'; party: string; to: string }
  | { type: 'hangup'; party: string; call?: string }
  /** The party hands its current call on to `to`: blind (REFER), or attended (consult first, then REFER with Replaces). */
  | { type: 'transfer'; party: string; to: string; attended: boolean; consultMs: number }
  | { type: 'hears'; party: string; request: number };

export type CallPhase = 'calling' | 'ringing' | 'established' | 'ended';

export interface HearsReport {
  /** Voices heard (party f0 signatures recognised), by f0. */
  voices: number[];
  /** Known test tones heard (e.g. the lab's 660 Hz agent tone). */
  tones: number[];
  /** Audible sound that is neither a known voice nor a tone: hold music. */
  music: boolean;
  silence: boolean;
  levelDb: number;
}

export type PartyReport =
  | { type: 'ready' }
  | { type: 'party-ready'; party: string; registered: boolean }
  | {
      type: 'call';
      party: string;
      call: string;
      direction: 'in' | 'out';
      phase: CallPhase;
      /** The other side's SIP user (a number, or `agent`). */
      remote: string;
      status?: number;
      /** This call follows a REFER the party received (it was transferred). */
      referred?: boolean;
      /** This call replaced one of the party's calls (an attended transfer completed). */
      replaced?: boolean;
    }
  | { type: 'held'; party: string; call: string; held: boolean }
  | { type: 'heard'; request: number; report: HearsReport | null }
  | { type: 'problem'; party?: string; message: string };
