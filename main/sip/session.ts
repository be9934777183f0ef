/**
 * Turns one JsSIP RTCSession into a CallLeg: JsSIP events → call-machine
 * events, CallLeg commands → RTCSession calls, with the JsSIP 3.13.8 traps
 * handled here and nowhere else:
 *
 * - Always a `mediaStream` (the proxy's microphone handle) for call()/answer():
 *   JsSIP then never calls navigator.mediaDevices.getUserMedia (absent in main).
 * - ICE gathering: JsSIP waits for gathering to *complete*; an unreachable STUN
 *   server would stall the INVITE for ~40 s. The session's `icecandidate` event
 *   hands us `ready()`; we call it a short while after the first candidate.
 * - Hold/unhold: RTCSession.hold() returns false while another INVITE/UPDATE
 *   transaction is in flight (isReadyToReOffer) — we retry instead of ignoring;
 *   it never calls back when the re-INVITE fails, and on failure it hangs the
 *   whole call up with BYE "Hold Failed". So we run the same three steps hold()
 *   runs (flag, track toggle, re-INVITE — RTCSession.js 3.13.8 hold()/unhold())
 *   with our own failure handler: a 491 Request Pending is retried after the
 *   RFC 3261 §14.1 delay (JsSIP's dialog layer already retried once after 1 s),
 *   other failures roll the hold flag back (§14.1: the session is unchanged)
 *   and report sip.holdFailed; the whole operation has a time-out.
 * - A hold is not started while the WebSocket is down: a transaction in flight
 *   when the transport drops terminates the session (JsSIP #738).
 * - NOTIFY on a dialog that already ended is dropped (JsSIP #556).
 * - What the far end announced it supports (Supported, Allow, Allow-Events of
 *   its INVITE, 1xx/2xx and re-INVITEs) is recorded (`peerSupportOf`), so the
 *   transfer machine can choose which phone swaps the calls (RFC 5589).
 * - Our REFERs' subscriptions outlive the call's BYE (RFC 5057 dialog usages):
 *   one still open when the call ends is handed to the line's `ReferUsages`
 *   (./refer-usages.ts), which answers its late NOTIFYs (RFC 6665) instead
 *   of JsSIP's 481.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { CallEvent, CallDirection, RemoteParty } from '../calls/call/machine';
import type { CallLeg } from '../calls/call/ports';
import type { PeerSupport } from '../calls/transfer/types';
import type { Logger } from '../logging/logger';
import { announcedBy, emptyAnnouncement, supportFrom, type Announcement, type HeaderSource } from './peer-support';
import type { ReferUsages, ReferSubscriberLike } from './refer-usages';
import type { SessionRegistry } from './sessions';

export interface SessionMedia {
  /** The microphone as a proxy MediaStream handle (never a real stream in main). */
  microphone(): Promise<MediaStream>;
  release(stream: MediaStream): void;
  /**
   * Why the media host could not answer this SDP offer, or null (main/media/offer-check.ts).
   * Absent: every offer is tried (tests without a media host).
   */
  offerProblem?(sdp: string): string | null;
}

export interface SessionAdapterOptions {
  id: string;
  direction: CallDirection;
  remote: RemoteParty;
  /** Incoming: the call of ours this INVITE replaces (RFC 3891), and its Referred-By (RFC 3892). */
  replaces?: string | null;
  referredBy?: string | null;
  /** Who transferred this caller to us, from Referred-By, as the call card names them. */
  transferredBy?: RemoteParty | null;
  media: SessionMedia;
  sessions: SessionRegistry;
  pcConfig: RTCConfiguration;
  isTransportUp(): boolean;
  log: Logger;
  /** Call the session's ICE ready() this long after the first candidate. */
  iceCutoffMs?: number;
  /** Give up on a hold/unhold (and report it) after this long. */
  holdTimeoutMs?: number;
  /** Retries of "another transaction in flight" happen this often. */
  busyRetryMs?: number;
  /** RFC 3261 §14.1: owner of the Call-ID waits 2.1–4 s, the other side 0–2 s. Injected for tests. */
  glareDelayMs?: (ownsCallId: boolean) => number;
  /** Outgoing calls: the microphone handle already passed to ua.call(); released when the call ends. */
  initialMic?: MediaStream;
  /** The line's keeper of REFER subscriptions that outlive their call (absent: they end with it, as JsSIP has it). */
  referUsages?: ReferUsages;
}

