/**
 * A fake VoIPBIN on 127.0.0.1 (ephemeral port): the REST endpoints and the
 * event websocket the console's adapter uses (main/platform/voipbin/), in the
 * documented shapes (docs/voipbin.md), with the platform's behaviour scripted:
 * sign-in and access keys, roles (a plain agent gets 403 on privileged
 * endpoints and on customer topics), paged lists, a blind `POST /transfers`
 * that hangs the transferer's call up and dials the transferee through a
 * groupcall BEFORE it answers (so events precede the 200, as on the
 * platform), then lets the test play the transferee. Faults on demand: an
 * error status for the next matching request, an answer that never comes,
 * raw frames (malformed, out of order), sockets dropped, upgrades refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

type Json = Record<string, unknown>;
export type Shape = 'wrapped' | 'bare';
export type Role = 'agent' | 'manager';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number | 'hang' | 'malformed';
  body?: unknown;
  times: number;
}

const uuid = (n: number, prefix = '0') => `${prefix.repeat(8).slice(0, 8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const iso = (ms: number) => new Date(ms).toISOString();

export interface FakeVoipbinOptions {
  users?: Record<string, { password: string; role: Role }>;
  accessKeys?: string[];
  /** Page size the server uses whatever the client asks (to exercise pagination). */
  pageSize?: number;
}

export class FakeVoipbin {
  readonly customerId = uuid(1, 'c');
  readonly sipDomain = `${this.customerId}.registrar.voipbin.net`;
  readonly requests: RecordedRequest[] = [];
  readonly subscriptions: string[][] = [];
  readonly calls = new Map<string, Json>();
  readonly groupcalls = new Map<string, Json>();
  readonly queues = new Map<string, Json>();
  readonly queuecalls = new Map<string, Json>();
  readonly agents = new Map<string, Json>();
  readonly transfers: Json[] = [];
  /** Attended transfers in progress: the conference bridges whose other parties hear music on hold. */
  readonly attendedMoh = new Set<string>();
  /** Groupcalls hung up through POST /groupcalls/{id}/hangup (an attended transfer cancelled). */
  readonly groupcallHangups: string[] = [];
  /** Close each socket right after it subscribes (what the platform does with a topic it refuses). */
  refuseTopics = false;
  /** Refuse websocket upgrades with this status (null: accept). */
  refuseUpgrade: number | null = null;
  /** Emit the transferee's `ringing` before answering POST /transfers, too. */
  ringBeforeAnswer = false;
  /** The shape the scripted platform events use. */
  shape: Shape = 'wrapped';
  now = Date.parse('2025-03-01T10:00:00Z');
  url = '';

  readonly #server = createServer((req, res) => void this.#handle(req, res));
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Map<WebSocket, { topics: string[]; role: Role }>();
  readonly #tokens = new Map<string, { username: string; role: Role }>();
  readonly #faults: Fault[] = [];
  readonly #hanging = new Set<ServerResponse>();
  readonly #users: Record<string, { password: string; role: Role }>;
  readonly #accessKeys: Set<string>;
  readonly #pageSize: number;
  #seq = 100;

  /** The signed-in agent (the console's user) and its platform leg of a call in a queue's conference. */
  readonly me: Json;

