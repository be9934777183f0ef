/**
 * The switchboard's SIP brain: a registrar and a transaction-stateful proxy
 * (RFC 3261 §16) for user agents on WebSocket connections, with a call queue
 * in front of the queue's number. It takes messages and connection events in
 * and sends text out through `ports`; sockets and timers belong to
 * ./switchboard.ts, which also calls tick() once a second.
 *
 *   caller ──INVITE──▶ proxy ──(queue: waits, 100 Trying)──▶ INVITE ──▶ member
 *          ◀──18x/2xx─       ◀── non-2xx: ACKed here, caller waits again ──
 *
 * What a proxy must do, and does here:
 * - its own Via on every forwarded request (a fresh branch), popped from the
 *   responses; Max-Forwards decremented (483 at zero); Record-Route on
 *   dialog-creating requests, and its own Route popped (loose routing, §16.4);
 * - 100 Trying for every INVITE; non-2xx INVITE responses ACKed hop by hop
 *   and the caller's ACK for them absorbed; 2xx and their ACKs end to end;
 * - CANCEL answered here and sent on with the forwarded INVITE's branch;
 * - user agents over WebSocket live at random `….invalid` hosts (RFC 7118
 *   §5.2): requests for such a host go to the connection it was seen on.
 * And what a switchboard adds: a party whose connection closes mid-call has
 * its calls ended for it (BYE to the other side, CANCEL or 480 while it
 * rings), so nobody is left talking to silence.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logging/logger';
import { Dialogs } from './dialogs';
import {
  contactOf,
  header,
  headers,
  parseSip,
  parseUri,
  responseTo,
  topBranch,
  topViaHost,
  uriOf,
  withoutHeader,
  writeSip,
  type HeaderLine,
  type SipRequest,
  type SipResponse,
} from './message';
import type { CallQueue } from './queue';
import { Registrar, type RegistrarOptions } from './registrar';

export interface ProxyPorts {
  /** Hands text to a connection; false when it is gone. */
  send(connection: string, text: string): boolean;
  now(): number;
  log: Logger;
  /** Something a provider shows changed (registrations, calls, the queue). */
  changed(): void;
}

export interface ProxyOptions {
  /** The SIP domain the switchboard serves (`sip:201@<domain>`). */
  domain: string;
  /** The queue in front of its number. */
  queue: CallQueue;
  /** Users the demo knows: one of them unregistered is 480 Temporarily Unavailable, anyone else 404. */
  knownUsers: (user: string) => boolean;
  /** Whether a queue member takes queue calls now (the agent's status); registered and idle is checked here. */
  takesQueueCalls?: (user: string) => boolean;
  registrar?: Partial<RegistrarOptions>;
}

/** How the switchboard names itself in Via and Record-Route: a host no client resolves. */
export const SWITCHBOARD_HOST = 'switchboard.invalid';
const BRANCH_MAGIC = 'z9hG4bK';

interface ServerTx {
  key: string;
  connection: string;
  request: SipRequest;
  /** The final status sent upstream; null while the INVITE is pending. */
  final: number | null;
  /** Waiting in the queue (not handed to anyone right now). */
  queued: boolean;
  cancelled: boolean;
  client: ClientTx | null;
  completedAt: number | null;
}

interface ClientTx {
  branch: string;
  method: string;
  connection: string;
  /** The request as forwarded (our Via on top): CANCEL and ACK are built from it. */
  forwarded: SipRequest;
  server: ServerTx | null;
  /** For non-INVITE: where the response goes. */
  upstream: { connection: string } | null;
  /** The queue offered the call to this member. */
  member: string | null;
  cancelSent: boolean;
  final: boolean;
  createdAt: number;
}

const newBranch = () => `${BRANCH_MAGIC}${randomBytes(8).toString('hex')}`;
const newTag = () => randomBytes(6).toString('hex');
const dialogCreating = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

export class SipProxy {
  readonly registrar: Registrar;
  readonly dialogs = new Dialogs();
  readonly queue: CallQueue;
  readonly #o: ProxyOptions;
  readonly #ports: ProxyPorts;
  /** `….invalid` host (Via, Contact) → the connection it lives on. */
  readonly #hosts = new Map<string, string>();
  readonly #client = new Map<string, ClientTx>();
  readonly #server = new Map<string, ServerTx>();
  /** Branches of requests the switchboard sent itself (BYE for a vanished party): their answers end here. */
  readonly #own = new Map<string, number>();

