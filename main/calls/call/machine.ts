/**
 * One call's life as data: `transition(state, event) → { state, effects }`.
 * Pure — no I/O, no timers, no JsSIP. The call service (service.ts) feeds it
 * agent intents and SIP events and executes the effects it returns.
 *
 *   outgoing:  trying ──1xx──▶ ringing ──183+SDP──▶ early-media
 *                 │  ╲            │                    │
 *                 │   ╲──183+SDP──┼──────▶ (early)      │
 *                 └───────────────┴───── 2xx ──────────┴──▶ established ──▶ ended
 *   incoming:  ringing ──answer──▶ answering ──2xx sent/ACK──▶ established ──▶ ended
 *                 └──decline 486|603──────────────────────────────────────▶ ended
 *   any live state ──hangup | sip.ended | media.gone──▶ ended {reason, by}
 *
 * Hold and mute are ATTRIBUTES of `established`, not states (a held call is
 * still an established dialog):
 *   hold.local  : agent put the call on hold (re-INVITE sendonly, RFC 3264 §8.4)
 *   hold.remote : the far end holds us (their re-INVITE sendonly/inactive)
 *   holdPending : our hold/unhold is in flight; no second one until it settles
 *   holdMusic   : the music the far end hears from us while we hold it (null = none)
 *
 * Every local hold plays music (docs/transfers.md, "Hold and music").
 * Order (JsSIP 3.13.8 hold() disables whatever track the sender carries at that
 * moment): hold = re-INVITE sendonly, THEN music on (one
 * `media.holdMusic` effect, answered by holdMusic.started/failed); resume =
 * music off (microphone back) FIRST, then the re-INVITE sendrecv. `holdPending`
 * covers both halves, so no other hold change can interleave. A hold whose
 * re-INVITE fails never started music; a resume whose re-INVITE fails puts the
 * music back (the caller is still held).
 *   muted       : our microphone track is disabled (no signalling)
 *
 * Every move not drawn above throws IllegalTransition("<from> → <event>").
 * The service checks `allowedActions` before feeding an agent intent, so a
 * throw here is a bug caught, never an agent-facing error.
 */

export type CallDirection = 'outgoing' | 'incoming';
export type CallPhase = 'trying' | 'ringing' | 'early-media' | 'answering' | 'established' | 'ended';
export type EndedBy = 'agent' | 'remote' | 'system';
export type CallAction = 'answer' | 'decline' | 'hangup' | 'hold' | 'unhold' | 'mute' | 'unmute' | 'dtmf' | 'swap';
export type RingVolume = 'loud' | 'soft';

export interface RemoteParty {
  /** What the agent reads: the user part / number. */
  number: string;
  uri: string;
  displayName: string | null;
}

export interface CallState {
  readonly id: string;
  readonly direction: CallDirection;
  readonly phase: CallPhase;
  readonly remote: RemoteParty;
  readonly hold: { readonly local: boolean; readonly remote: boolean };
  readonly holdPending: 'hold' | 'unhold' | null;
  readonly muted: boolean;
  /** Hold music playing to the far end (every local hold), null = none. */
  readonly holdMusic: string | null;
  /** When our local hold took effect (re-INVITE answered); null while not held by us. */
  readonly heldSince: number | null;
  /** What history has for the current local hold period (null: not recorded yet). */
  readonly holdHeard: HoldHeard | null;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly ended: { readonly reason: string; readonly by: EndedBy; readonly code: number | null } | null;
  /** Incoming only: whether it rang loud (alone) or soft (call waiting). */
  readonly ring: RingVolume | null;
  /** Incoming only: who transferred this caller to us (Referred-By, or the party of the call it replaced); null otherwise. */
  readonly transferredBy: RemoteParty | null;
}

export type HoldHeard = 'silence' | { music: string };

export type CallEvent =
  // agent intents
  | { type: 'answer' }
  | { type: 'decline'; code: 486 | 603 }
  /** `transportUp` false: the BYE/CANCEL cannot reach the server; we end locally and say so. */
  | { type: 'hangup'; transportUp: boolean }
  | { type: 'hold' }
  | { type: 'unhold' }
  | { type: 'mute' }
  | { type: 'unmute' }
  | { type: 'dtmf'; tones: string }
  // SIP, from the session adapter
  | { type: 'sip.progress'; code: number; earlyMedia: boolean }
  | { type: 'sip.accepted' }
  | { type: 'sip.holdChanged'; originator: 'local' | 'remote'; on: boolean }
  | { type: 'sip.holdFailed'; reason: string }
  | { type: 'sip.ended'; by: 'remote' | 'system'; reason: string; code: number | null }
  // media host
  | { type: 'media.gone'; reason: string }
  /** The media host swapped the music onto the sender (`track`: its name). */
  | { type: 'holdMusic.started'; track: string }
  /** The microphone is back on the sender. */
  | { type: 'holdMusic.stopped' }
  /** The media host could not swap (on or off); the caller hears silence. */
  | { type: 'holdMusic.failed'; reason: string };