  constructor(o: FakeVoipbinOptions = {}) {
    this.#users = o.users ?? { agent1: { password: 'secret', role: 'manager' }, plain: { password: 'secret', role: 'agent' } };
    this.#accessKeys = new Set(o.accessKeys ?? ['key-1']);
    this.#pageSize = o.pageSize ?? 2;
    this.me = this.addAgent({ username: 'agent1', name: 'Ada Agent', status: 'busy', extension: '2001' });
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.dropSockets();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  nextId(prefix = 'a'): string {
    return uuid(++this.#seq, prefix);
  }

  // ── data ──

  addAgent(o: { username: string; name: string; status: string; extension?: string; tags?: string[] }): Json {
    const a: Json = {
      id: this.nextId('a'),
      customer_id: this.customerId,
      username: o.username,
      name: o.name,
      status: o.status,
      ring_method: 'ringall',
      permission: 64,
      tag_ids: o.tags ?? [],
      addresses: o.extension ? [{ type: 'extension', target: o.extension, target_name: o.extension }] : [],
      tm_create: iso(this.now),
    };
    this.agents.set(a.id as string, a);
    return a;
  }

  addQueue(o: { name: string; tags?: string[] }): Json {
    const q: Json = {
      id: this.nextId('b'),
      customer_id: this.customerId,
      name: o.name,
      routing_method: 'random',
      tag_ids: o.tags ?? [],
      wait_timeout: 600000,
      service_timeout: 600000,
      wait_queuecall_ids: [],
      service_queuecall_ids: [],
      total_incoming_count: 0,
      tm_create: iso(this.now),
    };
    this.queues.set(q.id as string, q);
    return q;
  }

  /** A caller enters `queue`, `waitedMs` ago. */
  addWaiting(queue: Json, waitedMs: number): Json {
    const qc: Json = {
      id: this.nextId('d'),
      customer_id: this.customerId,
      reference_type: 'call',
      reference_id: this.nextId('e'),
      status: 'waiting',
      tm_create: iso(this.now - waitedMs),
    };
    this.queuecalls.set(qc.id as string, qc);
    (queue.wait_queuecall_ids as string[]).push(qc.id as string);
    return qc;
  }

  /** The agent's answered leg of a queue call, as the platform lists it: outgoing to a contact of the extension. */
  addAgentLeg(o: { extension?: string; caller?: string; answeredAt?: number } = {}): Json {
    const ext = o.extension ?? '2001';
    const c: Json = {
      id: this.nextId('f'),
      customer_id: this.customerId,
      type: 'flow',
      groupcall_id: this.nextId('9'),
      source: { type: 'tel', target: o.caller ?? '+15551230001', target_name: '' },
      destination: { type: 'sip', target: `sip:r4nd0m@x7.invalid;transport=ws`, target_name: ext },
      status: 'progressing',
      direction: 'outgoing',
      confbridge_id: this.nextId('8'),
      tm_progressing: iso(o.answeredAt ?? this.now),
      tm_create: iso((o.answeredAt ?? this.now) - 5000),
    };
    this.calls.set(c.id as string, c);
    return c;
  }

  // ── faults ──

  /** The next `times` requests matching answer `status` (or never answer, or with a broken body). */
  fail(method: string, path: RegExp, status: Fault['status'], body?: unknown, times = 1): void {
    this.#faults.push({ method, path, status, body, times });
  }

  /** Error body in the platform's shape. */
  static errorBody(status: string, reason: string, message: string): Json {
    return { error: { status, reason, message, request_id: 'req_test' } };
  }

  // ── websocket ──

  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Sockets whose subscription the server has taken (there is no ack: tests wait for this before emitting). */
  get subscribedSockets(): number {
    return [...this.#sockets.values()].filter((s) => s.topics.length > 0).length;
  }

  /** Terminates every socket without a close frame (a crash, or the platform going away). */
  dropSockets(): void {
    for (const ws of this.#sockets.keys()) ws.terminate();
    this.#sockets.clear();
  }

  pingAll(): void {
    for (const ws of this.#sockets.keys()) ws.ping();
  }

  /**
   * Resolves once every open socket has answered a ping: the client has then
   * received — and, its handlers being synchronous, handled — every frame sent
   * before (a socket delivers in order, and answers a ping as it reads it).
   * A barrier to wait on instead of a fixed sleep after emit().
   */
  async roundTrip(timeoutMs = 2000): Promise<void> {
    await Promise.all(
      [...this.#sockets.keys()].map(
        (ws) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no pong within ${timeoutMs} ms`)), timeoutMs);
            ws.once('pong', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.ping();
          }),
      ),
    );
  }

  /** A raw text frame to every subscribed socket. */
  emitRaw(text: string): void {
    for (const [ws, s] of this.#sockets) if (s.topics.length > 0) ws.send(text);
  }

  /** An event of `type` about `data`, to the sockets subscribed to its resource, in `shape`. */
  emit(type: string, data: Json, shape: Shape = this.shape): void {
    const resource = type.split('_')[0]!;
    const topic = `customer_id:${this.customerId}:${resource}`;
    const text = JSON.stringify(shape === 'wrapped' ? { type, data } : data);
    for (const [ws, s] of this.#sockets) if (s.topics.some((t) => topic.startsWith(t))) ws.send(text);
  }

  // ── the scripted transfer ──

  lastTransfer(): { transfer: Json; groupcall: Json; transferee: Json } {
    const transfer = this.transfers.at(-1);
    if (!transfer) throw new Error('no transfer yet');
    const groupcall = this.groupcalls.get(transfer.groupcall_id as string)!;
    const transferee = this.calls.get((groupcall.call_ids as string[])[0]!)!;
    return { transfer, groupcall, transferee };
  }

  transfereeRings(shape?: Shape): void {
    const { transferee } = this.lastTransfer();
    Object.assign(transferee, { status: 'ringing', tm_ringing: iso(this.now) });
    this.emit('call_ringing', transferee, shape);
  }

  transfereeAnswers(shape?: Shape, o: { emit?: boolean } = {}): void {
    const { groupcall, transferee } = this.lastTransfer();
    Object.assign(transferee, { status: 'progressing', tm_progressing: iso(this.now) });
    Object.assign(groupcall, { status: 'progressing', answer_call_id: transferee.id });
    if (o.emit === false) return;
    this.emit('call_progressing', transferee, shape);
    this.emit('groupcall_progressing', groupcall, shape);
  }

  /** Attended: the transferee hangs up after answering (the platform takes the music off the caller). */
  transfereeHangsUp(shape?: Shape): void {
    const { transferee } = this.lastTransfer();
    Object.assign(transferee, { status: 'hangup', hangup_by: 'remote', hangup_reason: 'normal', tm_hangup: iso(this.now) });
    this.emit('call_hangup', transferee, shape);
  }

  /** The transferer's (our) leg ends, as the platform reports it: how an attended transfer completes. */
  transfererHangsUp(): void {
    const transferer = this.calls.get(this.lastTransfer().transfer.transferer_call_id as string)!;
    Object.assign(transferer, { status: 'hangup', hangup_by: 'local', hangup_reason: 'normal', tm_hangup: iso(this.now) });
    this.emit('call_hangup', transferer);
  }

  /** The transferee's call ends unanswered with the platform's reason; the groupcall ends with it. */
  transfereeFails(reason: 'busy' | 'noanswer' | 'timeout' | 'failed' | 'cancel', shape?: Shape, o: { groupcallEvent?: boolean } = {}): void {
    const { groupcall, transferee } = this.lastTransfer();
    Object.assign(transferee, { status: 'hangup', hangup_by: 'remote', hangup_reason: reason, tm_hangup: iso(this.now) });
    Object.assign(groupcall, { status: 'hangup' });
    this.emit('call_hangup', transferee, shape);
    if (o.groupcallEvent !== false) this.emit('groupcall_hangup', groupcall, shape);
  }

  // ── HTTP ──

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    let body: unknown = undefined;
    let badJson = false;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const method = req.method ?? 'GET';
    const path = url.pathname;
    this.requests.push({ method, path, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization ?? null, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };

    const fault = this.#faults.find((f) => f.method === method && f.path.test(path));
    if (fault) {
      if (--fault.times <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
      if (fault.status === 'hang') {
        this.#hanging.add(res);
        return;
      }
      if (fault.status === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(typeof fault.body === 'string' ? fault.body : '{"result": 5');
        return;
      }
      return send(fault.status, fault.body ?? FakeVoipbin.errorBody('INTERNAL', 'INTERNAL', 'scripted failure'));
    }

    if (method === 'POST' && path === '/auth/login') {
      const b = body as { username?: string; password?: string } | undefined;
      const u = b?.username ? this.#users[b.username] : undefined;
      if (!u || u.password !== b?.password) return send(401, FakeVoipbin.errorBody('UNAUTHENTICATED', 'INVALID_CREDENTIALS', 'wrong username or password'));
      const token = `tok-${++this.#seq}`;
      this.#tokens.set(token, { username: b!.username!, role: u.role });
      return send(200, { username: b!.username, token });
    }
    if (!path.startsWith('/v1.0/')) return send(404, FakeVoipbin.errorBody('NOT_FOUND', 'NOT_FOUND', 'no such path'));
    const who = this.#authenticate(req.headers.authorization ?? null, url.searchParams);
    if (!who) return send(401, FakeVoipbin.errorBody('UNAUTHENTICATED', 'INVALID_TOKEN', 'token missing or expired'));
    const denied = () => send(403, FakeVoipbin.errorBody('PERMISSION_DENIED', 'PERMISSION_DENIED', 'admin or manager permission required'));
    const api = path.slice('/v1.0'.length);

    if (api === '/service_agents/me' && method === 'GET') return send(200, this.me);
    if (api === '/service_agents/me/status' && method === 'PUT') {
      const status = (body as { status?: string } | undefined)?.status;
      if (!status || !['available', 'away', 'busy', 'offline'].includes(status)) return send(400, FakeVoipbin.errorBody('INVALID_ARGUMENT', 'INVALID_STATUS', 'bad status'));
      this.me.status = status;
      this.emit('agent_status_updated', this.me);
      return send(200, this.me);
    }
    if (who.role !== 'manager') return denied();
    const lists: Record<string, Map<string, Json>> = { '/queues': this.queues, '/queuecalls': this.queuecalls, '/agents': this.agents, '/calls': this.calls };
    if (method === 'GET' && lists[api]) {
      const all = [...lists[api].values()];
      const start = Number(url.searchParams.get('page_token') || '0');
      const page = all.slice(start, start + this.#pageSize);
      const next = start + this.#pageSize < all.length ? String(start + this.#pageSize) : '';
      return send(200, { next_page_token: next, result: page });
    }
    const gc = /^\/groupcalls\/([^/]+)$/.exec(api);
    if (method === 'GET' && gc) {
      const g = this.groupcalls.get(gc[1]!);
      return g ? send(200, g) : send(404, FakeVoipbin.errorBody('NOT_FOUND', 'GROUPCALL_NOT_FOUND', 'no such groupcall'));
    }
    if (method === 'POST' && api === '/transfers') return this.#transfer(badJson ? undefined : body, send);
    const gcHangup = /^\/groupcalls\/([^/]+)\/hangup$/.exec(api);
    if (method === 'POST' && gcHangup) {
      const g = this.groupcalls.get(gcHangup[1]!);
      if (!g) return send(404, FakeVoipbin.errorBody('NOT_FOUND', 'GROUPCALL_NOT_FOUND', 'no such groupcall'));
      this.groupcallHangups.push(g.id as string);
      // As the platform does it: every call the groupcall dialled is cancelled, then the groupcall ends.
      for (const id of (g.call_ids as string[]) ?? []) {
        const c = this.calls.get(id);
        if (!c || c.status === 'hangup') continue;
        Object.assign(c, { status: 'hangup', hangup_by: 'local', hangup_reason: 'cancel', tm_hangup: iso(this.now) });
        this.emit('call_hangup', c);
      }
      Object.assign(g, { status: 'hangup' });
      this.emit('groupcall_hangup', g);
      return send(200, g);
    }
    return send(404, FakeVoipbin.errorBody('NOT_FOUND', 'NOT_FOUND', 'no such path'));
  }

  #transfer(body: unknown, send: (status: number, json: unknown) => void): void {
    const b = body as { transfer_type?: string; transferer_call_id?: string; transferee_addresses?: Json[] } | undefined;
    if (!b || !['blind', 'attended'].includes(b.transfer_type ?? '') || !b.transferer_call_id || !Array.isArray(b.transferee_addresses) || b.transferee_addresses.length === 0) {
      return send(400, FakeVoipbin.errorBody('INVALID_ARGUMENT', 'INVALID_JSON_BODY', 'invalid transfer request'));
    }
    const transferer = this.calls.get(b.transferer_call_id);
    if (!transferer) return send(404, FakeVoipbin.errorBody('NOT_FOUND', 'CALL_NOT_FOUND', 'call not found'));
    if (transferer.status !== 'progressing' || !transferer.confbridge_id) return send(500, FakeVoipbin.errorBody('INTERNAL', 'INTERNAL', 'internal error'));
    if (b.transfer_type === 'blind') {
      // As the platform's blind transfer does it: hang up the transferer, then dial, then answer.
      Object.assign(transferer, { status: 'hangup', hangup_by: 'local', hangup_reason: 'normal', tm_hangup: iso(this.now) });
      this.emit('call_hangup', transferer);
    } else {
      // Attended: the transferer stays; every other party of its bridge gets music on hold, muted.
      this.attendedMoh.add(transferer.confbridge_id as string);
    }
    const groupcall: Json = {
      id: this.nextId('9'),
      customer_id: this.customerId,
      status: 'progressing',
      ring_method: 'ringall',
      answer_method: 'hangup_others',
      call_ids: [],
      tm_create: iso(this.now),
    };
    const transferee: Json = {
      id: this.nextId('f'),
      customer_id: this.customerId,
      groupcall_id: groupcall.id,
      source: transferer.source,
      destination: b.transferee_addresses[0],
      status: 'dialing',
      direction: 'outgoing',
      tm_create: iso(this.now),
    };
    (groupcall.call_ids as string[]).push(transferee.id as string);
    this.groupcalls.set(groupcall.id as string, groupcall);
    this.calls.set(transferee.id as string, transferee);
    this.emit('groupcall_created', groupcall);
    this.emit('call_created', transferee);
    if (this.ringBeforeAnswer) this.transfereeRingsNow(transferee);
    const transfer: Json = {
      id: this.nextId('7'),
      customer_id: this.customerId,
      type: b.transfer_type,
      transferer_call_id: transferer.id,
      transferee_addresses: b.transferee_addresses,
      transferee_call_id: '00000000-0000-0000-0000-000000000000',
      groupcall_id: groupcall.id,
      confbridge_id: transferer.confbridge_id,
      tm_create: iso(this.now),
    };
    this.transfers.push(transfer);
    send(200, transfer);
  }

  private transfereeRingsNow(transferee: Json) {
    Object.assign(transferee, { status: 'ringing', tm_ringing: iso(this.now) });
    this.emit('call_ringing', transferee);
  }

  #authenticate(authorization: string | null, query: URLSearchParams): { role: Role } | null {
    const key = query.get('accesskey');
    if (key) return this.#accessKeys.has(key) ? { role: 'manager' } : null;
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? query.get('token');
    return token ? (this.#tokens.get(token) ?? null) : null;
  }

  /** Forget every token (they expired): the next request with one gets 401. */
  expireTokens(): void {
    this.#tokens.clear();
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/v1.0/ws') return refuse(404, 'Not Found');
    if (this.refuseUpgrade) return refuse(this.refuseUpgrade, 'Refused');
    const who = this.#authenticate(null, url.searchParams);
    if (!who) return refuse(401, 'Unauthorized');
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const state = { topics: [] as string[], role: who.role };
      this.#sockets.set(ws, state);
      ws.on('close', () => this.#sockets.delete(ws));
      ws.on('message', (data) => {
        let m: { type?: string; topics?: string[] };
        try {
          m = JSON.parse(String(data)) as typeof m;
        } catch {
          return ws.terminate();
        }
        if (m.type !== 'subscribe' || !Array.isArray(m.topics)) return;
        this.subscriptions.push(m.topics);
        const valid = m.topics.every((t) => new RegExp(`^customer_id:${this.customerId}:(call|groupcall|queue|queuecall|agent)$`).test(t));
        // No ack and no error frame: a refused topic closes the socket, without a close frame.
        if (this.refuseTopics || !valid || state.role !== 'manager') {
          this.#sockets.delete(ws);
          return ws.terminate();
        }
        state.topics = m.topics;
      });
    });
  }
}

export async function startFakeVoipbin(o?: FakeVoipbinOptions): Promise<FakeVoipbin> {
  return new FakeVoipbin(o).start();
}