  constructor(options: ProxyOptions, ports: ProxyPorts) {
    this.#o = options;
    this.#ports = ports;
    this.queue = options.queue;
    this.registrar = new Registrar(options.registrar);
  }

  get domain(): string {
    return this.#o.domain;
  }

  /** Registered, in no call and not ringing, and (for the agent) available. */
  isFree(user: string): boolean {
    const now = this.#ports.now();
    if (!this.registrar.isRegistered(user, now)) return false;
    if (this.dialogs.activity().has(user)) return false;
    return this.#o.takesQueueCalls?.(user) ?? true;
  }

  /** Live transactions, for leak checks: all zero once every call is over and tick() pruned them. */
  counters(): { clientTransactions: number; serverTransactions: number; hosts: number; dialogs: number; queued: number } {
    return {
      clientTransactions: this.#client.size,
      serverTransactions: this.#server.size,
      hosts: this.#hosts.size,
      dialogs: this.dialogs.all().length,
      queued: this.queue.entries().length,
    };
  }

  receive(connection: string, text: string): void {
    if (text.trim() === '') return; // CRLF keep-alive
    const m = parseSip(text);
    if (!m) {
      this.#ports.log.debug('switchboard: unreadable message dropped', { connection });
      return;
    }
    if (m.kind === 'response') this.#response(connection, m);
    else this.#request(connection, m);
  }

  // ─── requests ──────────────────────────────────────────────────────────────

  #request(connection: string, req: SipRequest): void {
    const viaHost = topViaHost(req);
    if (viaHost) this.#hosts.set(viaHost, connection);
    this.#learnContacts(req.headers, connection);

    const maxForwards = Number(header(req, 'max-forwards') ?? 70);
    if (req.method !== 'ACK' && (!Number.isFinite(maxForwards) || maxForwards <= 0)) return this.#reply(connection, req, 483, 'Too Many Hops');

    if (req.method === 'REGISTER') return this.#register(connection, req);
    if (req.method === 'CANCEL') return this.#cancel(connection, req);
    if (req.method === 'ACK') {
      const tx = this.#server.get(this.#key(connection, req));
      // The ACK of a non-2xx answer ends its transaction here (RFC 3261 §16.7 hop by hop).
      if (tx && tx.final !== null && tx.final >= 300) return;
    }

    const routes = headers(req, 'route');
    const top = routes[0] ? uriOf(routes[0]) : undefined;
    const lines = top?.host.toLowerCase() === SWITCHBOARD_HOST ? this.#dropFirst(req.headers, 'route') : req.headers;
    const ruri = parseUri(req.uri);
    if (!ruri) return this.#reply(connection, req, 416, 'Unsupported URI Scheme');

    if (req.toTag !== undefined) {
      // In a dialog: the Request-URI is the other side's Contact.
      const target = this.#hosts.get(ruri.host.toLowerCase());
      if (!target) return this.#reply(connection, req, 481, 'Call/Transaction Does Not Exist');
      this.dialogs.sent(req.callId, req.fromTag, req.cseq);
      if (req.method === 'BYE' && this.dialogs.ended(req.callId)) this.#ports.changed();
      return this.#forward(connection, { ...req, headers: lines }, target, req.uri, null);
    }

    const byHost = this.#hosts.get(ruri.host.toLowerCase());
    if (byHost) return this.#forward(connection, { ...req, headers: lines }, byHost, req.uri, null);
    const user = ruri.user;
    if (!this.#isOurs(ruri.host) || user === undefined) return this.#reply(connection, req, 404, 'Not Found');
    if (user === this.queue.user) {
      if (req.method !== 'INVITE') return this.#reply(connection, req, 405, 'Method Not Allowed', [{ name: 'Allow', value: 'INVITE, ACK, CANCEL' }]);
      return this.#enqueue(connection, { ...req, headers: lines });
    }
    const binding = this.registrar.lookup(user, this.#ports.now());
    if (!binding) {
      return this.#o.knownUsers(user) ? this.#reply(connection, req, 480, 'Temporarily Unavailable') : this.#reply(connection, req, 404, 'Not Found');
    }
    if (req.method === 'SUBSCRIBE') return this.#reply(connection, req, 489, 'Bad Event');
    if (req.method === 'INVITE') {
      this.dialogs.invited(req.callId, this.#callerSide(connection, req), user, this.#ports.now());
      this.dialogs.offered(req.callId, user, binding.connection);
      this.#ports.changed();
    }
    this.#forward(connection, { ...req, headers: lines }, binding.connection, binding.contact, null);
  }

  #isOurs(host: string): boolean {
    const h = host.toLowerCase();
    return h === this.#o.domain.toLowerCase() || h === SWITCHBOARD_HOST || h === '127.0.0.1' || h === 'localhost';
  }

  #key(connection: string, req: SipRequest | SipResponse): string {
    return `${connection} ${topBranch(req) ?? ''}`;
  }

