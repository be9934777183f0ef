/**
 * The SIP transfer backend (main/calls/transfer/backend.ts): REFER with a
 * Refer-To we build ourselves (RFC 3515; JsSIP #817 — never JsSIP's
 * `replaces` option), its ReferSubscriber turned into the backend's report,
 * and the far end's REFER (followed as an ordinary call of the call service,
 * with our own NOTIFY sipfrag back, RFC 3515 §2.4.5). INVITE with Replaces and
 * Referred-By arrive on the call legs themselves (main/sip/line.ts); hold music
 * is the call service's (hold-music.ts).
 *
 * JsSIP facts (3.13.8) this relies on:
 *  - `refer()` returns its ReferSubscriber although the typings say void;
 *  - an incoming REFER is answered 202 + NOTIFY 100 by JsSIP itself before the
 *    `refer` event (its `reject()` would always say 603: we send our own NOTIFYs);
 *  - a NOTIFY on an ended dialog throws (JsSIP #556): the session adapter
 *    drops it, and we do not even try once the dialog ended.
 *
 * Our REFER's NOTIFYs keep coming after the call ended (RFC 5057): the line
 * answers them through the same ReferSubscriber (./refer-usages.ts), so they
 * reach the report like any other; when that subscription ends without a
 * final status the report hears `finished`. What each far end announced it
 * supports (Supported, Allow) is read by the session adapter and given with
 * the dialog (`peer`).
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import { allCapabilities, type IncomingTransferRequest, type TransferBackend } from '../calls/transfer/backend';
import type { DialogId } from '../calls/transfer/types';
import type { Logger } from '../logging/logger';
import { referUri } from './line-account';
import { REFER_USAGE_ENDED } from './refer-usages';
import { peerSupportOf } from './session';
import type { SessionRegistry } from './sessions';

interface IncomingRequestLike {
  cseq: number;
  refer_to?: { uri: { clone(): { clearHeaders(): void; toString(): string }; user?: string } };
}
interface SubscriberLike {
  on(
    event: string,
    fn: (data: { response?: { status_code?: number } | null; status_line?: { status_code: string | number; reason_phrase?: string } }) => void,
  ): void;
}
interface SessionInternals {
  _dialog?: { id?: { call_id: string; local_tag: string; remote_tag: string } } | null;
  sendRequest(method: string, options: unknown): unknown;
}
const internals = (s: RTCSession) => s as unknown as SessionInternals;

interface PendingRefer {
  callId: string;
  session: RTCSession;
  cseq: number;
  finished: boolean;
}

/** RFC 3261 §21 reason phrases for the status lines we report in our own NOTIFYs. */
const reasonPhrase: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  403: 'Forbidden',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  503: 'Service Unavailable',
  603: 'Decline',
};

/** RFC 3515 §2.4.5: a NOTIFY body is a status line; anything else teaches us nothing. */
export function sipfragCode(statusLine: { status_code: string | number } | undefined): number | null {
  const code = Number(statusLine?.status_code);
  return Number.isInteger(code) && code >= 100 && code <= 699 ? code : null;
}

export function createSipTransferBackend(o: { sessions: SessionRegistry; log: Logger }): TransferBackend {
  const log = o.log;
  const listeners = new Set<(request: IncomingTransferRequest) => void>();
  const refers = new Map<string, PendingRefer>();
  let nextRefer = 1;

  const offAdded = o.sessions.onAdded((callId, session) => {
    (session as unknown as NodeJS.EventEmitter).on('refer', (e: { request: IncomingRequestLike; reject: () => void }) => {
      const referTo = e.request.refer_to;
      if (!referTo || listeners.size === 0) return e.reject();
      const uri = referTo.uri.clone();
      uri.clearHeaders(); // a Replaces in Refer-To is not ours to honour on a plain follow
      const requestId = `${callId}/refer-${nextRefer++}`;
      refers.set(requestId, { callId, session, cseq: e.request.cseq, finished: false });
      for (const l of [...listeners]) l({ callId, requestId, target: uri.toString() });
    });
  });

  /** Our own NOTIFY (message/sipfrag) for a REFER we follow or refuse; terminated on a final code. */
  const notify = (p: PendingRefer, code: number) => {
    if (p.finished || p.session.isEnded()) return; // JsSIP #556
    if (code >= 200) p.finished = true;
    const reason = reasonPhrase[code] ?? (code < 200 ? 'Progress' : code < 300 ? 'OK' : 'Failed');
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
    capabilities: allCapabilities,
    handOver(callId, referTo, report) {
      const session = o.sessions.get(callId);
      if (!session || session.isEnded()) throw new Error('the call has no SIP dialog any more');
      // JsSIP #817: the Replaces (if any) is already in referTo, escaped; no `replaces` option.
      // Parsed by the stack first: a target it cannot serialise never becomes a Refer-To header.
      const sub = session.refer(referUri(referTo)) as unknown as SubscriberLike | false;
      if (!sub) throw new Error('the call is not confirmed; a REFER cannot be sent on it');
      sub.on('requestSucceeded', () => report.accepted());
      sub.on('requestFailed', (d) => report.rejected(d.response?.status_code ?? 408));
      sub.on(REFER_USAGE_ENDED, () => report.finished?.());
      for (const name of ['trying', 'progress', 'accepted', 'failed']) {
        sub.on(name, (d) => {
          const code = sipfragCode(d.status_line);
          // The phone's own words, printable and short: they go into the timeline as its report.
          const phrase = String(d.status_line?.reason_phrase ?? '')
            .replace(/[^\x20-\x7e]/g, '')
            .trim()
            .slice(0, 80);
          if (code !== null) return report.progress(code, phrase || undefined);
          log.warn('transfer: NOTIFY without a usable sipfrag status line', { callId, status: d.status_line?.status_code });
          // JsSIP ends the subscription on `failed` whatever the code: no NOTIFY will follow, so it is a failure.
          if (name === 'failed') report.progress(500);
        });
      }
    },
    dialog(callId): DialogId | null {
      const session = o.sessions.get(callId);
      const id = session && internals(session)._dialog?.id;
      if (!session || !id) return null;
      return {
        callId: id.call_id,
        localTag: id.local_tag,
        remoteTag: id.remote_tag,
        remoteUri: session.remote_identity.uri.toString(),
        direction: session.direction === 'incoming' ? 'incoming' : 'outgoing',
        peer: peerSupportOf(session),
      };
    },
    onIncomingRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reportIncoming(requestId, code) {
      const p = refers.get(requestId);
      if (!p) return;
      notify(p, code);
      if (code >= 200) refers.delete(requestId);
    },
    refuseIncoming(requestId, code) {
      const p = refers.get(requestId);
      if (!p) return;
      refers.delete(requestId);
      // Our own final NOTIFY with this code (JsSIP's reject() always says 603).
      notify(p, code >= 300 && code <= 699 ? code : 603);
    },
    dispose() {
      offAdded();
      listeners.clear();
      refers.clear();
    },
  };
}
