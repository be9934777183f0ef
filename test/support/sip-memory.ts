/**
 * An in-memory SIP network for in-process tests: JsSIP (the console's line) and
 * SIP.js user agents exchange SIP text through it as they would over WebSockets
 * to a proxy, with no socket, no Kamailio, no root and no Chromium.
 *
 * The network is a minimal stateless proxy that adds no headers of its own:
 *  - it answers every REGISTER itself (200 with the Contact echoed and an
 *    expires, no challenge) and remembers which connection registered which user;
 *  - a request goes to the connection whose Via host is the Request-URI's host
 *    (both stacks put their Via host in their Contact, so in-dialog requests find
 *    their target), else to the connection that registered the Request-URI's user;
 *    an unroutable request gets a 404, one whose target disconnected before
 *    delivery a 480 (so a party stopping never leaves the other to a 32 s timer);
 *  - a response goes to the connection whose Via host is the top Via's host.
 * Every message is delivered asynchronously, in order, and recorded in `trace`.
 *
 * JsSIP side: `network.jssipSocket()` is a LineSocket for createLine's `socket` option.
 * SIP.js side: `transportConstructor: MemoryTransport` with `transportOptions: { network, name }`.
 */
import { randomBytes } from 'node:crypto';
import { EmitterImpl, TransportState, type Emitter, type Transport } from 'sip.js';
import type { LineSocket } from '../../main/sip/line';
import { parseSip, type SipMessage } from '../integration/sip-peer';

export interface TraceEntry {
  /** The endpoint that sent the message, or "network" for the REGISTER answers. */
  from: string;
  /** The endpoint it is for; null when it could not be routed (a request is then answered 404). */
  to: string | null;
  message: SipMessage;
  /** Handed to `to`'s stack (which handles it synchronously): entries are recorded when sent, delivered later. */
  delivered: boolean;
}

interface Endpoint {
  readonly name: string;
  connected: boolean;
  deliver(text: string): void;
}

const token = () => randomBytes(6).toString('hex');
const first = (m: SipMessage, name: string) => m.headers.get(name)?.[0] ?? '';
const viaHost = (via: string) => /^SIP\/2\.0\/\S+\s+([^;:\s]+)/i.exec(via)?.[1]?.toLowerCase() ?? null;
const uriParts = (uri: string) => /^sips?:(?:([^@;?>]+)@)?([^;:?>]+)/i.exec(uri);

export class SipMemoryNetwork {
  readonly domain: string;
  readonly trace: TraceEntry[] = [];
  readonly #byViaHost = new Map<string, Endpoint>();
  /** AOR user → the connection holding its registration. */
  readonly #bindings = new Map<string, Endpoint>();
  #closed = false;

  constructor(options: { domain?: string } = {}) {
    this.domain = options.domain ?? 'memory.test';
  }

  /** The console's transport: a JsSIP Socket plus what the line needs of one (LineSocket). */
  jssipSocket(name = 'console'): LineSocket {
    return new MemoryJsSipSocket(this, name, this.domain);
  }

  /** Messages delivered to `to`, optionally only one method / responses to one method. */
  received(to: string, filter: { method?: string; responseTo?: string } = {}): SipMessage[] {
    return this.trace
      .filter((e) => e.to === to && e.delivered)
      .map((e) => e.message)
      .filter((m) => (filter.method === undefined || m.method === filter.method) && (filter.responseTo === undefined || (m.status !== null && first(m, 'cseq').endsWith(` ${filter.responseTo}`))));
  }

  /** Stops routing: whatever is still queued or sent later is dropped. */
  close() {
    this.#closed = true;
    this.#byViaHost.clear();
    this.#bindings.clear();
  }

