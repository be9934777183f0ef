/**
 * A JsSIP `Socket` on the `ws` package. JsSIP's own WebSocketInterface uses
 * the browser `WebSocket`, which in Node can carry no TLS options; this one can:
 * a custom CA (a PBX with a private CA) and, for lab servers only, accepting a
 * self-signed certificate. It also:
 *   - sends WebSocket pings as keep-alive and drops a connection whose pongs
 *     stop (a half-dead TCP connection otherwise looks "connected" for minutes,
 *     and calls ringing meanwhile are lost);
 *   - reports why a connection failed (TLS vs unreachable) so the line can say so.
 * Reconnection with back-off is JsSIP's Transport (connection_recovery_min/max_interval),
 * which calls connect() again after every ondisconnect.
 */
import type { Socket } from 'jssip/lib/Socket';
import WebSocket from 'ws';

export interface WsSocketOptions {
  url: string;
  /** PEM text of extra trusted CA certificate(s). */
  ca?: string | undefined;
  /** Lab servers only: accept a self-signed / untrusted certificate. */
  acceptSelfSigned?: boolean;
  keepAliveMs?: number;
  /** No pong within this long after a ping → the connection is dead. */
  pongTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

export type ConnectionProblem = { kind: 'tls' | 'unreachable'; message: string };

// Node/OpenSSL verification codes (tls.TLSSocket#authorizationError) and ws' own TLS messages.
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

export function classifyConnectionError(error: unknown): ConnectionProblem {
  const e = error as { code?: string; message?: string };
  const code = e?.code ?? '';
  const message = e?.message ?? String(error);
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(message)) {
    return {
      kind: 'tls',
      message: `The secure connection to the SIP server failed (${code || message}). Check the server certificate${code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' ? ' — it is self-signed' : ''}.`,
    };
  }
  const why: Record<string, string> = {
    ECONNREFUSED: 'nothing is listening at that address',
    ENOTFOUND: 'the server name could not be resolved',
    EAI_AGAIN: 'the server name could not be resolved',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    ECONNRESET: 'the connection was reset',
  };
  return { kind: 'unreachable', message: `The SIP server could not be reached: ${why[code] ?? message}.` };
}

export class WsSocket implements Socket {
  #url: string;
  #sipUri: string;
  #viaTransport: string;
  #ws: WebSocket | null = null;
  #keepAlive: ReturnType<typeof setInterval> | null = null;
  #pongDeadline: ReturnType<typeof setTimeout> | null = null;
  #problemListeners = new Set<(p: ConnectionProblem) => void>();

  constructor(private readonly options: WsSocketOptions) {
    const u = new URL(options.url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${options.url}`);
    this.#url = options.url;
    this.#sipUri = `sip:${u.hostname}${u.port ? `:${u.port}` : ''};transport=ws`;
    this.#viaTransport = u.protocol === 'wss:' ? 'WSS' : 'WS';
  }

  // JsSIP assigns these; defaults keep a stray event harmless.
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
    return this.#url;
  }
  get sip_uri() {
    return this.#sipUri;
  }

  /** Why the last connection attempt failed; returns the unsubscribe. */
  onProblem(listener: (p: ConnectionProblem) => void): () => void {
    this.#problemListeners.add(listener);
    return () => this.#problemListeners.delete(listener);
  }

  connect(): void {
    if (this.isConnected() || this.isConnecting()) return;
    if (this.#ws) this.disconnect();
    const ws = new WebSocket(this.#url, 'sip', {
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
      ...(this.options.ca !== undefined && { ca: this.options.ca }),
      rejectUnauthorized: !this.options.acceptSelfSigned,
    });
    this.#ws = ws;
    let failure: unknown = null;
    ws.on('open', () => {
      if (this.#ws !== ws) return;
      this.#startKeepAlive(ws);
      this.onconnect();
    });
    ws.on('message', (data, isBinary) => {
      if (this.#ws !== ws) return;
      this.ondata(isBinary ? data : data.toString());
    });
    ws.on('pong', () => this.#clearPongDeadline());
    ws.on('error', (error) => {
      failure = error;
    });
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return; // closed by disconnect(): JsSIP already knows
      this.#stopKeepAlive();
      this.#ws = null;
      if (failure) {
        const problem = classifyConnectionError(failure);
        for (const l of this.#problemListeners) l(problem);
      }
      this.ondisconnect(code !== 1000, code, reason.toString());
    });
  }

  disconnect(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopKeepAlive();
    if (!ws) return;
    ws.removeAllListeners('open');
    ws.removeAllListeners('message');
    ws.on('error', () => {}); // a late error on a socket we abandoned must not crash main
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  }

  send(message: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    if (!this.isConnected()) return false;
    this.#ws!.send(message as string);
    return true;
  }

  isConnected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  isConnecting(): boolean {
    return this.#ws?.readyState === WebSocket.CONNECTING;
  }

  /** Test hook and "network changed" handling: drop the connection as if the network died. */
  dropForTest(): void {
    this.#ws?.terminate();
  }

  #startKeepAlive(ws: WebSocket) {
    const every = this.options.keepAliveMs ?? 25_000;
    if (every <= 0) return;
    this.#keepAlive = setInterval(() => {
      if (this.#pongDeadline) return;
      ws.ping();
      this.#pongDeadline = setTimeout(() => {
        this.#pongDeadline = null;
        // RFC 6455 §5.5.2: an endpoint that stops answering pings is gone; terminate so JsSIP reconnects.
        ws.terminate();
      }, this.options.pongTimeoutMs ?? 10_000);
    }, every);
  }

  #clearPongDeadline() {
    if (this.#pongDeadline) clearTimeout(this.#pongDeadline);
    this.#pongDeadline = null;
  }

  #stopKeepAlive() {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = null;
    this.#clearPongDeadline();
  }
}
