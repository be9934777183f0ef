/**
 * The demo switchboard: SIP over WebSocket (RFC 7118) on 127.0.0.1 and a free
 * port, for as long as the demo runs. The console's own line registers to it
 * as it would to Kamailio, and so do the demo parties; ./sip/proxy.ts does
 * the SIP. Every connection must present the session's random token in its
 * path, so nothing else on this computer can reach the switchboard by
 * guessing its port.
 *
 *   ws://127.0.0.1:<port>/<token>            SIP (subprotocol "sip")
 *   ws://127.0.0.1:<port>/<token>/director   the parties page's control channel (JSON)
 *
 * stop() closes every connection and the listening socket and clears the
 * timer: nothing of the demo outlives it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logging/logger';
import { SipProxy, type ProxyOptions } from './sip/proxy';
import { CallQueue, type QueueMember, type QueueOptions } from './sip/queue';
import type { RegistrarOptions } from './sip/registrar';

export interface SwitchboardOptions {
  domain: string;
  queue: { name: string; user: string; members: QueueMember[]; options?: Partial<QueueOptions> };
  knownUsers: (user: string) => boolean;
  takesQueueCalls?: ProxyOptions['takesQueueCalls'];
  registrar?: Partial<RegistrarOptions>;
  log: Logger;
  now?: () => number;
  /** How often registrations, ringing offers and transactions are checked (ms); default 1000. */
  tickMs?: number;
}

/** The control connection of the parties page: JSON text in both directions. */
export interface DirectorLink {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): () => void;
  onClose(listener: () => void): () => void;
}

export interface Switchboard {
  readonly port: number;
  /** Where SIP user agents connect (the console's line, the parties). */
  readonly sipUrl: string;
  /** Where the parties page connects its control channel. */
  readonly directorUrl: string;
  readonly proxy: SipProxy;
  /** Registrations, calls or the queue changed; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
  /** The parties page connected its control channel (a new connection replaces the old one). */
  onDirector(listener: (link: DirectorLink) => void): () => void;
  /** For leak checks: open connections and timers; all zero after stop(). */
  resources(): { connections: number; timers: number };
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 256 * 1024;

export async function startSwitchboard(o: SwitchboardOptions): Promise<Switchboard> {
  const log = o.log;
  const now = o.now ?? Date.now;
  const token = randomBytes(18).toString('base64url');
  const sockets = new Map<string, WebSocket>();
  const changeListeners = new Set<() => void>();
  const directorListeners = new Set<(link: DirectorLink) => void>();
  let nextId = 0;
  let stopped = false;

  const proxy = new SipProxy(
    {
      domain: o.domain,
      queue: new CallQueue({ name: o.queue.name, user: o.queue.user, members: o.queue.members, ...(o.queue.options && { options: o.queue.options }) }),
      knownUsers: o.knownUsers,
      ...(o.takesQueueCalls && { takesQueueCalls: o.takesQueueCalls }),
      ...(o.registrar && { registrar: o.registrar }),
    },
    {
      send(connection, text) {
        const ws = sockets.get(connection);
        if (!ws || ws.readyState !== ws.OPEN) return false;
        ws.send(text);
        return true;
      },
      now,
      log,
      changed: () => {
        for (const l of [...changeListeners]) l();
      },
    },
  );

  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: MAX_MESSAGE_BYTES,
    // Only the session's token opens a connection (see the file comment).
    verifyClient: (info: { req: IncomingMessage }) => {
      const path = (info.req.url ?? '').split('?')[0];
      return path === `/${token}` || path === `/${token}/director`;
    },
    handleProtocols: (protocols: Set<string>) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  server.on('connection', (ws, req) => {
    if (stopped) return ws.terminate();
    const director = (req.url ?? '').split('?')[0] === `/${token}/director`;
    if (director) return attachDirector(ws);
    const id = `c${++nextId}`;
    sockets.set(id, ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        proxy.receive(id, data.toString());
      } catch (e) {
        // A message the proxy could not handle must never take the switchboard down.
        log.warn('switchboard: message not handled', { error: String(e) });
      }
    });
    ws.on('close', () => {
      sockets.delete(id);
      if (!stopped) proxy.connectionClosed(id);
    });
    ws.on('error', (e) => log.debug('switchboard: connection error', { error: String(e) }));
  });

  let director: WebSocket | null = null;
  const attachDirector = (ws: WebSocket) => {
    director?.close(1000, 'replaced');
    director = ws;
    const messageListeners = new Set<(m: unknown) => void>();
    const closeListeners = new Set<() => void>();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        log.warn('switchboard: unreadable director message dropped');
        return;
      }
      for (const l of [...messageListeners]) l(message);
    });
    ws.on('close', () => {
      if (director === ws) director = null;
      for (const l of [...closeListeners]) l();
      messageListeners.clear();
      closeListeners.clear();
    });
    ws.on('error', (e) => log.debug('switchboard: director connection error', { error: String(e) }));
    const link: DirectorLink = {
      send(message) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      onMessage(listener) {
        messageListeners.add(listener);
        return () => messageListeners.delete(listener);
      },
      onClose(listener) {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
    };
    for (const l of [...directorListeners]) l(link);
  };

  const ticker = setInterval(() => proxy.tick(), o.tickMs ?? 1000);
  ticker.unref?.();

  log.info('switchboard: listening', { port });
  return {
    port,
    sipUrl: `ws://127.0.0.1:${port}/${token}`,
    directorUrl: `ws://127.0.0.1:${port}/${token}/director`,
    proxy,
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    onDirector(listener) {
      directorListeners.add(listener);
      return () => void directorListeners.delete(listener);
    },
    resources: () => ({ connections: sockets.size + (director ? 1 : 0), timers: stopped ? 0 : 1 }),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      changeListeners.clear();
      directorListeners.clear();
      const closing = [...sockets.values(), ...(director ? [director] : [])].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1001, 'demo stopped');
            // A peer that never answers the close handshake is cut off.
            setTimeout(() => ws.terminate(), 1000).unref?.();
          }),
      );
      await Promise.all(closing);
      sockets.clear();
      director = null;
      proxy.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info('switchboard: stopped');
    },
  };
}