/** What each session's far end announced, recorded by its adapter (WeakMap: it goes with the session). */
const announcements = new WeakMap<RTCSession, Announcement>();

/** What the far end of this call announced it supports (RFC 3891 Replaces, REFER); unknown before anything was read. */
export function peerSupportOf(session: RTCSession): PeerSupport {
  return supportFrom(announcements.get(session) ?? emptyAnnouncement);
}

export const rfc3261GlareDelay = (ownsCallId: boolean) =>
  ownsCallId ? 2100 + Math.floor(Math.random() * 1900) : Math.floor(Math.random() * 2000);

/** The RTCSession internals hold() itself uses (JsSIP 3.13.8); checked at runtime so an upgrade fails loudly. */
interface HoldInternals {
  _localHold: boolean;
  _onhold(originator: 'local'): void;
  _onunhold(originator: 'local'): void;
  _sendReinvite(options: {
    eventHandlers: { succeeded(response?: HeaderSource): void; failed(response?: { status_code: number; reason_phrase?: string }): void };
  }): void;
}

function holdInternals(session: RTCSession): HoldInternals {
  const s = session as unknown as Partial<HoldInternals>;
  if (typeof s._onhold !== 'function' || typeof s._onunhold !== 'function' || typeof s._sendReinvite !== 'function' || typeof s._localHold !== 'boolean') {
    throw new Error('JsSIP RTCSession no longer has the hold internals this adapter relies on (written for 3.13.8)');
  }
  return s as HoldInternals;
}

const humanCause: Record<string, string> = {
  Terminated: 'Hung up by the other party',
  Busy: 'Busy',
  Rejected: 'Rejected',
  Redirected: 'Redirected',
  Unavailable: 'Unavailable',
  'Not Found': 'Number not found',
  'Address Incomplete': 'Number incomplete',
  'Incompatible SDP': 'No common audio format',
  'Missing SDP': 'The other side sent no audio description',
  'Authentication Error': 'Not allowed to call this number',
  Canceled: 'Caller hung up before answer',
  'No Answer': 'No answer',
  Expires: 'The call invitation expired',
  'No ACK': 'The other side never confirmed the answer',
  'Dialog Error': 'The call was lost by the server',
  'Connection Error': 'The connection to the SIP server failed',
  'Request Timeout': 'The SIP server stopped answering',
  'WebRTC Error': 'Audio could not be set up',
  'Internal Error': 'Audio could not be set up',
  'User Denied Media Access': 'The microphone is not available',
  'Bad Media Description': 'The other side sent an invalid audio description',
  'RTP Timeout': 'Audio stopped arriving',
  'SIP Failure Code': 'The call failed',
};

export function describeEnd(cause: string | undefined, code: number | null): string {
  const base = (cause && humanCause[cause]) ?? cause ?? 'Ended';
  return code !== null && code >= 300 && !base.includes(String(code)) ? `${base} (${code})` : base;
}

/**
 * RFC 6665 §4.1.3: a NOTIFY that matches no subscription is answered 481. Inside a call the only
 * subscriptions are those of our REFERs (RFC 3515), one per REFER, keyed by its CSeq (`Event: refer;id=`).
 * JsSIP 3.13.8 answers a NOTIFY for another event package 489 and an id-less `Event: refer` 400 when
 * no REFER is pending; both match no subscription. Anything that does is JsSIP's, as before.
 */
function answerNotifyForNoSubscription(session: RTCSession, log: Logger, callId: string) {
  type Notify = { event?: { event?: string; params?: { id?: string } }; reply(code: number, reason?: string): void };
  const internals = session as unknown as { _receiveNotify?: (request: Notify) => void; _referSubscribers?: Record<string, unknown> };
  const receive = internals._receiveNotify;
  if (typeof receive !== 'function' || typeof internals._referSubscribers !== 'object') {
    throw new Error('JsSIP RTCSession no longer has the NOTIFY internals this adapter relies on (written for 3.13.8)');
  }
  internals._receiveNotify = (request) => {
    const subscriptions = Object.keys(internals._referSubscribers ?? {});
    const id = request.event?.params?.id;
    const matches = request.event?.event === 'refer' && (id !== undefined ? subscriptions.includes(String(id)) : subscriptions.length > 0);
    if (!matches) {
      log.info('sip: NOTIFY for no subscription answered 481', { callId, event: request.event?.event ?? null });
      request.reply(481, 'Subscription does not exist');
      return;
    }
    receive.call(session, request);
  };
}