  #callerSide(connection: string, req: SipRequest) {
    const contact = header(req, 'contact');
    return {
      user: req.fromUser ?? '',
      connection,
      contact: contact ? (contactOf(contact)?.uri.toString() ?? null) : null,
      identity: header(req, 'from') ?? '',
      cseq: req.cseq,
    };
  }

  #learnContacts(lines: readonly HeaderLine[], connection: string): void {
    for (const h of lines) {
      if (h.name.toLowerCase() !== 'contact') continue;
      const host = contactOf(h.value)?.uri.host.toLowerCase();
      if (host && host.endsWith('.invalid') && host !== SWITCHBOARD_HOST) this.#hosts.set(host, connection);
    }
  }

  #dropFirst(lines: readonly HeaderLine[], name: string): HeaderLine[] {
    const i = lines.findIndex((h) => h.name.toLowerCase() === name);
    return i < 0 ? [...lines] : [...lines.slice(0, i), ...lines.slice(i + 1)];
  }

  #reply(connection: string, req: SipRequest, status: number, reason: string, extra: HeaderLine[] = []): void {
    if (req.method === 'ACK') return;
    this.#ports.send(connection, writeSip(responseTo(req, status, reason, extra, newTag())));
  }

  #register(connection: string, req: SipRequest): void {
    const to = header(req, 'to');
    const user = req.toUser;
    if (!to || user === undefined) return this.#reply(connection, req, 400, 'Bad Request');
    const contacts = headers(req, 'contact');
    const wildcard = contacts.some((c) => c.trim() === '*');
    const expiresHeader = header(req, 'expires');
    const parsed = wildcard ? [] : contacts.map((c) => contactOf(c));
    if (parsed.some((c) => c === undefined)) return this.#reply(connection, req, 400, 'Bad Contact');
    const answer = this.registrar.register(
      {
        user,
        connection,
        wildcard,
        expires: expiresHeader !== undefined && /^\d+$/.test(expiresHeader.trim()) ? Number(expiresHeader) : undefined,
        contacts: parsed.map((c) => ({ uri: c!.uri.toString(), expires: c!.expires })),
      },
      this.#ports.now(),
    );
    if (answer.status === 423) return this.#reply(connection, req, 423, 'Interval Too Brief', [{ name: 'Min-Expires', value: String(answer.minExpires) }]);
    if (answer.status === 400) return this.#reply(connection, req, 400, answer.reason);
    // RFC 3261 §10.3 step 8: every current binding, each with the expiry granted.
    const extra = answer.bindings.map((b) => ({ name: 'Contact', value: `<${b.contact}>;expires=${b.expiresSec}` }));
    this.#reply(connection, req, 200, 'OK', extra);
    this.#ports.changed();
    this.pump();
  }

  #cancel(connection: string, req: SipRequest): void {
    const tx = this.#server.get(this.#key(connection, req));
    if (!tx || tx.final !== null) return this.#reply(connection, req, 481, 'Call/Transaction Does Not Exist');
    this.#reply(connection, req, 200, 'OK');
    tx.cancelled = true;
    if (tx.client && !tx.client.final) {
      // The 487 from downstream finishes the caller's INVITE (#inviteResponse).
      this.#sendCancel(tx.client);
      return;
    }
    // Still waiting in the queue: the caller gave up.
    this.queue.remove(tx.request.callId);
    this.dialogs.ended(tx.request.callId);
    this.#finish(tx, 487, 'Request Terminated');
    this.#ports.changed();
  }

  #enqueue(connection: string, req: SipRequest): void {
    const key = this.#key(connection, req);
    if (this.#server.has(key)) return; // a retransmission
    const tx: ServerTx = { key, connection, request: req, final: null, queued: true, cancelled: false, client: null, completedAt: null };
    this.#server.set(key, tx);
    this.#reply(connection, req, 100, 'Trying');
    this.dialogs.invited(req.callId, this.#callerSide(connection, req), this.queue.user, this.#ports.now());
    const position = this.queue.enqueue(req.callId, header(req, 'from') ?? '', this.#ports.now());
    this.#ports.log.info('switchboard: caller queued', { queue: this.queue.name, position });
    this.#ports.changed();
    this.pump();
  }

  /** Offers waiting callers to free members, as long as there are both. */
  pump(): void {
    const now = this.#ports.now();
    for (let next = this.queue.next(now, (u) => this.isFree(u)); next; next = this.queue.next(now, (u) => this.isFree(u))) {
      const tx = [...this.#server.values()].find((t) => t.request.callId === next!.entry.id && t.final === null);
      const binding = this.registrar.lookup(next.member, now);
      if (!tx) {
        this.queue.remove(next.entry.id);
        continue;
      }
      if (!binding) {
        // Free a moment ago, gone now: let the member rest rather than pick it again at once.
        this.queue.offered(next.entry.id, next.member, now);
        this.queue.refused(next.entry.id, now);
        continue;
      }
      this.queue.offered(next.entry.id, next.member, now);
      this.dialogs.offered(tx.request.callId, next.member, binding.connection);
      tx.queued = false;
      this.#ports.log.info('switchboard: offering a queued caller', { queue: this.queue.name, to: next.member });
      this.#forward(tx.connection, tx.request, binding.connection, binding.contact, next.member);
      this.#ports.changed();
    }
  }

  #forward(from: string, req: SipRequest, to: string, uri: string, member: string | null): void {
    const branch = newBranch();
    const maxForwards = Number(header(req, 'max-forwards') ?? 70);
    let lines = withoutHeader(req.headers, 'max-forwards');
    const rest = [{ name: 'Max-Forwards', value: String(Math.min(70, maxForwards) - 1) }];
    const recordRoute = dialogCreating.has(req.method) && req.toTag === undefined ? [{ name: 'Record-Route', value: `<sip:${SWITCHBOARD_HOST};transport=ws;lr>` }] : [];
    lines = [{ name: 'Via', value: `SIP/2.0/WS ${SWITCHBOARD_HOST};branch=${branch}` }, ...recordRoute, ...lines, ...rest];
    const forwarded: SipRequest = { ...req, uri, headers: lines };
    const now = this.#ports.now();

    let server: ServerTx | null = null;
    if (req.method === 'INVITE') {
      const key = this.#key(from, req);
      server = this.#server.get(key) ?? null;
      if (!server) {
        server = { key, connection: from, request: req, final: null, queued: false, cancelled: false, client: null, completedAt: null };
        this.#server.set(key, server);
        this.#reply(from, req, 100, 'Trying');
      }
    }
    const tx: ClientTx = {
      branch,
      method: req.method,
      connection: to,
      forwarded,
      server,
      upstream: req.method === 'ACK' || req.method === 'INVITE' ? null : { connection: from },
      member,
      cancelSent: false,
      final: false,
      createdAt: now,
    };
    if (server) server.client = tx;
    if (req.method !== 'ACK') this.#client.set(branch, tx);
    if (this.#ports.send(to, writeSip(forwarded))) return;
    // The target's connection is gone: answer as the proxy would after its transaction timed out.
    this.#client.delete(branch);
    this.#unreachable(tx);
  }

  #sendCancel(tx: ClientTx): void {
    if (tx.cancelSent || tx.final) return;
    tx.cancelSent = true;
    const f = tx.forwarded;
    const keep = f.headers.filter((h) => ['via', 'route', 'from', 'to', 'call-id'].includes(h.name.toLowerCase()));
    // RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE; only our Via.
    const firstVia = keep.findIndex((h) => h.name.toLowerCase() === 'via');
    const lines = keep.filter((h, i) => h.name.toLowerCase() !== 'via' || i === firstVia);
    const cancel: SipRequest = { ...f, method: 'CANCEL', body: '', headers: [...lines, { name: 'CSeq', value: `${f.cseq} CANCEL` }, { name: 'Max-Forwards', value: '70' }] };
    this.#ports.send(tx.connection, writeSip(cancel));
  }

  #ackDownstream(tx: ClientTx, res: SipResponse): void {
    const f = tx.forwarded;
    const firstVia = f.headers.findIndex((h) => h.name.toLowerCase() === 'via');
    const lines = f.headers
      .filter((h, i) => ['route', 'from', 'call-id'].includes(h.name.toLowerCase()) || i === firstVia)
      .concat([{ name: 'To', value: header(res, 'to') ?? '' }, { name: 'CSeq', value: `${f.cseq} ACK` }, { name: 'Max-Forwards', value: '70' }]);
    this.#ports.send(tx.connection, writeSip({ ...f, method: 'ACK', body: '', headers: lines }));
  }

  // ─── responses ─────────────────────────────────────────────────────────────

  #response(connection: string, res: SipResponse): void {
    this.#learnContacts(res.headers, connection);
    const branch = topBranch(res);
    if (!branch) return;
    if (this.#own.has(branch)) return; // the answer to a BYE we sent for a vanished party
    const tx = this.#client.get(branch);
    if (!tx || res.cseqMethod === 'CANCEL') return; // a 200 for our CANCEL, or a stray answer
    const upward: SipResponse = { ...res, headers: this.#dropFirst(res.headers, 'via') };
    if (tx.method === 'INVITE') return this.#inviteResponse(tx, res, upward);
    if (res.status < 200) {
      if (tx.upstream) this.#ports.send(tx.upstream.connection, writeSip(upward));
      return;
    }
    tx.final = true;
    this.#client.delete(tx.branch);
    if (tx.upstream) this.#ports.send(tx.upstream.connection, writeSip(upward));
  }

  #inviteResponse(tx: ClientTx, res: SipResponse, upward: SipResponse): void {
    const server = tx.server!;
    const initial = server.request.toTag === undefined;
    if (res.status === 100) return; // hop by hop: we sent our own
    if (res.status < 200) {
      if (initial && res.toTag) this.dialogs.answered(res.callId, { contact: this.#contactOf(res), identity: header(res, 'to') ?? '' }, false);
      this.#ports.send(server.connection, writeSip(upward));
      this.#ports.changed();
      return;
    }
    if (res.status < 300) {
      // 2xx: forwarded every time (the callee retransmits it until the caller's ACK arrives).
      if (!tx.final) {
        tx.final = true;
        server.final = res.status;
        server.completedAt = this.#ports.now();
        if (initial) {
          this.dialogs.answered(res.callId, { contact: this.#contactOf(res), identity: header(res, 'to') ?? '' }, true);
          if (tx.member) this.queue.remove(res.callId);
        }
        this.#ports.changed();
      }
      this.#ports.send(server.connection, writeSip(upward));
      return;
    }
    if (tx.final) return;
    tx.final = true;
    this.#ackDownstream(tx, res);
    if (tx.member && !server.cancelled && this.queue.has(res.callId)) {
      // The member did not take it (busy, declined, no answer): the caller waits again.
      this.#ports.log.info('switchboard: queue offer not taken', { to: tx.member, status: res.status });
      this.queue.refused(res.callId, this.#ports.now());
      this.dialogs.unoffered(res.callId);
      server.client = null;
      server.queued = true;
      this.#ports.changed();
      this.pump();
      return;
    }
    if (tx.member) this.queue.remove(res.callId);
    if (initial) this.dialogs.ended(res.callId);
    server.final = res.status;
    server.completedAt = this.#ports.now();
    this.#ports.send(server.connection, writeSip(upward));
    this.#ports.changed();
  }

  #contactOf(res: SipResponse): string | null {
    const c = header(res, 'contact');
    return c ? (contactOf(c)?.uri.toString() ?? null) : null;
  }

  /** The switchboard's own final answer to a caller's INVITE. */
  #finish(server: ServerTx, status: number, reason: string): void {
    if (server.final !== null) return;
    server.final = status;
    server.completedAt = this.#ports.now();
    this.#ports.send(server.connection, writeSip(responseTo(server.request, status, reason, [], newTag())));
  }

  /** The request could not reach its target (its connection closed): answer upstream for it. */
  #unreachable(tx: ClientTx): void {
    tx.final = true;
    if (tx.method === 'INVITE' && tx.server) {
      const server = tx.server;
      if (tx.member && !server.cancelled && this.queue.has(server.request.callId)) {
        this.queue.refused(server.request.callId, this.#ports.now());
        this.dialogs.unoffered(server.request.callId);
        server.client = null;
        server.queued = true;
        return;
      }
      if (tx.member) this.queue.remove(server.request.callId);
      if (server.request.toTag === undefined) this.dialogs.ended(server.request.callId);
      this.#finish(server, server.cancelled ? 487 : 480, server.cancelled ? 'Request Terminated' : 'Temporarily Unavailable');
      return;
    }
    if (tx.upstream && tx.method !== 'ACK') {
      const asReceived = { ...tx.forwarded, headers: this.#dropFirst(tx.forwarded.headers, 'via') };
      this.#ports.send(tx.upstream.connection, writeSip(responseTo(asReceived, 480, 'Temporarily Unavailable', [], newTag())));
    }
  }

  // ─── connections and time ──────────────────────────────────────────────────

  /** A connection closed: its bindings go, its calls end for it, what waited on it is answered. */
  connectionClosed(connection: string): void {
    for (const [host, c] of this.#hosts) if (c === connection) this.#hosts.delete(host);
    this.registrar.dropConnection(connection);
    for (const d of this.dialogs.onConnection(connection)) {
      const callerGone = d.caller.connection === connection;
      if (d.state === 'confirmed') {
        const other = callerGone ? d.callee : d.caller;
        const gone = callerGone ? d.caller : d.callee;
        if (other && gone) this.#byeFor(d.callId, gone, other, callerGone);
        this.dialogs.ended(d.callId);
      } else if (callerGone) {
        const server = [...this.#server.values()].find((t) => t.request.callId === d.callId && t.final === null);
        if (server) {
          server.cancelled = true;
          server.final = 487;
          server.completedAt = this.#ports.now();
          if (server.client) this.#sendCancel(server.client);
        }
        this.queue.remove(d.callId);
        this.dialogs.ended(d.callId);
      }
      // A callee that vanishes while its INVITE rings is handled with its pending transactions below.
    }
    for (const tx of [...this.#client.values()]) {
      if (tx.connection !== connection || tx.final) continue;
      this.#client.delete(tx.branch);
      this.#unreachable(tx);
    }
    for (const [key, tx] of this.#server) if (tx.connection === connection) this.#server.delete(key);
    for (const tx of [...this.#client.values()]) if (tx.upstream?.connection === connection || tx.server?.connection === connection) tx.upstream = null;
    this.#ports.changed();
    this.pump();
  }

  /** RFC 3261 §15.1.1 on behalf of `gone`: a BYE to `other`, in `gone`'s name, in their dialog. */
  #byeFor(callId: string, gone: { identity: string; cseq: number }, other: { connection: string; contact: string | null; identity: string }, goneIsCaller: boolean): void {
    if (!other.contact || !gone.identity || !other.identity) return;
    const branch = newBranch();
    this.#own.set(branch, this.#ports.now());
    const bye: SipRequest = {
      kind: 'request',
      method: 'BYE',
      uri: other.contact,
      headers: [
        { name: 'Via', value: `SIP/2.0/WS ${SWITCHBOARD_HOST};branch=${branch}` },
        { name: 'Max-Forwards', value: '70' },
        { name: 'From', value: gone.identity },
        { name: 'To', value: other.identity },
        { name: 'Call-ID', value: callId },
        { name: 'CSeq', value: `${gone.cseq + 1} BYE` },
        { name: 'Reason', value: 'SIP;cause=480;text="The other party disconnected"' },
      ],
      body: '',
      callId,
      cseq: gone.cseq + 1,
      cseqMethod: 'BYE',
      fromTag: undefined,
      toTag: 'x',
      fromUser: undefined,
      toUser: undefined,
    };
    this.#ports.log.info('switchboard: a party disconnected mid-call; ending the call for it', { callId, goneIsCaller });
    this.#ports.send(other.connection, writeSip(bye));
  }

  /** Once a second: expired registrations, offers ringing too long, finished transactions. */
  tick(): void {
    const now = this.#ports.now();
    const gone = this.registrar.sweep(now);
    if (gone.length > 0) this.#ports.log.info('switchboard: registrations expired', { users: gone });
    for (const entry of this.queue.overdue(now)) {
      const tx = [...this.#client.values()].find((t) => t.member !== null && t.forwarded.callId === entry.id && !t.final);
      if (tx) this.#sendCancel(tx);
      else this.queue.refused(entry.id, now);
    }
    for (const [key, tx] of this.#server) if (tx.completedAt !== null && now - tx.completedAt > 32_000) this.#server.delete(key);
    for (const [branch, tx] of this.#client) if (tx.final || now - tx.createdAt > 180_000) this.#client.delete(branch);
    for (const [branch, at] of this.#own) if (now - at > 32_000) this.#own.delete(branch);
    if (gone.length > 0) this.#ports.changed();
    this.pump();
  }

  clear(): void {
    this.#hosts.clear();
    this.#client.clear();
    this.#server.clear();
    this.#own.clear();
    this.dialogs.clear();
    this.queue.clear();
    this.registrar.clear();
  }
}
