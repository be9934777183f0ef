/**
 * The last SIP messages on the line's WebSocket, kept in memory for the
 * diagnostics export (diagnostics.ts): what support needs to see why a call
 * or a registration failed. Bounded (count and size per message) and never
 * written anywhere else; the export redacts credentials before anything
 * leaves (main/logging/redact.ts).
 *
 * The line takes its socket from a factory (main/sip/line.ts `socket`
 * option); `tracedSocket` builds the same WebSocket the line would, with
 * every frame sent and received copied into the trace.
 */
import type { LineAccount, LineSocket } from '../sip/line';
import { WsSocket } from '../sip/ws-socket';

export interface SipTraceEntry {
  at: number;
  direction: 'sent' | 'received';
  text: string;
}

const MAX_TEXT = 16 * 1024;

export class SipTrace {
  readonly #entries: SipTraceEntry[] = [];
  constructor(
    private readonly capacity = 300,
    private readonly now: () => number = Date.now,
  ) {}

  add(direction: SipTraceEntry['direction'], data: unknown): void {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    this.#entries.push({ at: this.now(), direction, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}\n[… cut at ${MAX_TEXT} characters]` : text });
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  entries(): SipTraceEntry[] {
    return [...this.#entries];
  }

  /** The trace as a text file: one block per message, oldest first. */
  text(): string {
    return this.#entries
      .map((e) => `── ${new Date(e.at).toISOString()} ${e.direction === 'sent' ? 'sent ▶' : '◀ received'}\n${e.text.replace(/\r\n/g, '\n').trimEnd()}\n`)
      .join('\n');
  }
}

/** The socket factory for the line's `socket` option: the line's own WebSocket, traced. */
export function tracedSocket(trace: SipTrace, options: { keepAliveMs?: number; pongTimeoutMs?: number } = {}) {
  return (account: LineAccount): LineSocket => {
    const socket = new WsSocket({
      url: account.wsUrl,
      ca: account.ca,
      acceptSelfSigned: account.acceptSelfSigned,
      ...options,
    });
    const send = socket.send.bind(socket);
    socket.send = (message) => {
      const sent = send(message);
      if (sent) trace.add('sent', message);
      return sent;
    };
    // JsSIP assigns `ondata` after construction; the received frame is copied before it is handed on.
    let ondata: WsSocket['ondata'] = socket.ondata;
    Object.defineProperty(socket, 'ondata', {
      configurable: true,
      enumerable: true,
      get: () => (data: unknown) => {
        trace.add('received', data);
        ondata(data);
      },
      set: (fn: WsSocket['ondata']) => {
        ondata = fn;
      },
    });
    return socket;
  };
}
