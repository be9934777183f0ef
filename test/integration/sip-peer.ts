/**
 * Test doubles for the SIP integration tests (test/integration/sip-*.test.ts):
 * - a recording fake RTCPeerConnection installed as the globals JsSIP reads
 *   (window.RTCPeerConnection, RTCPeerConnection, RTCSessionDescription);
 * - a fake microphone (SessionMedia) handing out stream handles;
 * - a scripted in-process SIP peer over a real local `ws` WebSocket server
 *   (or over TLS: startTlsSipPeer, startSelfSignedSipPeer):
 *   registrar (401 challenge with real MD5 digest checking, or 403/404/silence),
 *   UAS for our INVITEs (100/180/200, scripted re-INVITE answers incl. 491,
 *   BYE, INFO, CANCEL) and UAC for calls towards us (INVITE, ACK, BYE, re-INVITE).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SessionMedia } from '../../main/sip/session';
import { selfSignedCert } from '../support/tls';

// ---------------------------------------------------------------- fake WebRTC

export const sdp = (direction: string, tag = 'x') =>
  [
    'v=0',
    `o=- ${tag.length + 1000} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 101',
    'c=IN IP4 127.0.0.1',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:101 telephone-event/8000',
    `a=${direction}`,
    'a=mid:0',
    '',
  ].join('\r\n');

export const directionOf = (body: string) => /a=(sendrecv|sendonly|recvonly|inactive)/.exec(body)?.[1] ?? 'sendrecv';

interface FakeTrack { id: string; kind: 'audio'; enabled: boolean }
export class FakeStream {
  readonly id = `mic-${randomBytes(3).toString('hex')}`;
  readonly tracks: FakeTrack[] = [{ id: `${this.id}-a`, kind: 'audio', enabled: true }];
  getTracks() { return this.tracks; }
  getAudioTracks() { return this.tracks; }
  getVideoTracks() { return []; }
  removeTrack() {}
}

export const webrtc = {
  connections: [] as FakePeerConnection[],
  /** When true, ICE gathering never completes: only the session's ready() (our cut-off) lets SDP out. */
  stallGathering: false,
};

type Listener = (e: unknown) => void;
export class FakePeerConnection {
  signalingState = 'stable';
  iceGatheringState = 'new';
  iceConnectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  closed = false;
  readonly ops: string[] = [];
  readonly senders: Array<{ track: FakeTrack; dtmf: { toneBuffer: string; insertDTMF(t: string): void } }> = [];
  readonly listeners = new Map<string, Set<Listener>>();
  constructor(readonly config: unknown) {
    webrtc.connections.push(this);
  }
  addEventListener(type: string, l: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: Listener) {
    this.listeners.get(type)?.delete(l);
  }
  listenerCount() {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
  #fire(type: string, e: unknown) {
    for (const l of [...(this.listeners.get(type) ?? [])]) l(e);
  }
  addTrack(track: FakeTrack) {
    this.ops.push(`addTrack ${track.id}`);
    const sender = { track, dtmf: { toneBuffer: '', insertDTMF: (t: string) => this.ops.push(`insertDTMF ${t}`) } };
    this.senders.push(sender);
    return sender;
  }
  getSenders() { return this.senders; }
  async createOffer() {
    this.ops.push('createOffer');
    return { type: 'offer', sdp: sdp('sendrecv', 'offer') };
  }
  async createAnswer() {
    this.ops.push('createAnswer');
    const remote = this.remoteDescription ? directionOf(this.remoteDescription.sdp) : 'sendrecv';
    const mirrored = remote === 'sendonly' ? 'recvonly' : remote === 'inactive' ? 'inactive' : 'sendrecv';
    return { type: 'answer', sdp: sdp(mirrored, 'answer') };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    if (d.type === 'rollback') {
      this.ops.push('setLocalDescription rollback');
      this.signalingState = 'stable';
      return;
    }
    this.ops.push(`setLocalDescription ${d.type} ${directionOf(d.sdp)}`);
    this.localDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
    if (webrtc.stallGathering) {
      this.iceGatheringState = 'gathering';
      setTimeout(() => this.#fire('icecandidate', { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } }), 5);
    } else {
      this.iceGatheringState = 'complete';
    }
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.ops.push(`setRemoteDescription ${d.type} ${directionOf(d.sdp)}`);
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    if (d.type === 'answer' && this.iceConnectionState === 'new') this.iceConnectionState = 'connected';
  }
  close() {
    this.ops.push('close');
    this.closed = true;
    this.signalingState = 'closed';
    this.iceConnectionState = 'closed';
  }
}

export function installFakeWebRTC(): () => void {
  const g = globalThis as Record<string, unknown>;
  const before = { window: g['window'], RTCPeerConnection: g['RTCPeerConnection'], RTCSessionDescription: g['RTCSessionDescription'] };
  g['window'] = { RTCPeerConnection: FakePeerConnection };
  g['RTCPeerConnection'] = FakePeerConnection;
  g['RTCSessionDescription'] = class {
    type: string;
    sdp: string;
    constructor(init: { type: string; sdp: string }) {
      this.type = init.type;
      this.sdp = init.sdp;
    }
  };
  return () => Object.assign(g, before);
}

export function fakeMicrophone() {
  const live = new Set<FakeStream>();
  const media: SessionMedia & { live: Set<FakeStream>; acquired: number } = {
    live,
    acquired: 0,
    async microphone() {
      const s = new FakeStream();
      live.add(s);
      media.acquired += 1;
      return s as unknown as MediaStream;
    },
    release(stream) {
      live.delete(stream as unknown as FakeStream);
    },
  };
  return media;
}

// ---------------------------------------------------------------- SIP parsing

export interface SipMessage {
  startLine: string;
  method: string | null;
  status: number | null;
  ruri: string | null;
  headers: Map<string, string[]>;
  body: string;
  raw: string;
}

const compact: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };

export function parseSip(raw: string): SipMessage {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  const startLine = lines.shift()!;
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf(':');
    let name = line.slice(0, i).trim().toLowerCase();
    name = compact[name] ?? name;
    const value = line.slice(i + 1).trim();
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(startLine);
  return {
    startLine,
    method: request ? request[1]! : null,
    status: status ? Number(status[1]) : null,
    ruri: request ? request[2]! : null,
    headers,
    body: rest.join('\r\n\r\n'),
    raw,
  };
}

const h = (m: SipMessage, name: string) => m.headers.get(name)?.[0] ?? '';
const tagOf = (header: string) => /;tag=([^;>\s]+)/.exec(header)?.[1] ?? null;
const uriOf = (header: string) => /<([^>]+)>/.exec(header)?.[1] ?? header.split(';')[0]!;
const token = () => randomBytes(6).toString('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

// ---------------------------------------------------------------- the peer

export type RegisterPolicy = 'digest' | 'forbidden' | 'not-found' | 'silent' | 'bad-request' | 'unavailable';

interface Dialog {
  callId: string;
  /** The peer's tag (To tag for our INVITE, From tag for the peer's). */
  peerTag: string;
  consoleTag: string;
  /** Where to send in-dialog requests to the console. */
  consoleTarget: string;
  direction: 'from-console' | 'to-console';
  cseq: number;
  ws: WebSocket;
  peerUri: string;
  consoleUri: string;
}

export interface PeerLogEntry { dir: 'in' | 'out'; line: string; at: number; conn: number }

export class SipPeer {
  readonly realm = 'lab.test';
  readonly log: PeerLogEntry[] = [];
  registerPolicy: RegisterPolicy = 'digest';
  readonly users = new Map<string, string>([['1001', 'secret-1001']]);
  /** Scripted final answers for re-INVITEs from the console, consumed in order; default 200. 'silent' = never answer. */
  reinviteScript: Array<number | 'silent'> = [];
  reinviteDelayMs = 0;
  /** How our INVITEs are answered: provisional codes, then the final. */
  inviteScript: { provisional: number[]; final: number; delayMs: number } = { provisional: [100, 180], final: 200, delayMs: 30 };
  readonly dialogs = new Map<string, Dialog>();
  readonly received: SipMessage[] = [];
  readonly bindings = new Map<string, { contact: string; ws: WebSocket }>();
  #wss: WebSocketServer;
  #conns = new Map<WebSocket, number>();
  #connCount = 0;
  #waiters: Array<{ match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }> = [];
  #pendingInvites = new Map<string, { msg: SipMessage; ws: WebSocket; timers: ReturnType<typeof setTimeout>[] }>();

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on('connection', (ws) => {
      const n = ++this.#connCount;
      this.#conns.set(ws, n);
      ws.on('message', (data) => this.#onMessage(ws, data.toString()));
      ws.on('close', () => this.#conns.delete(ws));
    });
  }

  /** `autoPong: false` makes the peer a half-dead server that never answers WebSocket pings. */
  static async start(options: { server?: HttpsServer; autoPong?: boolean } = {}): Promise<SipPeer> {
    const handleProtocols = (protocols: Set<string>) => (protocols.has('sip') ? 'sip' : false);
    const autoPong = options.autoPong ?? true;
    const wss = options.server
      ? new WebSocketServer({ server: options.server, handleProtocols, autoPong })
      : new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols, autoPong });
    if (!options.server) await new Promise<void>((r) => wss.once('listening', () => r()));
    return new SipPeer(wss);
  }

  get port() {
    return (this.#wss.address() as AddressInfo).port;
  }
  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }
  get connections() {
    return this.#conns.size;
  }
  /** Connections accepted since start. */
  get connectionsAccepted() {
    return this.#connCount;
  }

  /** A network failure: every connection dies without a close handshake. */
  dropConnections() {
    for (const ws of this.#conns.keys()) ws.terminate();
  }

  async stop() {
    for (const ws of this.#conns.keys()) ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
    for (const p of this.#pendingInvites.values()) p.timers.forEach(clearTimeout);
  }

  count(pred: (m: SipMessage) => boolean) {
    return this.received.filter(pred).length;
  }

  /** Resolves with the next (or an already received, if `past`) message matching. */
  waitFor(match: (m: SipMessage) => boolean, timeoutMs = 8000): Promise<SipMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer: no matching SIP message within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  #send(ws: WebSocket, text: string) {
    this.log.push({ dir: 'out', line: text.split('\r\n')[0]!, at: Date.now(), conn: this.#conns.get(ws) ?? 0 });
    if (ws.readyState === ws.OPEN) ws.send(text);
  }

  #respond(ws: WebSocket, req: SipMessage, status: number, reason: string, extra: string[] = [], body = '') {
    const to = h(req, 'to');
    const toWithTag = tagOf(to) || status === 100 ? to : `${to};tag=${this.#tagFor(req)}`;
    const lines = [
      `SIP/2.0 ${status} ${reason}`,
      ...(req.headers.get('via') ?? []).map((v) => `Via: ${v}`),
      `From: ${h(req, 'from')}`,
      `To: ${toWithTag}`,
      `Call-ID: ${h(req, 'call-id')}`,
      `CSeq: ${h(req, 'cseq')}`,
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.#send(ws, lines.join('\r\n'));
  }

  #tags = new Map<string, string>();
  #tagFor(req: SipMessage) {
    const key = `${h(req, 'call-id')}`;
    if (!this.#tags.has(key)) this.#tags.set(key, token());
    return this.#tags.get(key)!;
  }

  #onMessage(ws: WebSocket, text: string) {
    if (text.trim() === '') return;
    const m = parseSip(text);
    this.log.push({ dir: 'in', line: m.startLine, at: Date.now(), conn: this.#conns.get(ws) ?? 0 });
    this.received.push(m);
    for (const w of [...this.#waiters]) {
      if (w.match(m)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
    if (m.method) this.#onRequest(ws, m);
  }

  #onRequest(ws: WebSocket, m: SipMessage) {
    switch (m.method) {
      case 'REGISTER':
        return this.#onRegister(ws, m);
      case 'INVITE':
        return tagOf(h(m, 'to')) ? this.#onReinvite(ws, m) : this.#onInvite(ws, m);
      case 'ACK':
        return;
      case 'BYE': {
        this.dialogs.delete(h(m, 'call-id'));
        return this.#respond(ws, m, 200, 'OK');
      }
      case 'CANCEL': {
        this.#respond(ws, m, 200, 'OK');
        const pending = this.#pendingInvites.get(h(m, 'call-id'));
        if (pending) {
          pending.timers.forEach(clearTimeout);
          this.#pendingInvites.delete(h(m, 'call-id'));
          this.#respond(pending.ws, pending.msg, 487, 'Request Terminated');
        }
        return;
      }
      case 'INFO':
      case 'NOTIFY':
      case 'OPTIONS':
        return this.#respond(ws, m, 200, 'OK');
      default:
        return this.#respond(ws, m, 501, 'Not Implemented');
    }
  }

  #onRegister(ws: WebSocket, m: SipMessage) {
    if (this.registerPolicy === 'silent') return;
    if (this.registerPolicy === 'forbidden') return this.#respond(ws, m, 403, 'Forbidden');
    if (this.registerPolicy === 'not-found') return this.#respond(ws, m, 404, 'Not Found');
    if (this.registerPolicy === 'bad-request') return this.#respond(ws, m, 400, 'Bad Request');
    if (this.registerPolicy === 'unavailable') return this.#respond(ws, m, 503, 'Service Unavailable');
    const auth = h(m, 'authorization');
    const user = /sip:([^@]+)@/.exec(uriOf(h(m, 'to')))?.[1] ?? '';
    const challenge = () =>
      this.#respond(ws, m, 401, 'Unauthorized', [`WWW-Authenticate: Digest realm="${this.realm}", nonce="${token()}", qop="auth", algorithm=MD5`]);
    if (!auth) return challenge();
    const p = Object.fromEntries([...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((x) => [x[1]!, x[2] ?? x[3]!]));
    const password = this.users.get(p['username'] ?? '');
    const ha1 = md5(`${p['username']}:${p['realm']}:${password}`);
    const ha2 = md5(`REGISTER:${p['uri']}`);
    const expected = md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:${p['qop']}:${ha2}`);
    if (password === undefined || expected !== p['response'] || p['username'] !== user) return challenge();
    const contact = h(m, 'contact');
    const expires = /expires=(\d+)/.exec(contact)?.[1] ?? h(m, 'expires');
    if (expires === '0') {
      this.bindings.delete(user);
      return this.#respond(ws, m, 200, 'OK');
    }
    this.bindings.set(user, { contact: uriOf(contact), ws });
    this.#respond(ws, m, 200, 'OK', [`Contact: ${contact}`]);
  }

  #onInvite(ws: WebSocket, m: SipMessage) {
    const callId = h(m, 'call-id');
    const { provisional, final, delayMs } = this.inviteScript;
    const timers: ReturnType<typeof setTimeout>[] = [];
    this.#pendingInvites.set(callId, { msg: m, ws, timers });
    provisional.forEach((code, i) =>
      timers.push(setTimeout(() => this.#respond(ws, m, code, code === 100 ? 'Trying' : code === 183 ? 'Session Progress' : 'Ringing', [], code === 183 ? sdp('sendrecv', 'early') : ''), i * 5)),
    );
    timers.push(
      setTimeout(() => {
        this.#pendingInvites.delete(callId);
        if (final !== 200) return this.#respond(ws, m, final, final === 486 ? 'Busy Here' : 'Failed');
        const peerUri = uriOf(h(m, 'to'));
        this.dialogs.set(callId, {
          callId,
          peerTag: this.#tagFor(m),
          consoleTag: tagOf(h(m, 'from'))!,
          consoleTarget: uriOf(h(m, 'contact')),
          direction: 'from-console',
          cseq: 1,
          ws,
          peerUri,
          consoleUri: uriOf(h(m, 'from')),
        });
        this.#respond(ws, m, 200, 'OK', [`Contact: <${peerUri}>`], sdp('sendrecv', 'peer'));
      }, delayMs),
    );
  }

  #onReinvite(ws: WebSocket, m: SipMessage) {
    const dialog = this.dialogs.get(h(m, 'call-id'));
    if (dialog) {
      dialog.ws = ws; // a target refresh may arrive on a new connection
      dialog.consoleTarget = uriOf(h(m, 'contact')) || dialog.consoleTarget;
    }
    const next = this.reinviteScript.shift() ?? 200;
    if (next === 'silent') return;
    setTimeout(() => {
      if (next !== 200) return this.#respond(ws, m, next, next === 491 ? 'Request Pending' : 'Server Error');
      const offered = directionOf(m.body);
      const answer = offered === 'sendonly' ? 'recvonly' : offered === 'inactive' ? 'inactive' : 'sendrecv';
      this.#respond(ws, m, 200, 'OK', [`Contact: <${dialog?.peerUri ?? 'sip:peer@127.0.0.1'}>`], sdp(answer, 'peer'));
    }, this.reinviteDelayMs);
  }

  // ---- requests from the peer towards the console ------------------------

  #request(d: Dialog, method: string, extra: string[] = [], body = '', cseq?: number) {
    const fromPeer = d.direction === 'to-console';
    const seq = cseq ?? ++d.cseq;
    const lines = [
      `${method} ${d.consoleTarget} SIP/2.0`,
      `Via: SIP/2.0/WS peer.invalid;branch=z9hG4bK${token()}`,
      'Max-Forwards: 70',
      fromPeer ? `From: <${d.peerUri}>;tag=${d.peerTag}` : `From: <${d.peerUri}>;tag=${d.peerTag}`,
      `To: <${d.consoleUri}>;tag=${d.consoleTag}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${seq} ${method}`,
      `Contact: <${d.peerUri}>`,
      ...extra,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ];
    this.#send(d.ws, lines.join('\r\n'));
  }

  /** Calls the registered console user; resolves once the console answered 180. */
  async callConsole(user: string, from = 'sip:2002@lab.test', displayName = 'Caller'): Promise<{ callId: string; answered: Promise<SipMessage> }> {
    const binding = this.bindings.get(user);
    if (!binding) throw new Error(`peer: ${user} is not registered`);
    const callId = token();
    const tag = token();
    const invite = [
      `INVITE ${binding.contact} SIP/2.0`,
      `Via: SIP/2.0/WS peer.invalid;branch=z9hG4bK${token()}`,
      'Max-Forwards: 70',
      `From: "${displayName}" <${from}>;tag=${tag}`,
      `To: <sip:${user}@${this.realm}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <${from}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(sdp('sendrecv', 'peer'))}`,
      '',
      sdp('sendrecv', 'peer'),
    ].join('\r\n');
    const ringing = this.waitFor((m) => h(m, 'call-id') === callId && m.status === 180);
    const final = this.waitFor((m) => h(m, 'call-id') === callId && m.status !== null && m.status >= 200, 20_000);
    this.#send(binding.ws, invite);
    await ringing;
    const answered = final.then((resp) => {
      // ACK every final response (2xx: new transaction in the dialog; non-2xx: hop-by-hop, same effect here).
      const d: Dialog = {
        callId,
        peerTag: tag,
        consoleTag: tagOf(h(resp, 'to')) ?? '',
        consoleTarget: resp.status === 200 ? uriOf(h(resp, 'contact')) : binding.contact,
        direction: 'to-console',
        cseq: 1,
        ws: binding.ws,
        peerUri: from,
        consoleUri: `sip:${user}@${this.realm}`,
      };
      this.#request(d, 'ACK', [], '', 1);
      if (resp.status === 200) this.dialogs.set(callId, d);
      return resp;
    });
    return { callId, answered };
  }

  /** BYE from the peer on an established dialog. */
  hangUp(callId: string) {
    const d = this.dialogs.get(callId);
    if (!d) throw new Error('peer: no such dialog');
    this.dialogs.delete(callId);
    this.#request(d, 'BYE');
  }

  /** The peer puts the console on hold (re-INVITE sendonly) or resumes (sendrecv). */
  async reinviteConsole(callId: string, direction: 'sendonly' | 'sendrecv'): Promise<SipMessage> {
    const d = this.dialogs.get(callId);
    if (!d) throw new Error('peer: no such dialog');
    const seq = ++d.cseq;
    const done = this.waitFor((m) => h(m, 'call-id') === callId && m.status !== null && m.status >= 200 && h(m, 'cseq').startsWith(`${seq} `));
    this.#request(d, 'INVITE', [], sdp(direction, 'peer'), seq);
    const resp = await done;
    this.#request(d, 'ACK', [], '', seq);
    return resp;
  }

  /** The one dialog the console set up with us (for tests with a single call). */
  onlyDialog(): Dialog {
    const all = [...this.dialogs.values()];
    if (all.length !== 1) throw new Error(`peer: ${all.length} dialogs`);
    return all[0]!;
  }
}

export const header = h;

export interface TlsSipPeer {
  readonly peer: SipPeer;
  readonly server: HttpsServer;
  /** `wss://127.0.0.1:<port>` followed by `path`. */
  url(path?: string): string;
  stop(): Promise<void>;
}

/** The scripted peer behind a local HTTPS server presenting `cert` (PEM files, e.g. test/support/tls.ts). */
export async function startTlsSipPeer(files: { key: string; cert: string }): Promise<TlsSipPeer> {
  const server = createServer({ key: readFileSync(files.key), cert: readFileSync(files.cert) });
  const peer = await SipPeer.start({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    peer,
    server,
    url: (path = '') => `wss://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    async stop() {
      await peer.stop();
      server.close();
    },
  };
}

/**
 * The scripted peer over TLS with a fresh self-signed certificate for
 * 127.0.0.1, in a temporary folder of its own that stop() removes. `cert` is
 * the certificate's path (also usable as the CA that trusts it).
 */
export async function startSelfSignedSipPeer(): Promise<TlsSipPeer & { readonly dir: string; readonly cert: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sip-tls-'));
  try {
    const files = selfSignedCert(dir);
    const tls = await startTlsSipPeer(files);
    return {
      ...tls,
      dir,
      cert: files.cert,
      async stop() {
        await tls.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