export type CallEventType = CallEvent['type'];

export type Effect =
  | { type: 'sip.answer'; callId: string }
  | { type: 'sip.decline'; callId: string; code: 486 | 603 }
  | { type: 'sip.hangup'; callId: string }
  | { type: 'sip.hold'; callId: string }
  | { type: 'sip.unhold'; callId: string }
  | { type: 'sip.dtmf'; callId: string; tones: string }
  | { type: 'media.mute'; callId: string; on: boolean }
  /** Music onto the held leg's sender (on) or the microphone back (off); answered by holdMusic.* events. */
  | { type: 'media.holdMusic'; callId: string; on: boolean }
  | { type: 'media.ringtone'; callId: string; action: 'start'; volume: RingVolume }
  | { type: 'media.ringtone'; callId: string; action: 'stop' }
  | { type: 'history.started'; callId: string; direction: CallDirection; remote: RemoteParty; at: number; transferredBy?: RemoteParty }
  | { type: 'history.answered'; callId: string; at: number }
  | { type: 'history.holdStarted'; callId: string; at: number; heard: HoldHeard }
  | { type: 'history.holdEnded'; callId: string; at: number }
  | { type: 'history.ended'; callId: string; at: number; reason: string; by: EndedBy; code: number | null; answered: boolean }
  | { type: 'notify.incoming'; callId: string; remote: RemoteParty; volume: RingVolume }
  | { type: 'notify.dismiss'; callId: string }
  | { type: 'notify.missed'; callId: string; remote: RemoteParty }
  | { type: 'notify.problem'; callId: string; message: string }
  /** Ask the service to fire `name` for this call after `ms`; all of a call's timers die with it. */
  | { type: 'timer.start'; callId: string; name: 'dismiss'; ms: number }
  | { type: 'timer.cancelAll'; callId: string };

export interface Transition {
  state: CallState;
  effects: Effect[];
}

/** How long an ended call's card stays visible with its reason. */
export const ENDED_CARD_MS = 6000;

export class IllegalTransition extends Error {
  constructor(
    readonly from: string,
    readonly event: string,
  ) {
    super(`illegal call transition: ${from} → ${event}`);
    this.name = 'IllegalTransition';
  }
}

/** `outgoing/ringing`, `incoming/established`, … — the name used in errors and tables. */
export const stateName = (s: Pick<CallState, 'direction' | 'phase'>) => `${s.direction}/${s.phase}`;

const base = (id: string, direction: CallDirection, remote: RemoteParty, at: number): CallState => ({
  id,
  direction,
  phase: direction === 'outgoing' ? 'trying' : 'ringing',
  remote,
  hold: { local: false, remote: false },
  holdPending: null,
  muted: false,
  holdMusic: null,
  heldSince: null,
  holdHeard: null,
  startedAt: at,
  answeredAt: null,
  endedAt: null,
  ended: null,
  ring: null,
  transferredBy: null,
});

/** The agent dialled: the INVITE goes out (the service starts it before calling this). */
export function createOutgoing(id: string, remote: RemoteParty, at: number): Transition {
  const state = base(id, 'outgoing', remote, at);
  return { state, effects: [{ type: 'history.started', callId: id, direction: 'outgoing', remote, at }] };
}

/**
 * An INVITE arrived. `ring` is decided by the call set: soft while the agent is already on a call.
 * `transferredBy`: who transferred the caller to us, when it arrived by transfer.
 */
export function createIncoming(id: string, remote: RemoteParty, at: number, ring: RingVolume, transferredBy: RemoteParty | null = null): Transition {
  const state = { ...base(id, 'incoming', remote, at), ring, transferredBy };
  return {
    state,
    effects: [
      { type: 'history.started', callId: id, direction: 'incoming', remote, at, ...(transferredBy && { transferredBy }) },
      { type: 'media.ringtone', callId: id, action: 'start', volume: ring },
      { type: 'notify.incoming', callId: id, remote, volume: ring },
    ],
  };
}

const isLive = (s: CallState) => s.phase !== 'ended';