  /** @internal an endpoint's connection went away. */
  detach(endpoint: Endpoint) {
    for (const [k, e] of this.#byViaHost) if (e === endpoint) this.#byViaHost.delete(k);
    for (const [k, e] of this.#bindings) if (e === endpoint) this.#bindings.delete(k);
  }

  /** @internal one message from an endpoint's transport. */
  send(from: Endpoint, text: string) {
    if (this.#closed || text.trim() === '') return; // keep-alive CRLFs
    const message = parseSip(text);
    if (message.method) {
      // What the sender puts in its Via is where its responses (and, via its Contact, its requests) go back.
      const host = viaHost(first(message, 'via'));
      if (host) this.#byViaHost.set(host, from);
      if (message.method === 'REGISTER') return this.#register(from, message);
      const target = this.#routeRequest(message);
      const entry: TraceEntry = { from: from.name, to: target?.name ?? null, message, delivered: false };
      this.trace.push(entry);
      // A request whose target vanished meanwhile is answered as a proxy would, not left to time out.
      const gone = () => {
        if (message.method !== 'ACK' && from.connected) this.#reply(from, message, 480, 'Temporarily Unavailable');
      };
      if (target) return this.#deliver(target, text, entry, gone);
      if (message.method !== 'ACK') this.#reply(from, message, 404, 'Not Found');
      return;
    }
    const host = viaHost(first(message, 'via'));
    const target = host ? this.#byViaHost.get(host) : undefined;
    const entry: TraceEntry = { from: from.name, to: target?.name ?? null, message, delivered: false };
    this.trace.push(entry);
    if (target) this.#deliver(target, text, entry);
  }

  #routeRequest(m: SipMessage): Endpoint | undefined {
    const parts = uriParts(m.ruri ?? '');
    if (!parts) return undefined;
    const [, user, host] = parts;
    const byHost = this.#byViaHost.get(host!.toLowerCase());
    if (byHost) return byHost;
    return user !== undefined && host!.toLowerCase() === this.domain ? this.#bindings.get(user) : undefined;
  }

  #register(from: Endpoint, m: SipMessage) {
    this.trace.push({ from: from.name, to: 'network', message: m, delivered: true });
    const user = uriParts(/<([^>]+)>/.exec(first(m, 'to'))?.[1] ?? first(m, 'to'))?.[1];
    const contacts = (m.headers.get('contact') ?? []).flatMap((c) => c.split(/,(?=\s*<)/)).map((c) => c.trim());
    const headerExpires = first(m, 'expires');
    const expiresOf = (c: string) => /;\s*expires=(\d+)/i.exec(c)?.[1] ?? (headerExpires || '600');
    const binding = contacts.find((c) => c !== '*');
    if (!user || !binding || expiresOf(binding) === '0') {
      if (user) this.#bindings.delete(user);
      return this.#reply(from, m, 200, 'OK');
    }
    this.#bindings.set(user, from);
    // JsSIP and SIP.js both look for their own Contact with an expires parameter in the 200.
    const echoed = contacts.map((c) => (/;\s*expires=/i.test(c) ? c : `${c};expires=${expiresOf(c)}`));
    this.#reply(from, m, 200, 'OK', [...echoed.map((c) => `Contact: ${c}`), `Expires: ${expiresOf(binding)}`]);
  }

  #reply(to: Endpoint, req: SipMessage, status: number, reason: string, extra: string[] = []) {
    const toHeader = first(req, 'to');
    const text = [
      `SIP/2.0 ${status} ${reason}`,
      ...(req.headers.get('via') ?? []).map((v) => `Via: ${v}`),
      `From: ${first(req, 'from')}`,
      `To: ${/;tag=/.test(toHeader) ? toHeader : `${toHeader};tag=${token()}`}`,
      `Call-ID: ${first(req, 'call-id')}`,
      `CSeq: ${first(req, 'cseq')}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const entry: TraceEntry = { from: 'network', to: to.name, message: parseSip(text), delivered: false };
    this.trace.push(entry);
    this.#deliver(to, text, entry);
  }

  #deliver(to: Endpoint, text: string, entry: TraceEntry, gone?: () => void) {
    // Asynchronous like a socket, FIFO like one (setImmediate runs in order of scheduling).
    setImmediate(() => {
      if (this.#closed) return;
      if (!to.connected) return gone?.();
      entry.delivered = true;
      to.deliver(text);
    });
  }
}

/** JsSIP's Socket interface (see main/sip/ws-socket.ts for the real one) over the in-memory network. */
class MemoryJsSipSocket implements LineSocket, Endpoint {
  connected = false;
  #connecting = false;
  #viaTransport = 'WS';
  constructor(
    private readonly network: SipMemoryNetwork,
    readonly name: string,
    private readonly domain: string,
  ) {}

  // JsSIP assigns these.
  onconnect: () => void = () => {};
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => {};
  ondata: <T>(event: T) => void = () => {};

  get via_transport() {
    return this.#viaTransport;
  }
  set via_transport(value: string) {
    this.#viaTransport = value.toUpperCase();
  }
  get url() {
    return `ws://${this.domain}`;
  }
  get sip_uri() {
    return `sip:${this.domain};transport=ws`;
  }

  onProblem(): () => void {
    return () => {}; // an in-memory connection never fails to open
  }

  connect(): void {
    if (this.connected || this.#connecting) return;
    this.#connecting = true;
    setImmediate(() => {
      if (!this.#connecting) return;
      this.#connecting = false;
      this.connected = true;
      this.onconnect();
    });
  }

  disconnect(): void {
    // Like WsSocket: JsSIP asked for it and already knows, so no ondisconnect.
    this.#connecting = false;
    this.connected = false;
    this.network.detach(this);
  }

  send(message: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    if (!this.connected) return false;
    this.network.send(this, String(message));
    return true;
  }

  isConnected(): boolean {
    return this.connected;
  }

  isConnecting(): boolean {
    return this.#connecting;
  }

  dropForTest(): void {
    if (!this.connected) return;
    this.connected = false;
    this.network.detach(this);
    setImmediate(() => this.ondisconnect(true, 1006, 'dropped by the test'));
  }

  deliver(text: string) {
    this.ondata(text);
  }
}

export interface MemoryTransportOptions {
  network: SipMemoryNetwork;
  /** The endpoint's name in the trace. */
  name: string;
}

/** SIP.js 0.21's Transport over the in-memory network (`transportConstructor`). */
export class MemoryTransport implements Transport, Endpoint {
  readonly protocol = 'WS';
  readonly name: string;
  connected = false;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  readonly #stateChange = new EmitterImpl<TransportState>();
  #state = TransportState.Disconnected;
  readonly #network: SipMemoryNetwork;

  constructor(_logger: unknown, options: MemoryTransportOptions) {
    this.#network = options.network;
    this.name = options.name;
  }

  get state(): TransportState {
    return this.#state;
  }
  get stateChange(): Emitter<TransportState> {
    return this.#stateChange;
  }

  #transition(state: TransportState) {
    this.#state = state;
    this.connected = state === TransportState.Connected;
    this.#stateChange.emit(state);
  }

  async connect(): Promise<void> {
    if (this.#state === TransportState.Connected) return;
    this.#transition(TransportState.Connecting);
    await new Promise<void>((r) => setImmediate(r));
    this.#transition(TransportState.Connected);
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    if (this.#state === TransportState.Disconnected) return;
    const wasConnected = this.#state === TransportState.Connected;
    this.#transition(TransportState.Disconnecting);
    this.#network.detach(this);
    this.#transition(TransportState.Disconnected);
    if (wasConnected) this.onDisconnect?.();
  }

  dispose(): Promise<void> {
    return this.disconnect();
  }

  isConnected(): boolean {
    return this.#state === TransportState.Connected;
  }

  async send(message: string): Promise<void> {
    if (this.#state !== TransportState.Connected) throw new Error(`${this.name}: transport not connected`);
    this.#network.send(this, message);
  }

  deliver(text: string) {
    this.onMessage?.(text);
  }
}
