/**
 * A SIP.js 0.21 party on the in-memory network (./sip-memory.ts): an
 * independent SIP stack for the console's JsSIP line to talk to, run in Node
 * with a fake session description handler instead of WebRTC. It behaves like
 * the lab's Chromium peers (test/lab/peer/page.ts): registers, answers
 * incoming calls (an INVITE with Replaces at once, RFC 3891), places calls,
 * hands REFERs to the test, and sends or collects NOTIFY message/sipfrag.
 */
import {
  Grammar,
  type Invitation,
  Inviter,
  type Notification,
  type Referral,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerOptions,
  SessionState,
  SIPExtension,
  type URI,
  UserAgent,
} from 'sip.js';
import { directionOf, sdp } from '../integration/sip-peer';
import { MemoryTransport, type SipMemoryNetwork } from './sip-memory';
import { until } from './until';

/**
 * `until` (./until.ts) with this file's defaults: 5 s, and a check every 5 ms
 * because the network is in-process and answers at once.
 */
export function eventually<T>(check: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  return until(check, { what, timeoutMs: ms, intervalMs: 5 });
}

/** A FIFO of things that happen (incoming calls, REFERs, NOTIFYs) that a test awaits one by one. */
export class Inbox<T> {
  readonly all: T[] = [];
  #read = 0;
  push(item: T) {
    this.all.push(item);
  }
  async next(what: string, ms = 5000): Promise<T> {
    const item = await eventually(() => (this.#read < this.all.length ? { item: this.all[this.#read]! } : undefined), what, ms);
    this.#read += 1;
    return item.item;
  }
  /** Items not yet taken by next(). */
  get unread(): T[] {
    return this.all.slice(this.#read);
  }
}

/**
 * SIP.js's session description handler without WebRTC: a fixed SDP body; an
 * answer mirrors the offer's direction (sendonly → recvonly), an offer is
 * sendrecv, or sendonly when SIP.js asks for hold.
 */
export class FakeSessionDescriptionHandler implements SessionDescriptionHandler {
  /** The far end's offer we have not answered yet. */
  #remoteOffer: string | null = null;
  #awaitingAnswer = false;
  constructor(private readonly tag: string) {}
  close() {}
  async getDescription(options?: SessionDescriptionHandlerOptions): Promise<{ body: string; contentType: string }> {
    let direction: string;
    if (this.#remoteOffer !== null) {
      const offered = directionOf(this.#remoteOffer);
      direction = offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered;
      this.#remoteOffer = null;
    } else {
      // SIP.js passes `hold` for a hold re-INVITE (sessionDescriptionHandlerOptionsReInvite).
      direction = (options as { hold?: boolean } | undefined)?.hold ? 'sendonly' : 'sendrecv';
      this.#awaitingAnswer = true;
    }
    return { body: sdp(direction, this.tag), contentType: 'application/sdp' };
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  async setDescription(body: string): Promise<void> {
    if (this.#awaitingAnswer) this.#awaitingAnswer = false;
    else this.#remoteOffer = body;
  }
  sendDtmf(): boolean {
    return false;
  }
}

/** A NOTIFY as the REFER's sender saw it. */
export interface ReceivedNotify {
  body: string;
  event: string;
  subscriptionState: string;
  contentType: string;
}

/** The Replaces value of an INVITE or Refer-To, parsed by SIP.js's own grammar (RFC 3891). */
export interface ParsedReplaces {
  callId: string;
  toTag: string;
  fromTag: string;
}

export function parseReplaces(value: string): ParsedReplaces {
  const parsed = Grammar.parse(value, 'Replaces') as { call_id: string; replaces_to_tag: string; replaces_from_tag: string } | -1;
  if (parsed === -1) throw new Error(`SIP.js cannot parse Replaces: ${value}`);
  return { callId: parsed.call_id, toTag: parsed.replaces_to_tag, fromTag: parsed.replaces_from_tag };
}

/** A dialog as one SIP.js session sees it. */
export function dialogOf(session: Session): { callId: string; localTag: string; remoteTag: string } {
  const d = session.dialog;
  if (!d) throw new Error('the SIP.js session has no confirmed dialog');
  return { callId: d.callId, localTag: d.localTag, remoteTag: d.remoteTag };
}

export interface IncomingCall {
  invitation: Invitation;
  /** The session an INVITE with Replaces names, as SIP.js matched it (RFC 3891 §3), if any. */
  replacee: Session | undefined;
}

export class SipJsPeer {
  readonly ua: UserAgent;
  readonly aor: string;
  readonly incoming = new Inbox<IncomingCall>();
  /** REFERs received on any of this peer's calls, for the test to accept or reject. */
  readonly referrals = new Inbox<{ session: Session; referral: Referral }>();
  /** SIP.js warnings and errors (it logs, rather than throws, most protocol trouble). */
  readonly problems: string[] = [];
  /** How a new INVITE is met; one with Replaces is always accepted at once, as phones do. */
  answer: 'auto' | 'manual' = 'auto';
  #registerer: Registerer | null = null;
  readonly #sessions = new Set<Session>();

  private constructor(network: SipMemoryNetwork, readonly user: string) {
    this.aor = `sip:${user}@${network.domain}`;
    const uri = UserAgent.makeURI(this.aor);
    if (!uri) throw new Error(`bad AOR ${this.aor}`);
    this.ua = new UserAgent({
      uri,
      displayName: `Peer ${user}`,
      transportConstructor: MemoryTransport,
      transportOptions: { network, name: user },
      // Without this SIP.js ignores Replaces.
      sipExtensionReplaces: SIPExtension.Supported,
      sessionDescriptionHandlerFactory: () => new FakeSessionDescriptionHandler(user),
      logBuiltinEnabled: false,
      logLevel: 'warn',
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn') this.problems.push(`${level} ${category}: ${content}`);
      },
      delegate: { onInvite: (invitation) => this.#onInvite(invitation) },
    });
  }

  static async start(network: SipMemoryNetwork, user: string): Promise<SipJsPeer> {
    const peer = new SipJsPeer(network, user);
    await peer.ua.start();
    peer.#registerer = new Registerer(peer.ua, { expires: 600 });
    await new Promise<void>((resolve, reject) => {
      peer
        .#registerer!.register({
          requestDelegate: { onAccept: () => resolve(), onReject: (r) => reject(new Error(`${user}: REGISTER rejected ${r.message.statusCode}`)) },
        })
        .catch(reject);
    });
    await eventually(() => peer.#registerer!.state === RegistererState.Registered, `${user} registered`);
    return peer;
  }

  #track(session: Session) {
    this.#sessions.add(session);
    session.delegate = {
      onRefer: (referral) => this.referrals.push({ session, referral }),
    };
  }

  #onInvite(invitation: Invitation) {
    this.#track(invitation);
    const replacee = invitation.replacee;
    this.incoming.push({ invitation, replacee });
    if (replacee || this.answer === 'auto') {
      invitation.accept().catch((e: unknown) => this.problems.push(`error accept: ${String(e)}`));
    }
  }

  /** Calls `target` (a full URI); resolves with the session once established, rejects if it never is. */
  async call(target: string, extraHeaders: string[] = []): Promise<Inviter> {
    const uri = UserAgent.makeURI(target);
    if (!uri) throw new Error(`bad target ${target}`);
    const inviter = new Inviter(this.ua, uri, { extraHeaders });
    this.#track(inviter);
    let refused: number | undefined;
    await inviter.invite({ requestDelegate: { onReject: (r) => (refused = r.message.statusCode) } });
    await eventually(
      () => {
        if (inviter.state === SessionState.Terminated) throw new Error(`${this.user}: call to ${target} ended${refused ? ` with ${refused}` : ''}`);
        return inviter.state === SessionState.Established;
      },
      `${this.user}'s call to ${target} to be established`,
    );
    return inviter;
  }

  /** Sends REFER on `session`; the NOTIFYs it brings back are collected in order. */
  refer(session: Session, referTo: URI | Session): { status: Promise<number>; notifies: Inbox<ReceivedNotify> } {
    const notifies = new Inbox<ReceivedNotify>();
    const status = new Promise<number>((resolve, reject) => {
      session
        .refer(referTo, {
          requestDelegate: {
            onAccept: (r) => resolve(r.message.statusCode ?? 0),
            onReject: (r) => resolve(r.message.statusCode ?? 0),
          },
          onNotify: (n: Notification) => {
            notifies.push({
              body: n.request.body ?? '',
              event: n.request.getHeader('event') ?? '',
              subscriptionState: n.request.getHeader('subscription-state') ?? '',
              contentType: n.request.getHeader('content-type') ?? '',
            });
            n.accept().catch(() => undefined);
          },
        })
        .catch(reject);
    });
    return { status, notifies };
  }

  /**
   * Sends one NOTIFY for the REFER `referral` (RFC 3515 §2.4.5) with `body` as
   * message/sipfrag, whatever it contains; resolves with the final status it got.
   */
  notify(session: Session, referral: Referral, body: string, state = 'active;expires=60'): Promise<number> {
    const dialog = session.dialog;
    if (!dialog) throw new Error('no dialog to NOTIFY on');
    return new Promise((resolve) => {
      dialog.notify(
        {
          onAccept: (r) => resolve(r.message.statusCode ?? 0),
          onReject: (r) => resolve(r.message.statusCode ?? 0),
        },
        {
          extraHeaders: [`Event: refer;id=${referral.request.cseq}`, `Subscription-State: ${state}`],
          body: { contentDisposition: 'render', contentType: 'message/sipfrag;version=2.0', content: body },
        },
      );
    });
  }

  /** BYE (established) / CANCEL (calling) / 480 (ringing in). */
  async hangup(session: Session) {
    switch (session.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) await session.cancel();
        else await (session as Invitation).reject({ statusCode: 480 });
        break;
      case SessionState.Established:
        await session.bye();
        break;
      default:
        break;
    }
  }

  /** Sessions not yet terminated. */
  get live(): Session[] {
    return [...this.#sessions].filter((s) => s.state !== SessionState.Terminated);
  }

  async stop() {
    for (const s of this.live) await this.hangup(s).catch(() => undefined);
    if (this.#registerer?.state === RegistererState.Registered) {
      await new Promise<void>((resolve) => {
        this.#registerer!.unregister({ requestDelegate: { onAccept: () => resolve(), onReject: () => resolve() } }).catch(() => resolve());
        setTimeout(resolve, 1000).unref();
      });
    }
    await this.ua.stop().catch(() => undefined);
  }
}

export function terminated(session: Session, what = 'the SIP.js session to end', ms = 5000): Promise<true> {
  return eventually(() => session.state === SessionState.Terminated, what, ms);
}

export function established(session: Session, what = 'the SIP.js session to be established', ms = 5000): Promise<true> {
  return eventually(() => session.state === SessionState.Established, what, ms);
}
