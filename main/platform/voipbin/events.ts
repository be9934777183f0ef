/**
 * VoIPBIN's event websocket: one socket, subscribed to `customer_id:<cid>:<resource>`
 * topics, read in both payload shapes (schemas.ts), kept up with a bounded,
 * cancellable back-off. What the platform does that shapes this code
 * (docs/voipbin.md):
 *  - a subscription is never acknowledged; a topic the account may not see
 *    makes the server close the socket. So a socket that closes within
 *    `subscribeGraceMs` of subscribing is read as a permission or topic
 *    problem: once may be a network blip and is retried, twice in a row is
 *    reported as `failed` with a sentence the agent can act on;
 *  - the server pings every 10 s (ws answers the pongs); silence for
 *    `silenceMs` means the connection is half-dead, and it is replaced;
 *  - nothing tells a client what it missed while disconnected: listeners of
 *    `onState` reload on every `open` after the first.
 * Time comes from the injected clock, so tests drive the back-off.
 */
import WebSocket from 'ws';
import type { Clock } from '../../calls/call/ports';
import type { Logger } from '../../logging/logger';
import { VoipbinError } from './client';
import { parseEventFrame, type VoipbinEvent } from './schemas';

export type EventsState =
  | { state: 'idle' }
  | { state: 'connecting'; attempt: number }
  /** Subscribed; `reconnected` is true on every open after the first (what was missed must be reloaded). */
  | { state: 'open'; reconnected: boolean }
  | { state: 'retrying'; attempt: number; inMs: number; reason: string }
  | { state: 'failed'; reason: string; cause: 'topic-refused' | 'refused' | 'gave-up' }
  | { state: 'closed' };

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Consecutive failed attempts before giving up (state `failed`). */
  maxAttempts: number;
}

export interface VoipbinEventsOptions {
  /** The socket URL with credentials (VoipbinClient.eventsUrl); asked anew for every attempt. */
  url: () => Promise<string>;
  /** Called when the server refused the credentials, so the next `url()` signs in again. */
  credentialsRefused?: () => void;
  topics: string[];
  clock: Clock;
  log: Logger;
  backoff?: Partial<BackoffPolicy>;
  subscribeGraceMs?: number;
  silenceMs?: number;
}

export interface VoipbinEvents {
  start(): void;
  state(): EventsState;
  /** Every event read, in arrival order; returns the unsubscribe. */
  onEvent(listener: (event: VoipbinEvent) => void): () => void;
  onState(listener: (state: EventsState) => void): () => void;
  /** Frames that were not events we read, for tests and diagnostics. */
  counters(): { events: number; malformed: number; ignored: number; sockets: number; timers: number };
  /** Closes the socket and cancels every timer; no listener is called afterwards. Safe twice. */
  close(): void;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, maxAttempts: 10 };