/** The actions main offers the agent for this call alone (the call set adds swap). */
export function allowedActions(s: CallState): CallAction[] {
  switch (s.phase) {
    case 'ringing':
      return s.direction === 'incoming' ? ['answer', 'decline'] : ['hangup'];
    case 'trying':
    case 'answering':
      return ['hangup'];
    case 'early-media':
      return ['hangup', 'dtmf'];
    case 'established': {
      const actions: CallAction[] = ['hangup'];
      if (s.holdPending === null) actions.push(s.hold.local ? 'unhold' : 'hold');
      actions.push(s.muted ? 'unmute' : 'mute');
      actions.push('dtmf');
      return actions;
    }
    case 'ended':
      return [];
  }
}

/** The only function that changes a call. `now` is injected: the machine reads no clock. */
export function transition(s: CallState, e: CallEvent, now: number): Transition {
  const illegal = () => new IllegalTransition(stateName(s), e.type);
  if (!isLive(s)) throw illegal();
  const id = s.id;

  const end = (reason: string, by: EndedBy, code: number | null, extra: Effect[] = []): Transition => {
    const answered = s.answeredAt !== null;
    const effects: Effect[] = [...extra];
    if (s.direction === 'incoming' && (s.phase === 'ringing' || s.phase === 'answering')) {
      effects.push({ type: 'media.ringtone', callId: id, action: 'stop' }, { type: 'notify.dismiss', callId: id });
      if (by === 'remote') effects.push({ type: 'notify.missed', callId: id, remote: s.remote });
    }
    if (s.hold.local) {
      // Music was still being swapped in: the caller heard silence for this hold.
      if (s.holdHeard === null) effects.push({ type: 'history.holdStarted', callId: id, at: s.heldSince ?? now, heard: 'silence' });
      effects.push({ type: 'history.holdEnded', callId: id, at: now });
    }
    effects.push(
      { type: 'history.ended', callId: id, at: now, reason, by, code, answered },
      { type: 'timer.cancelAll', callId: id },
      { type: 'timer.start', callId: id, name: 'dismiss', ms: ENDED_CARD_MS },
    );
    return {
      // The connection closes with the call: no music plays on after it.
      state: { ...s, phase: 'ended', holdPending: null, holdMusic: null, endedAt: now, ended: { reason, by, code } },
      effects,
    };
  };

  switch (e.type) {
    case 'answer':
      if (s.direction !== 'incoming' || s.phase !== 'ringing') throw illegal();
      return {
        state: { ...s, phase: 'answering' },
        effects: [
          { type: 'media.ringtone', callId: id, action: 'stop' },
          { type: 'notify.dismiss', callId: id },
          { type: 'sip.answer', callId: id },
        ],
      };

    case 'decline':
      if (s.direction !== 'incoming' || s.phase !== 'ringing') throw illegal();
      return end(e.code === 486 ? 'Declined (busy)' : 'Declined', 'agent', e.code, [
        { type: 'sip.decline', callId: id, code: e.code },
      ]);

    case 'hangup': {
      if (s.direction === 'incoming' && s.phase === 'ringing') throw illegal(); // that is decline
      const what = s.phase === 'established' ? 'Hung up' : 'Cancelled';
      const reason = e.transportUp
        ? what
        : `${what} — the SIP server was unreachable, so the other party may not have been told yet`;
      return end(reason, 'agent', null, [{ type: 'sip.hangup', callId: id }]);
    }

    case 'hold':
      if (s.phase !== 'established' || s.hold.local || s.holdPending !== null) throw illegal();
      return { state: { ...s, holdPending: 'hold' }, effects: [{ type: 'sip.hold', callId: id }] };

    case 'unhold':
      if (s.phase !== 'established' || !s.hold.local || s.holdPending !== null) throw illegal();
      // Microphone back first, then the re-INVITE (JsSIP's unhold re-enables the track the sender carries).
      return {
        state: { ...s, holdPending: 'unhold' },
        effects: [s.holdMusic !== null ? { type: 'media.holdMusic', callId: id, on: false } : { type: 'sip.unhold', callId: id }],
      };

    case 'mute':
      if (s.phase !== 'established' || s.muted) throw illegal();
      return { state: { ...s, muted: true }, effects: [{ type: 'media.mute', callId: id, on: true }] };

    case 'unmute':
      if (s.phase !== 'established' || !s.muted) throw illegal();
      return { state: { ...s, muted: false }, effects: [{ type: 'media.mute', callId: id, on: false }] };

    case 'dtmf':
      if (s.phase !== 'established' && s.phase !== 'early-media') throw illegal();
      return { state: s, effects: [{ type: 'sip.dtmf', callId: id, tones: e.tones }] };

    case 'sip.progress': {
      if (s.direction !== 'outgoing' || s.phase === 'established') throw illegal();
      // 100 Trying changes nothing; 18x rings; 183 (or any 18x) with SDP is early media.
      // Repeated 18x are normal (RFC 3261 §13.2.2.1), so the same phase again is legal.
      if (e.code < 101) return { state: s, effects: [] };
      if (e.earlyMedia) return { state: { ...s, phase: 'early-media' }, effects: [] };
      if (s.phase === 'early-media') return { state: s, effects: [] }; // never fall back from early media
      return { state: { ...s, phase: 'ringing' }, effects: [] };
    }

    case 'sip.accepted':
      if (s.direction === 'outgoing' ? s.phase === 'established' : s.phase !== 'answering') throw illegal();
      return {
        state: { ...s, phase: 'established', answeredAt: now },
        effects: [{ type: 'history.answered', callId: id, at: now }],
      };

    case 'sip.holdChanged': {
      if (s.phase !== 'established') throw illegal();
      if (e.originator === 'remote') {
        return { state: { ...s, hold: { ...s.hold, remote: e.on } }, effects: [] };
      }
      if (e.on === s.hold.local) return { state: s, effects: [] };
      if (e.on) {
        // Held: now the music (the hold is pending until the host answers).
        return {
          state: { ...s, hold: { ...s.hold, local: true }, holdPending: 'hold', heldSince: now, holdHeard: null },
          effects: [{ type: 'media.holdMusic', callId: id, on: true }],
        };
      }
      const effects: Effect[] = [];
      if (s.holdHeard === null) effects.push({ type: 'history.holdStarted', callId: id, at: s.heldSince ?? now, heard: 'silence' });
      effects.push({ type: 'history.holdEnded', callId: id, at: now });
      return {
        state: { ...s, hold: { ...s.hold, local: false }, holdPending: null, holdMusic: null, heldSince: null, holdHeard: null },
        effects,
      };
    }

    case 'sip.holdFailed': {
      if (s.phase !== 'established' || s.holdPending === null) throw illegal();
      const problem: Effect = {
        type: 'notify.problem',
        callId: id,
        message: `${s.holdPending === 'hold' ? 'Hold' : 'Resume'} did not go through: ${e.reason}`,
      };
      // A failed hold never started music (music follows the answered re-INVITE): nothing to roll back.
      if (s.holdPending === 'hold' || !s.hold.local) return { state: { ...s, holdPending: null }, effects: [problem] };
      // A failed resume: the caller is still held and we took the music off first — put it back.
      return { state: { ...s, holdPending: 'hold' }, effects: [problem, { type: 'media.holdMusic', callId: id, on: true }] };
    }

    case 'sip.ended':
      return end(e.reason, e.by, e.code);

    case 'media.gone':
      return end(`Audio stopped: ${e.reason}`, 'system', null, [{ type: 'sip.hangup', callId: id }]);

    case 'holdMusic.started': {
      if (s.phase !== 'established' || !s.hold.local || s.holdPending !== 'hold') throw illegal();
      const heard: HoldHeard = { music: e.track };
      const recorded = s.holdHeard !== null && typeof s.holdHeard === 'object' && s.holdHeard.music === e.track;
      return {
        state: { ...s, holdPending: null, holdMusic: e.track, holdHeard: heard },
        effects: recorded ? [] : [{ type: 'history.holdStarted', callId: id, at: s.holdHeard === null ? (s.heldSince ?? now) : now, heard }],
      };
    }

    case 'holdMusic.stopped':
      if (s.phase !== 'established' || s.holdPending !== 'unhold') throw illegal();
      return { state: { ...s, holdMusic: null }, effects: [{ type: 'sip.unhold', callId: id }] };

    case 'holdMusic.failed':
      if (s.phase !== 'established' || s.holdPending === null) throw illegal();
      if (s.holdPending === 'unhold') {
        // The microphone may not be back, but the agent asked to resume: go on with the re-INVITE.
        return {
          state: { ...s, holdMusic: null },
          effects: [
            { type: 'notify.problem', callId: id, message: `The hold music could not be stopped cleanly: ${e.reason}` },
            { type: 'sip.unhold', callId: id },
          ],
        };
      }
      return {
        state: { ...s, holdPending: null, holdMusic: null, holdHeard: 'silence' },
        effects: [
          ...(s.holdHeard !== 'silence'
            ? [{ type: 'history.holdStarted' as const, callId: id, at: s.holdHeard === null ? (s.heldSince ?? now) : now, heard: 'silence' as const }]
            : []),
          { type: 'notify.problem', callId: id, message: `Hold music could not start (${e.reason}); the caller hears silence.` },
        ],
      };
  }
}
