/**
 * The SIP side of transfers, for the transfer service (main/calls/transfer/service.ts):
 * REFER with a Refer-To we build ourselves (RFC 3515; JsSIP issue 817 — never
 * JsSIP's `replaces` option), its ReferSubscriber turned into plain callbacks,
 * the far end's REFER (we follow it as an ordinary call of the call service and
 * report progress with our own NOTIFY sipfrag, RFC 3515 §2.4.5), INVITE with
 * Replaces for one of our calls (RFC 3891), Referred-By on a new call
 * (RFC 3892) and the completion cue. Hold music is the call service's
 * (hold-music.ts): every local hold, transfers included, gets it there.
 *
 * JsSIP facts (3.13.8) this relies on:
 *  - `refer()` returns its ReferSubscriber although the typings say void;
 *  - an incoming REFER is answered 202 + NOTIFY 100 by JsSIP itself before the
 *    `refer` event; its `reject()` sends NOTIFY 603;
 *  - an INVITE with Replaces for a confirmed dialog is handed to the OLD
 *    session's `replaces` event; `accept()` creates the new incoming session
 *    (UA `newRTCSession`, so the call service gets it like any call) and BYEs
 *    the old one once the new one is confirmed;
 *  - a NOTIFY on an ended dialog throws (JsSIP issue 556): the session adapter
 *    drops it, and we do not even try once the dialog ended.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { DialogId, TransferSipPort } from '../calls/transfer/service';
import type { Logger } from '../logging/logger';
import type { MediaClient } from '../media/proxy';
import { onSessionRegistered, sessionOf } from './refer-sessions';

interface IncomingRequestLike {
  cseq: number;
  refer_to?: { uri: { clone(): { clearHeaders(): void; toString(): string }; user?: string } };
  hasHeader(name: string): boolean;
  getHeader(name: string): string | undefined;
}
interface SubscriberLike {
  on(event: string, fn: (data: { response?: { status_code?: number } | null; status_line?: { status_code: string | number } }) => void): void;
}
interface SessionInternals {
  _dialog?: { id?: { call_id: string; local_tag: string; remote_tag: string } } | null;
  _request?: IncomingRequestLike;
  connection?: unknown;
  sendRequest(method: string, options: unknown): unknown;
}
const internals = (s: RTCSession) => s as unknown as SessionInternals;

interface PendingRefer {
  callId: string;
  session: RTCSession;
  cseq: number;
  reject: () => void;
  finished: boolean;
}

export function createSipTransferPort(o: { media: MediaClient | null; log: Logger }): TransferSipPort & { dispose(): void } {
  const log = o.log;
  const referListeners = new Set<Parameters<TransferSipPort['onIncomingRefer']>[0]>();
  const replacesListeners = new Set<Parameters<TransferSipPort['onReplaces']>[0]>();
  /** INVITE-with-Replaces requests we accepted → the call they replace. */
  const replacing = new Map<unknown, string>();
  const refers = new Map<string, PendingRefer>();
  let nextRefer = 1;

  const offRegistered = onSessionRegistered((callId, session) => {
    const req = internals(session)._request;
    const replaced = req ? replacing.get(req) : undefined;
    if (replaced !== undefined) {
      replacing.delete(req);
      for (const l of [...replacesListeners]) l(replaced, callId);
    }
    const emitter = session as unknown as NodeJS.EventEmitter;
    emitter.on('replaces', (e: { request: unknown; accept: () => void; reject: () => void }) => {
      if (replacesListeners.size === 0) return e.reject();
      // Accept at once (JsSIP creates the new incoming session); the transfer machine then
      // answers it in place of this call, or declines it (486) if a transfer of ours is under way.
      replacing.set(e.request, callId);
      // JsSIP terminates the replaced session when the new one is confirmed (RTCSession
      // _receiveReplaces), but we BYE it first; a second terminate() throws INVALID_STATE_ERROR
      // out of the WebSocket data handler and the UA stops processing messages. Make it idempotent.
      const terminate = session.terminate.bind(session);
      session.terminate = ((options?: Parameters<RTCSession['terminate']>[0]) => {
        if (!session.isEnded()) terminate(options);
      }) as RTCSession['terminate'];
      e.accept();
    });
    emitter.on('refer', (e: { request: IncomingRequestLike; reject: () => void }) => {
      const referTo = e.request.refer_to;
      if (!referTo || referListeners.size === 0) return e.reject();
      const uri = referTo.uri.clone();
      uri.clearHeaders(); // a Replaces in Refer-To is not ours to honour on a plain follow
      const referId = `${callId}/refer-${nextRefer++}`;
      refers.set(referId, { callId, session, cseq: e.request.cseq, reject: e.reject, finished: false });
      for (const l of [...referListeners]) l({ callId, referId, referTo: uri.toString() });
    });
  });

  /** Our own NOTIFY (message/sipfrag) for a REFER we follow; terminated on a final code. */
  const notify = (p: PendingRefer, code: number) => {
    if (p.finished || p.session.isEnded()) return; // JsSIP issue 556
    if (code >= 200) p.finished = true;
    const reason = code >= 200 && code < 300 ? 'OK' : code === 180 ? 'Ringing' : code === 100 ? 'Trying' : code >= 300 ? 'Failed' : 'Progress';
    try {
      internals(p.session).sendRequest('NOTIFY', {
        extraHeaders: [
          `Event: refer;id=${p.cseq}`,
          `Subscription-State: ${code >= 200 ? 'terminated;reason=noresource' : 'active;expires=300'}`,
          'Content-Type: message/sipfrag;version=2.0',
        ],
        body: `SIP/2.0 ${code} ${reason}`,
      });
    } catch (e) {
      log.warn('transfer: NOTIFY not sent', { callId: p.callId, error: String(e) });
    }
  };

  return {
    refer(callId, referTo, h) {
      const session = sessionOf(callId);
      if (!session || session.isEnded()) throw new Error('the call has no SIP dialog any more');
      // JsSIP issue 817: the Replaces (if any) is already in referTo, escaped; no `replaces` option.
      const sub = session.refer(referTo) as unknown as SubscriberLike | false;
      if (!sub) throw new Error('the call is not confirmed; a REFER cannot be sent on it');
      sub.on('requestSucceeded', () => h.accepted());
      sub.on('requestFailed', (d) => h.rejected(d.response?.status_code ?? 408));
      for (const name of ['trying', 'progress', 'accepted', 'failed']) {
        sub.on(name, (d) => {
          const code = Number(d.status_line?.status_code);
          if (Number.isFinite(code)) h.notify(code);
        });
      }
    },
    dialog(callId): DialogId | null {
      const session = sessionOf(callId);
      const id = session && internals(session)._dialog?.id;
      if (!session || !id) return null;
      return {
        callId: id.call_id,
        localTag: id.local_tag,
        remoteTag: id.remote_tag,
        remoteUri: session.remote_identity.uri.toString(),
        direction: session.direction === 'incoming' ? 'incoming' : 'outgoing',
      };
    },
    cue() {
      void o.media?.playCue().catch((e: unknown) => log.warn('transfer: cue not played', { error: String(e) }));
    },
    referredBy(callId) {
      const session = sessionOf(callId);
      const req = session && session.direction === 'incoming' ? internals(session)._request : undefined;
      if (!req || !req.hasHeader('referred-by')) return null;
      return req.getHeader('referred-by') ?? null;
    },
    onIncomingRefer(listener) {
      referListeners.add(listener);
      return () => referListeners.delete(listener);
    },
    onReplaces(listener) {
      replacesListeners.add(listener);
      return () => replacesListeners.delete(listener);
    },
    referProgress(referId, code) {
      const p = refers.get(referId);
      if (!p) return;
      notify(p, code);
      if (code >= 200) refers.delete(referId);
    },
    rejectRefer(referId) {
      const p = refers.get(referId);
      if (!p) return;
      refers.delete(referId);
      if (!p.session.isEnded()) p.reject(); // JsSIP: NOTIFY 603
    },
    dispose() {
      offRegistered();
      referListeners.clear();
      replacesListeners.clear();
      refers.clear();
      replacing.clear();
    },
  };
}