/** What the line needs beyond CallLeg: the target refresh after a reconnect, and whether the leg is finished. */
export type LineLeg = CallLeg & { refreshRoute(): void; isFinished(): boolean };

export function adaptSession(session: RTCSession, o: SessionAdapterOptions): LineLeg {
  const listeners = new Set<(e: CallEvent) => void>();
  const cancels = new Set<() => void>();
  const emit = (e: CallEvent) => {
    for (const l of [...listeners]) l(e);
  };
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      cancels.delete(cancel);
      fn();
    }, ms);
    const cancel = () => clearTimeout(t);
    cancels.add(cancel);
    return cancel;
  };
  let mic: MediaStream | null = o.initialMic ?? null;
  let agentEnded = false;
  let disposed = false;
  const log = o.log;
  // The transfer backend and hold music reach the session by call id while the call exists.
  cancels.add(o.sessions.add(o.id, session));

  // --- JsSIP events → machine events -------------------------------------
  const on = (name: string, fn: (data: never) => void) => {
    (session as unknown as NodeJS.EventEmitter).on(name, fn as (...args: unknown[]) => void);
    cancels.add(() => (session as unknown as NodeJS.EventEmitter).removeListener(name, fn as (...args: unknown[]) => void));
  };

  // What the far end announced: its INVITE (incoming), its 1xx/2xx (outgoing), its re-INVITEs and UPDATEs,
  // and its answers to ours. Kept beside the session for the transfer backend (peerSupportOf).
  const learn = (message: HeaderSource | null | undefined) => {
    if (!message || typeof message.getHeaders !== 'function') return;
    announcements.set(session, announcedBy(announcements.get(session) ?? emptyAnnouncement, message));
  };
  if (o.direction === 'incoming') learn((session as unknown as { _request?: HeaderSource })._request);
  on('reinvite', (d: { request?: HeaderSource }) => learn(d.request));
  on('update', (d: { request?: HeaderSource }) => learn(d.request));
  on('accepted', (d: { originator?: string; response?: HeaderSource }) => {
    if (d.originator === 'remote') learn(d.response);
  });

  // Our REFERs (RFC 3515), each with its dialog as it was when it went out: one still open when the
  // call ends is handed to the line, which keeps answering its NOTIFYs (RFC 5057, ./refer-usages.ts).
  type Refer = (target: unknown, options?: unknown) => unknown;
  const withRefer = session as unknown as { refer: Refer; _dialog?: { id?: { call_id: string; local_tag: string; remote_tag: string } } | null };
  const originalRefer = withRefer.refer.bind(session);
  const refers: Array<{ subscriber: ReferSubscriberLike; dialog: { callId: string; localTag: string; remoteTag: string }; open: boolean }> = [];
  withRefer.refer = (target, options) => {
    const subscriber = originalRefer(target, options) as ReferSubscriberLike | undefined;
    const id = withRefer._dialog?.id;
    if (subscriber && id) {
      const entry = { subscriber, dialog: { callId: id.call_id, localTag: id.local_tag, remoteTag: id.remote_tag }, open: true };
      const close = () => (entry.open = false);
      // JsSIP ends the subscription on a final sipfrag, or when the REFER itself failed.
      for (const name of ['accepted', 'failed', 'requestFailed']) subscriber.on(name, close);
      refers.push(entry);
    }
    return subscriber;
  };
  const keepOpenRefers = () => {
    for (const r of refers.splice(0)) if (r.open) o.referUsages?.keep(o.id, r.dialog, r.subscriber);
  };

  on('progress', (d: { originator: string; response?: { status_code: number; body?: string } & HeaderSource }) => {
    if (d.originator === 'remote') learn(d.response);
    if (o.direction !== 'outgoing' || d.originator !== 'remote' || !d.response) return;
    const code = d.response.status_code;
    emit({ type: 'sip.progress', code, earlyMedia: code >= 180 && code < 200 && !!d.response.body });
  });
  on('accepted', () => emit({ type: 'sip.accepted' }));
  on('hold', (d: { originator: string }) => {
    if (d.originator === 'remote') emit({ type: 'sip.holdChanged', originator: 'remote', on: true });
  });
  on('unhold', (d: { originator: string }) => {
    if (d.originator === 'remote') emit({ type: 'sip.holdChanged', originator: 'remote', on: false });
  });
  const ended = (d: { originator: string; cause?: string; message?: { status_code?: number } | null }) => {
    releaseMic();
    keepOpenRefers();
    if (agentEnded && d.originator === 'local') return; // we asked for it; the machine already ended the call
    const code = typeof d.message?.status_code === 'number' ? d.message.status_code : null;
    // A local end we did not ask for with cause "Terminated" is JsSIP closing the session itself (ua.stop()).
    const reason = d.originator !== 'remote' && d.cause === 'Terminated' ? 'Ended by the console (the SIP line was stopped)' : describeEnd(d.cause, code);
    emit({ type: 'sip.ended', by: d.originator === 'remote' ? 'remote' : 'system', reason, code });
  };
  on('ended', ended);
  on('failed', ended);
  on('icecandidate', (d: { ready: () => void }) => {
    // Once per gathering round: JsSIP's ready() is idempotent, so a second timer would be harmless but wasteful.
    if (iceTimer) return;
    iceTimer = later(() => {
      iceTimer = null;
      d.ready();
    }, o.iceCutoffMs ?? 500);
  });
  let iceTimer: (() => void) | null = null;
  on('sdp', () => {
    iceTimer?.();
    iceTimer = null;
  });

  // JsSIP #556: a NOTIFY (REFER progress) sent on a dialog that already ended must not blow up.
  type SendRequest = (method: string, options?: unknown) => unknown;
  const withSend = session as unknown as { sendRequest: SendRequest };
  const originalSendRequest = withSend.sendRequest.bind(session);
  withSend.sendRequest = (method, options) => {
    if (method === 'NOTIFY' && session.isEnded()) {
      log.debug('sip: dropped NOTIFY on an ended dialog (JsSIP #556)', { callId: o.id });
      return undefined;
    }
    return originalSendRequest(method, options);
  };

  answerNotifyForNoSubscription(session, log, o.id);

  // A refused re-INVITE leaves our offer applied locally (signalingState have-local-offer). We do not
  // roll it back explicitly: measured in the lab (Kamailio restart), an explicit rollback in the media
  // host silenced the received audio. The next offer replaces it, and a far-end offer is handled by
  // Chromium's implicit rollback in setRemoteDescription (perfect negotiation).

  const releaseMic = () => {
    if (mic) o.media.release(mic);
    mic = null;
  };

  // --- hold / unhold -----------------------------------------------------
  let holdOp: { on: boolean; cancelTimeout: () => void; attempt: number } | null = null;
  const finishHold = (outcome: { ok: true } | { ok: false; reason: string }) => {
    if (!holdOp) return;
    const { on: wanted, cancelTimeout } = holdOp;
    cancelTimeout();
    holdOp = null;
    if (outcome.ok) emit({ type: 'sip.holdChanged', originator: 'local', on: wanted });
    else emit({ type: 'sip.holdFailed', reason: outcome.reason });
  };
  const tryReinvite = () => {
    if (!holdOp || session.isEnded()) return;
    const op = holdOp;
    const internals = holdInternals(session);
    if (internals._localHold === op.on) return finishHold({ ok: true });
    if (!o.isTransportUp()) {
      // JsSIP #738: never start an in-dialog transaction on a dead socket — wait for the reconnect.
      later(tryReinvite, o.busyRetryMs ?? 200);
      return;
    }
    if (!session.isReadyToReOffer()) {
      // hold()/unhold() would return false here: another INVITE/UPDATE is in flight. Retry, don't drop the intent.
      later(tryReinvite, o.busyRetryMs ?? 200);
      return;
    }
    if (op.attempt > 0) armTimeout(op);
    internals._localHold = op.on;
    if (op.on) internals._onhold('local');
    else internals._onunhold('local');
    internals._sendReinvite({
      eventHandlers: {
        succeeded: (response) => {
          learn(response);
          if (holdOp === op) finishHold({ ok: true });
        },
        failed: (response) => {
          // Roll back: a failed re-INVITE leaves the session as it was (RFC 3261 §14.1).
          if (!session.isEnded() && internals._localHold === op.on) {
            internals._localHold = !op.on;
            if (op.on) internals._onunhold('local');
            else internals._onhold('local');
          }
          if (holdOp !== op) return;
          if (response?.status_code === 491 && op.attempt < 3) {
            op.attempt += 1;
            const delay = (o.glareDelayMs ?? rfc3261GlareDelay)(o.direction === 'outgoing');
            log.info('sip: re-INVITE glare (491), retrying per RFC 3261 §14.1', { callId: o.id, delay });
            later(tryReinvite, delay);
            return;
          }
          const why = response ? `the other side answered ${response.status_code}${response.reason_phrase ? ` ${response.reason_phrase}` : ''}` : 'the audio could not be renegotiated';
          finishHold({ ok: false, reason: why });
        },
      },
    });
  };
  /** The time-out runs per re-INVITE we send (JsSIP's own 1 s 491 retry included), and while we wait to send. */
  const armTimeout = (op: NonNullable<typeof holdOp>) => {
    const timeoutMs = o.holdTimeoutMs ?? 20_000;
    op.cancelTimeout();
    op.cancelTimeout = later(() => {
      if (holdOp === op) finishHold({ ok: false, reason: `no answer within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
  };
  const startHold = (wanted: boolean) => {
    if (holdOp) return; // the machine never asks twice; a second ask while pending is a no-op
    const op = { on: wanted, attempt: 0, cancelTimeout: () => {} };
    holdOp = op;
    armTimeout(op);
    tryReinvite();
  };

  const leg: LineLeg = {
    id: o.id,
    direction: o.direction,
    remote: o.remote,
    replaces: o.replaces ?? null,
    referredBy: o.referredBy ?? null,
    transferredBy: o.transferredBy ?? null,
    answer() {
      void o.media
        .microphone()
        .then((stream) => {
          if (session.isEnded()) return o.media.release(stream);
          mic = stream;
          session.answer({ mediaStream: stream, pcConfig: o.pcConfig });
        })
        .catch((e: unknown) => {
          log.warn('sip: answer failed before SDP', { callId: o.id, error: String(e) });
          if (!session.isEnded()) session.terminate({ status_code: 500, reason_phrase: 'Media Unavailable' });
          emit({ type: 'sip.ended', by: 'system', reason: `The microphone is not available (${String(e)})`, code: null });
        });
    },
    decline(code) {
      agentEnded = true;
      if (!session.isEnded()) session.terminate({ status_code: code });
    },
    hangup() {
      agentEnded = true;
      if (session.isEnded()) return;
      try {
        // BYE (established), CANCEL (ringing out) or 480 (ringing in) — JsSIP picks by status.
        // With the WebSocket down the BYE cannot be routed; JsSIP still ends the session locally.
        session.terminate();
      } catch (e) {
        log.warn('sip: terminate threw', { callId: o.id, error: String(e) });
      }
      releaseMic();
    },
    hold: () => startHold(true),
    unhold: () => startHold(false),
    dtmf(tones, mode) {
      // The tones become an INFO body line (Signal=…) or RFC 4733 events: only the tone alphabet gets through.
      if (!/^[0-9A-Da-d*#,]{1,64}$/.test(tones)) {
        log.warn('sip: DTMF refused', { callId: o.id, error: 'not DTMF tones' });
        return;
      }
      try {
        session.sendDTMF(tones, { transportType: (mode === 'rfc2833' ? 'RFC2833' : 'INFO') as never });
      } catch (e) {
        log.warn('sip: DTMF refused', { callId: o.id, error: String(e) });
      }
    },
    mute(on) {
      if (on) session.mute({ audio: true });
      else session.unmute({ audio: true });
    },
    refreshRoute() {
      // After a reconnect our Contact is reachable only through the new connection; a re-INVITE is a
      // target refresh (RFC 3261 §12.2) so the far end's BYE/re-INVITE reach us again. It is best
      // effort: if the far end cannot be reached on its old route (it reconnected too), the proxy
      // refuses the re-INVITE — the media still flows, so a refusal must NOT end the call as
      // RTCSession.renegotiate() would ("Media Renegotiation Failed").
      if (session.isEnded() || !session.isEstablished()) return;
      const internals = holdInternals(session);
      const attempt = (left: number) => {
        if (session.isEnded()) return;
        if (!o.isTransportUp() || !session.isReadyToReOffer()) {
          if (left > 0) later(() => attempt(left - 1), o.busyRetryMs ?? 200);
          return;
        }
        internals._sendReinvite({
          eventHandlers: {
            succeeded: () => log.info('sip: target refresh accepted', { callId: o.id }),
            failed: (response) => {
              log.warn('sip: target refresh refused; the call continues on its media path', { callId: o.id, status: response?.status_code });
            },
          },
        });
      };
      attempt(50);
    },
    isFinished: () => disposed || session.isEnded(),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const c of [...cancels]) c();
      cancels.clear();
      listeners.clear();
      releaseMic();
    },
  };
  return leg;
}