export function createVoipbinEvents(o: VoipbinEventsOptions): VoipbinEvents {
  const policy = { ...defaultBackoff, ...o.backoff };
  const graceMs = o.subscribeGraceMs ?? 2_000;
  const silenceMs = o.silenceMs ?? 35_000; // three missed pings and a bit
  const log = o.log;
  const eventListeners = new Set<(e: VoipbinEvent) => void>();
  const stateListeners = new Set<(s: EventsState) => void>();
  const counts = { events: 0, malformed: 0, ignored: 0 };

  let current: EventsState = { state: 'idle' };
  let closed = false;
  let socket: WebSocket | null = null;
  let generation = 0;
  let attempt = 0;
  let openedBefore = false;
  let earlyCloses = 0;
  const timers = { retry: null as (() => void) | null, grace: null as (() => void) | null, silence: null as (() => void) | null };

  const cancel = (name: keyof typeof timers) => {
    timers[name]?.();
    timers[name] = null;
  };
  const arm = (name: keyof typeof timers, ms: number, fn: () => void) => {
    cancel(name);
    timers[name] = o.clock.setTimeout(() => {
      timers[name] = null;
      fn();
    }, ms);
  };

  const setState = (s: EventsState) => {
    if (closed && s.state !== 'closed') return;
    current = s;
    for (const l of [...stateListeners]) {
      try {
        l(s);
      } catch (e) {
        log.error('voipbin events: a state listener threw', { error: String(e) });
      }
    }
  };

  const fail = (reason: string, cause: 'topic-refused' | 'refused' | 'gave-up') => {
    cancel('retry');
    setState({ state: 'failed', reason, cause });
  };

  const retry = (reason: string) => {
    if (closed) return;
    attempt += 1;
    if (attempt > policy.maxAttempts) {
      return fail(`Lost the live VoIPBIN connection and ${policy.maxAttempts} attempts to reconnect failed (${reason}); check the network, then reconnect.`, 'gave-up');
    }
    const inMs = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
    setState({ state: 'retrying', attempt, inMs, reason });
    arm('retry', inMs, () => void connect());
  };

  const dropSocket = () => {
    cancel('grace');
    cancel('silence');
    generation += 1;
    const s = socket;
    socket = null;
    if (s && s.readyState !== WebSocket.CLOSED) {
      try {
        s.terminate();
      } catch {
        // terminating a socket that never opened may throw in ws; it is gone either way
      }
    }
  };

  const connect = async () => {
    if (closed) return;
    const mine = ++generation;
    setState({ state: 'connecting', attempt });
    let url: string;
    try {
      url = await o.url();
    } catch (e) {
      if (closed || mine !== generation) return;
      if (e instanceof VoipbinError && (e.kind === 'unauthenticated' || e.kind === 'forbidden')) return fail(e.message, 'refused');
      return retry(e instanceof Error ? e.message : String(e));
    }
    if (closed || mine !== generation) return;
    const s = new WebSocket(url, { handshakeTimeout: 10_000 });
    socket = s;
    let subscribedAt: number | null = null;
    let refusedStatus: number | null = null;

    const alive = () => arm('silence', silenceMs, () => {
      if (mine !== generation) return;
      log.warn('voipbin events: no ping or event for too long; reconnecting', { silenceMs });
      dropSocket();
      retry('the connection went silent');
    });

    s.on('open', () => {
      if (mine !== generation) return;
      s.send(JSON.stringify({ type: 'subscribe', topics: o.topics }));
      subscribedAt = o.clock.now();
      alive();
      arm('grace', graceMs, () => {
        // The server kept the socket: the topics were accepted. Only now is the back-off reset.
        attempt = 0;
        earlyCloses = 0;
      });
      const reconnected = openedBefore;
      openedBefore = true;
      setState({ state: 'open', reconnected });
    });
    s.on('ping', () => {
      if (mine === generation) alive();
    });
    s.on('message', (data, isBinary) => {
      if (mine !== generation || isBinary) return;
      alive();
      const frame = parseEventFrame(String(data));
      if (frame.kind === 'malformed') {
        counts.malformed += 1;
        log.warn('voipbin events: malformed frame dropped', { error: frame.error.message });
        return;
      }
      if (frame.kind === 'ignored') {
        counts.ignored += 1;
        return;
      }
      counts.events += 1;
      for (const l of [...eventListeners]) {
        try {
          l(frame.event);
        } catch (e) {
          log.error('voipbin events: an event listener threw', { error: String(e) });
        }
      }
    });
    s.on('error', (e) => {
      // ws reports a refused upgrade as "Unexpected server response: 401"; a close always follows.
      const m = /Unexpected server response: (\d+)/.exec(e.message);
      if (m) refusedStatus = Number(m[1]);
    });
    s.on('close', (code) => {
      if (mine !== generation || closed) return;
      socket = null;
      cancel('silence');
      const early = subscribedAt !== null && timers.grace !== null;
      cancel('grace');
      if (refusedStatus === 401) {
        o.credentialsRefused?.();
        return retry('the event socket refused the sign-in');
      }
      if (refusedStatus === 403) {
        return fail('Your VoIPBIN role cannot receive live events; ask for manager permission or an access key.', 'refused');
      }
      if (early) {
        earlyCloses += 1;
        if (earlyCloses >= 2) {
          return fail(
            `VoIPBIN closed the live connection right after subscribing to ${o.topics.map((t) => t.split(':').pop()).join(', ')} events: your VoIPBIN role may not see them (customer events need the admin or manager role, or an access key).`,
            'topic-refused',
          );
        }
        return retry('the connection closed right after subscribing');
      }
      retry(subscribedAt === null ? `could not connect (${refusedStatus ?? code})` : 'the connection closed');
    });
  };

  return {
    start() {
      if (closed || current.state !== 'idle') return;
      void connect();
    },
    state: () => current,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    counters: () => ({
      ...counts,
      sockets: socket ? 1 : 0,
      timers: Object.values(timers).filter((t) => t !== null).length,
    }),
    close() {
      if (closed) return;
      cancel('retry');
      dropSocket();
      setState({ state: 'closed' });
      closed = true;
      eventListeners.clear();
      stateListeners.clear();
    },
  };
}
