/**
 * Transfers through VoIPBIN's `POST /transfers` instead of SIP REFER: the
 * platform does not act on REFER (docs/voipbin.md). The transfer machine
 * decides; this backend only carries the request out and reports back.
 *
 * Capabilities, and why the rest is refused:
 *  - blind: yes — the platform hangs our leg up and dials;
 *  - attended: yes, the platform's own way (`consultOnLeg`): it dials the
 *    transferee onto our leg with the caller on its music, we complete by
 *    leaving the call and cancel by hanging the groupcall up (consult.ts);
 *  - safe blind: no. On a failed blind transfer the platform drops the caller,
 *    and it hangs our leg up before it answers the request, so the console can
 *    neither keep the caller on hold nor take it back;
 *  - swap and incoming transfers: no (no second leg of ours; the platform sends no REFER).
 *
 * Progress comes from the event websocket: the platform dials the transferee
 * through a groupcall (named in the 200) before it answers, so the events of
 * the transferee's calls can arrive before the groupcall id is known. They are
 * kept in a short buffer while a request is under way and replayed once the
 * answer names the groupcall.
 */
import type { ConsultReport, HandOverReport, IncomingTransferRequest, TransferBackend } from '../../calls/transfer/backend';
import type { DialogId } from '../../calls/transfer/types';
import type { Logger } from '../../logging/logger';
import { VoipbinError, type VoipbinClient } from './client';
import type { EventsState, VoipbinEvents } from './events';
import { ConsultFollow, failureCode, some } from './consult';
import type { Address, Call, Groupcall, VoipbinEvent } from './schemas';

export const voipbinCapabilities = { safeBlind: false, attended: true, swap: false, incomingRefer: false, handOverEndsLeg: true, consultOnLeg: true } as const;

export interface VoipbinTransferOptions {
  client: Pick<VoipbinClient, 'createTransfer' | 'groupcall' | 'hangupGroupcall'>;
  events: Pick<VoipbinEvents, 'onEvent' | 'onState'>;
  /**
   * Our call id → the platform's id of the agent's leg of that call, or null
   * when none matches. Implemented by the composition root (it knows the SIP
   * side); `findPlatformCall` (call-match.ts) does the matching.
   */
  platformCallId: (callId: string) => Promise<string | null>;
  /** The account's SIP domain, `<customer-id>.registrar.voipbin.net`: a sip: URI on it names an extension. */
  extensionDomain: string;
  log: Logger;
}

export interface VoipbinTransferBackend extends TransferBackend {
  /** The sentence for the agent when the platform refused a hand-over (e.g. a role without transfer permission). */
  onRefusal(listener: (callId: string, message: string) => void): () => void;
  /** Hand-overs still followed, for tests (0 after dispose). */
  pending(): number;
}


/**
 * A Refer-To target → the platform's typed Address: `tel` for E.164 (`+` and
 * 7–15 digits, as a bare number, a tel: URI or the user of a sip: URI),
 * `extension` for a user on the account's own domain (or a bare name), `sip`
 * otherwise. URI parameters and headers are dropped; a Replaces header means
 * an attended completion, which this backend cannot do.
 */
export function toAddress(referTo: string, extensionDomain: string): Address {
  const target = referTo.trim().replace(/^<(.*)>$/, '$1');
  if (/[?&]Replaces=/i.test(target)) throw new Error('VoIPBIN has no attended completion with Replaces');
  const e164 = (s: string) => (/^\+[0-9]{7,15}$/.test(s) ? s : null);
  const tel = /^tel:([^;?]+)/i.exec(target);
  if (tel) {
    const n = e164(tel[1]!.replace(/[-.() ]/g, ''));
    if (!n) throw new Error(`not an E.164 number: ${tel[1]}`);
    return { type: 'tel', target: n, target_name: n };
  }
  const sip = /^sips?:([^@;?]+)@([^;?>:]+)/i.exec(target);
  if (sip) {
    const user = decodeURIComponent(sip[1]!);
    const host = sip[2]!.toLowerCase();
    const n = e164(user);
    if (n) return { type: 'tel', target: n, target_name: n };
    if (host === extensionDomain.toLowerCase()) return { type: 'extension', target: user, target_name: user };
    return { type: 'sip', target: `${user}@${host}`, target_name: user };
  }
  const bare = target.replace(/[-.() ]/g, '');
  const n = e164(bare);
  if (n) return { type: 'tel', target: n, target_name: n };
  if (/^[A-Za-z0-9_.-]+$/.test(target)) return { type: 'extension', target, target_name: target };
  throw new Error(`cannot transfer to "${referTo}": not a number, an extension or a SIP address`);
}


