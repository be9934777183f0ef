/**
 * REFER subscriptions that outlive their call. A REFER creates a subscription
 * usage of the dialog beside its INVITE usage (RFC 5057 §5); our BYE ends the
 * INVITE usage only, and the phone we referred keeps reporting on the
 * subscription with NOTIFYs (RFC 3515 §2.4.5) — typically after a plain blind
 * transfer released the agent at the first `100 Trying`. JsSIP forgets the
 * whole dialog on BYE and answers those NOTIFYs 481, so the agent never
 * learns whether the transferee answered.
 *
 * One registry per line. The session adapter (./session.ts) hands over each
 * REFER subscription still open when its call ends; the line asks here for a
 * NOTIFY that matches no dialog of JsSIP's. Such a NOTIFY is answered 200
 * (RFC 6665 §4.1.3: the subscription is ours and not terminated) and fed to
 * JsSIP's own ReferSubscriber, whose events the transfer backend already
 * listens to. The usage ends on a final sipfrag, on `Subscription-State:
 * terminated`, or after a bounded time; from then on JsSIP answers 481 as
 * before. On the two ends without a final report the subscriber is told
 * with `REFER_USAGE_ENDED`.
 */
import type { Logger } from '../logging/logger';
import { Timers } from './timers';

/** Emitted on the ReferSubscriber when its lingering usage ends without a final sipfrag (terminated, or time up). */
export const REFER_USAGE_ENDED = 'console:refer-usage-ended';

/** How long a REFER subscription is kept after its call ended, unless told otherwise. */
export const REFER_USAGE_LINGER_MS = 90_000;

/** JsSIP's ReferSubscriber as used here (RTCSession/ReferSubscriber.js 3.13.8). */
export interface ReferSubscriberLike {
  readonly id: number | string | null;
  receiveNotify(request: unknown): void;
  emit(event: string, ...args: unknown[]): boolean;
  on(event: string, fn: (...args: never[]) => void): unknown;
}

/** The part of JsSIP's IncomingRequest a late NOTIFY is judged and answered by. */
export interface NotifyLike {
  method: string;
  call_id: string;
  from_tag: string;
  to_tag: string;
  body?: string;
  event?: { event?: string; params?: { id?: string | number } };
  parseHeader(name: string): { state?: string } | undefined;
  reply(code: number, reason?: string): void;
}

/** The dialog a usage belongs to, from our side. */
export interface DialogTags {
  callId: string;
  localTag: string;
  remoteTag: string;
}

interface Usage {
  dialog: DialogTags;
  eventId: string;
  subscriber: ReferSubscriberLike;
  cancel: () => void;
  callId: string;
}

const key = (callId: string, localTag: string, remoteTag: string) => `${callId}\u0000${localTag}\u0000${remoteTag}`;

export class ReferUsages {
  readonly #usages = new Map<string, Usage[]>();
  readonly #timers = new Timers();
  readonly #lingerMs: number;
  readonly #log: Logger;

  constructor(o: { log: Logger; lingerMs?: number }) {
    this.#log = o.log;
    this.#lingerMs = o.lingerMs ?? REFER_USAGE_LINGER_MS;
  }

  /** A REFER subscription of `callId` (the console's call id, for the log) whose call just ended. */
  keep(callId: string, dialog: DialogTags, subscriber: ReferSubscriberLike): void {
    if (subscriber.id === null) return;
    const k = key(dialog.callId, dialog.localTag, dialog.remoteTag);
    const usage: Usage = { dialog, eventId: String(subscriber.id), subscriber, callId, cancel: () => {} };
    usage.cancel = this.#timers.after(() => this.#end(k, usage, 'no final NOTIFY within the time the console keeps a subscription'), this.#lingerMs);
    this.#usages.set(k, [...(this.#usages.get(k) ?? []), usage]);
    this.#log.debug('sip: REFER subscription kept past the end of its call', { callId, event: usage.eventId });
  }

  /**
   * A JsSIP session stand-in for a NOTIFY that matches no dialog: the usage it
   * belongs to, or undefined (JsSIP then answers 481, RFC 6665 §4.1.3).
   */
  sessionFor(request: NotifyLike): { receiveRequest(request: NotifyLike): void } | undefined {
    if (request.method !== 'NOTIFY' || request.event?.event !== 'refer') return undefined;
    // The far end sends the NOTIFY: its From tag is our remote tag, its To tag ours.
    const k = key(request.call_id, request.to_tag, request.from_tag);
    const usages = this.#usages.get(k) ?? [];
    const id = request.event.params?.id;
    const usage = id !== undefined ? usages.find((u) => u.eventId === String(id)) : usages.length === 1 ? usages[0] : undefined;
    if (!usage) return undefined;
    return { receiveRequest: (r) => this.#receive(k, usage, r) };
  }

  #receive(k: string, usage: Usage, request: NotifyLike) {
    // Any status line past 1xx ends the subscription for JsSIP's subscriber too (it reports it as final).
    const code = Number(/^SIP\/2\.0\s+(\d{3})\b/.exec((request.body ?? '').trim())?.[1] ?? 0);
    const final = code >= 200;
    let terminated = false;
    try {
      terminated = request.parseHeader('subscription-state')?.state === 'terminated';
    } catch {
      // An unparseable Subscription-State: the NOTIFY still reports its status line.
    }
    this.#log.info('sip: NOTIFY for a REFER whose call has ended answered 200', { callId: usage.callId, final, terminated });
    // Answer first, as JsSIP does for a live subscription: the report must never delay the 200.
    request.reply(200);
    try {
      usage.subscriber.receiveNotify(request);
    } catch (e) {
      this.#log.warn('sip: late REFER NOTIFY could not be read', { callId: usage.callId, error: String(e) });
    }
    if (final) this.#drop(k, usage);
    else if (terminated) this.#end(k, usage, 'the subscription was terminated without a final status');
  }

  #drop(k: string, usage: Usage) {
    usage.cancel();
    const left = (this.#usages.get(k) ?? []).filter((u) => u !== usage);
    if (left.length > 0) this.#usages.set(k, left);
    else this.#usages.delete(k);
  }

  #end(k: string, usage: Usage, why: string) {
    this.#drop(k, usage);
    this.#log.info('sip: REFER subscription of an ended call is over', { callId: usage.callId, why });
    try {
      usage.subscriber.emit(REFER_USAGE_ENDED);
    } catch (e) {
      this.#log.warn('sip: REFER subscription end not reported', { callId: usage.callId, error: String(e) });
    }
  }

  /** Usages still kept (leak checks: zero once every subscription ended). */
  get size(): number {
    let n = 0;
    for (const list of this.#usages.values()) n += list.length;
    return n;
  }

  /** The line stops: nothing more arrives. Every usage ends, its subscriber told. */
  clear(): void {
    for (const [k, list] of [...this.#usages]) for (const u of [...list]) this.#end(k, u, 'the line stopped');
    this.#timers.clear();
  }
}