interface Pending {
  callId: string;
  report: HandOverReport;
  /** Set once the 200 names it; events before that wait in the buffer. */
  groupcallIds: Set<string>;
  masterGroupcallId: string | null;
  /** Transferee calls seen: id → alive. */
  calls: Map<string, boolean>;
  /** The master groupcall's call list, once an event carried it. */
  listedCalls: string[] | null;
  lastReason: string | null;
  ringing: boolean;
  done: boolean;
}

const BUFFER_MAX = 500;

export function createVoipbinTransferBackend(o: VoipbinTransferOptions): VoipbinTransferBackend {
  const log = o.log;
  const following = new Set<Pending>();
  /** Attended transfers under way, by our call id: the platform's consult on that call's own leg. */
  const consults = new Map<string, ConsultFollow>();
  let requestsUnderWay = 0;
  let buffer: VoipbinEvent[] = [];
  let disposed = false;
  const refusalListeners = new Set<(callId: string, message: string) => void>();

  const finish = (p: Pending, code: number) => {
    if (p.done) return;
    p.done = true;
    following.delete(p);
    p.report.progress(code);
  };

  const failed = (p: Pending) => finish(p, (p.lastReason && failureCode[p.lastReason]) || 480);

  const onGroupcall = (p: Pending, g: Groupcall, action: string | null) => {
    const ours = p.groupcallIds.has(g.id) || (some(g.master_groupcall_id) && p.groupcallIds.has(g.master_groupcall_id));
    if (!ours) return;
    p.groupcallIds.add(g.id);
    for (const id of g.groupcall_ids ?? []) if (some(id)) p.groupcallIds.add(id);
    for (const id of g.call_ids ?? []) if (some(id) && !p.calls.has(id)) p.calls.set(id, true);
    if (g.id === p.masterGroupcallId && g.call_ids) p.listedCalls = g.call_ids.filter(some);
    // A groupcall's status is `progressing` from its creation; it is answered once it names the
    // answering call (the platform sends `groupcall_progressing` exactly then). First answer wins.
    if (some(g.answer_call_id) || some(g.answer_groupcall_id) || action === 'progressing') {
      return finish(p, 200);
    }
    const over = g.status === 'hangup' || action === 'hangup' || action === 'deleted';
    if (over && g.id === p.masterGroupcallId) failed(p);
  };

  const onCall = (p: Pending, c: Call, action: string | null) => {
    const ours = p.calls.has(c.id) || (some(c.groupcall_id) && p.groupcallIds.has(c.groupcall_id));
    if (!ours) return;
    // A call's status only moves forward: a late event for a call already hung up changes nothing.
    if (p.calls.get(c.id) === false) return;
    const status = c.status ?? action;
    if (status === 'progressing') return finish(p, 200);
    if (status === 'hangup' || action === 'hangup') {
      p.calls.set(c.id, false);
      if (c.hangup_reason) p.lastReason = c.hangup_reason;
      // Usually the groupcall's hang-up decides; when its call list is known and every one has ended, so have we.
      if (p.listedCalls && p.listedCalls.length > 0 && p.listedCalls.every((id) => p.calls.get(id) === false)) failed(p);
      return;
    }
    if (status === 'terminating' || status === 'canceling') return;
    p.calls.set(c.id, true);
    if (status === 'ringing' && !p.ringing) {
      p.ringing = true;
      p.report.progress(180);
    }
  };

  const feed = (p: Pending, e: VoipbinEvent) => {
    if (p.done) return;
    if (e.resource === 'groupcall') onGroupcall(p, e.data, e.action);
    else if (e.resource === 'call') onCall(p, e.data, e.action);
  };

  const offEvent = o.events.onEvent((e) => {
    if (disposed || (e.resource !== 'call' && e.resource !== 'groupcall')) return;
    if (requestsUnderWay > 0) {
      buffer.push(e);
      if (buffer.length > BUFFER_MAX) buffer = buffer.slice(-BUFFER_MAX);
    }
    for (const p of [...following]) feed(p, e);
    for (const c of [...consults.values()]) {
      c.feed(e);
      if (c.done) consults.delete(c.callId);
    }
  });

  /** After a reconnect, nothing says what was missed: ask the platform how each groupcall ended. */
  const resync = (p: Pending) => {
    if (!p.masterGroupcallId) return;
    o.client.groupcall(p.masterGroupcallId).then(
      (g) => {
        if (disposed || p.done) return;
        onGroupcall(p, g, null);
        if (!p.done && g.status === 'hangup') failed(p);
      },
      (e: unknown) => log.warn('voipbin transfer: could not re-read the groupcall after a reconnect', { callId: p.callId, error: String(e) }),
    );
  };

  const offState = o.events.onState((s: EventsState) => {
    if (disposed) return;
    if (s.state === 'open' && s.reconnected) for (const p of [...following]) resync(p);
    if (s.state === 'failed' || s.state === 'closed') {
      // No more events will come: stop following (the machine has released the agent already).
      for (const p of [...following]) {
        log.warn('voipbin transfer: the live connection is gone; the outcome of this transfer is unknown', { callId: p.callId });
        p.done = true;
      }
      following.clear();
    }
  });

  const refused = (callId: string, report: Pick<HandOverReport, 'rejected'>, status: number, message: string, details: object) => {
    log.warn(`voipbin transfer refused: ${message}`, { callId, status, ...details });
    for (const l of [...refusalListeners]) l(callId, message);
    report.rejected(status);
  };

  const send = async (callId: string, address: Address, report: HandOverReport) => {
    let platformId: string | null;
    try {
      platformId = await o.platformCallId(callId);
    } catch (e) {
      return refused(callId, report, e instanceof VoipbinError ? (e.status ?? 503) : 500, e instanceof Error ? e.message : String(e), {});
    }
    if (disposed) return;
    if (!platformId) return refused(callId, report, 404, 'VoIPBIN has no call that matches this one; it cannot be transferred through the platform.', {});
    const transfer = await o.client
      .createTransfer({ transfer_type: 'blind', transferer_call_id: platformId, transferee_addresses: [address] })
      .then((t) => ({ ok: true as const, t }), (e: unknown) => ({ ok: false as const, e }));
    if (disposed) return;
    if (!transfer.ok) {
      const e = transfer.e;
      if (e instanceof VoipbinError && e.kind === 'malformed') {
        // The platform took it (our leg is gone already) but its answer is unreadable: report it as
        // accepted and dialling, without progress to follow.
        log.warn('voipbin transfer: accepted, but the answer could not be read; no progress will follow', { callId });
        report.accepted();
        report.progress(100);
        return;
      }
      if (e instanceof VoipbinError) {
        const status = e.status ?? (e.kind === 'timeout' ? 408 : 503);
        return refused(callId, report, status, e.message, { reason: e.reason, requestId: e.requestId });
      }
      return refused(callId, report, 500, String(e), {});
    }
    const t = transfer.t;
    const p: Pending = {
      callId,
      report,
      groupcallIds: new Set(some(t.groupcall_id) ? [t.groupcall_id] : []),
      masterGroupcallId: some(t.groupcall_id) ? t.groupcall_id : null,
      calls: new Map(some(t.transferee_call_id) ? [[t.transferee_call_id, true]] : []),
      listedCalls: null,
      lastReason: null,
      ringing: false,
      done: false,
    };
    // The platform has hung our leg up and is dialling the transferee: as a REFER's 202 and NOTIFY 100.
    report.accepted();
    report.progress(100);
    if (!p.masterGroupcallId && p.calls.size === 0) {
      log.warn('voipbin transfer: the answer names no groupcall; progress cannot be followed', { callId, transferId: t.id });
      return;
    }
    following.add(p);
    for (const e of buffer) feed(p, e);
  };

  /** Why a request failed, as the status the machine reads; the agent is told the platform's words. */
  const requestFailed = (callId: string, report: Pick<HandOverReport, 'rejected'>, e: unknown) => {
    if (e instanceof VoipbinError) {
      const status = e.status ?? (e.kind === 'timeout' ? 408 : 503);
      return refused(callId, report, status, e.message, { reason: e.reason, requestId: e.requestId });
    }
    return refused(callId, report, 500, String(e), {});
  };

  const hangUp = (c: ConsultFollow) => {
    if (!c.masterGroupcallId) return;
    o.client.hangupGroupcall(c.masterGroupcallId).catch((e: unknown) =>
      log.warn('voipbin transfer: the consult could not be hung up', { callId: c.callId, error: String(e) }),
    );
  };

  const consult = async (callId: string, address: Address, report: ConsultReport) => {
    let platformId: string | null;
    try {
      platformId = await o.platformCallId(callId);
    } catch (e) {
      return requestFailed(callId, report, e);
    }
    if (disposed) return;
    if (!platformId) return refused(callId, report, 404, 'VoIPBIN has no call that matches this one; it cannot be transferred through the platform.', {});
    const follow = new ConsultFollow(callId, report, platformId);
    consults.set(callId, follow);
    const answer = await o.client
      .createTransfer({ transfer_type: 'attended', transferer_call_id: platformId, transferee_addresses: [address] })
      .then((t) => ({ ok: true as const, t }), (e: unknown) => ({ ok: false as const, e }));
    if (disposed) return;
    if (!answer.ok) {
      consults.delete(callId);
      return requestFailed(callId, report, answer.e);
    }
    follow.named(answer.t.groupcall_id, answer.t.transferee_call_id);
    if (follow.cancelWanted) {
      // Cancelled while the request was out: hang up what the platform just started.
      consults.delete(callId);
      follow.stop();
      hangUp(follow);
      return;
    }
    report.accepted();
    if (!follow.masterGroupcallId && follow.calls.size === 0) log.warn('voipbin transfer: the answer names no groupcall; the consult cannot be followed', { callId });
    for (const e of buffer) follow.feed(e);
    if (follow.done) consults.delete(callId);
  };

  return {
    capabilities: voipbinCapabilities,
    consultOnLeg(callId, target, report) {
      if (disposed) throw new Error('the VoIPBIN transfer backend is closed');
      const address = toAddress(target, o.extensionDomain);
      requestsUnderWay += 1;
      void consult(callId, address, report)
        .catch((e: unknown) => log.error('voipbin transfer: unexpected failure', { callId, error: String(e) }))
        .finally(() => {
          requestsUnderWay -= 1;
          if (requestsUnderWay === 0) buffer = [];
        });
    },
    cancelConsult(callId) {
      const c = consults.get(callId);
      if (!c) return;
      if (!c.masterGroupcallId) {
        c.cancelWanted = true;
        return;
      }
      consults.delete(callId);
      c.stop();
      hangUp(c);
    },
    handOver(callId, referTo, report) {
      if (disposed) throw new Error('the VoIPBIN transfer backend is closed');
      const address = toAddress(referTo, o.extensionDomain);
      requestsUnderWay += 1;
      void send(callId, address, report)
        .catch((e: unknown) => log.error('voipbin transfer: unexpected failure', { callId, error: String(e) }))
        .finally(() => {
          requestsUnderWay -= 1;
          if (requestsUnderWay === 0) buffer = [];
        });
    },
    // No dialog of ours can be named in a Replaces on this platform.
    dialog: (): DialogId | null => null,
    onIncomingRequest: (_listener: (request: IncomingTransferRequest) => void) => () => {},
    reportIncoming() {},
    refuseIncoming() {},
    onRefusal(listener) {
      refusalListeners.add(listener);
      return () => void refusalListeners.delete(listener);
    },
    pending: () => following.size + consults.size + requestsUnderWay,
    dispose() {
      if (disposed) return;
      disposed = true;
      offEvent();
      offState();
      for (const p of following) p.done = true;
      following.clear();
      for (const c of consults.values()) c.stop();
      consults.clear();
      buffer = [];
      refusalListeners.clear();
    },
  };
}
