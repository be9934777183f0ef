/**
 * One SIP line = one account = one JsSIP UA on one WsSocket. A second account
 * is a second Line; nothing here is global (the peer-connection globals JsSIP
 * reads are installed once by main/media, not here).
 *
 * Registration is driven by us, not by JsSIP's `register: true`:
 *   - `ua.register()` right after `ua.start()` fails ("Connection Error"), so we
 *     register on every `connected` event — which also re-registers after every
 *     reconnect (the server's binding died with the old connection);
 *   - the line state is OUR state machine fed by JsSIP events, and it is pushed
 *     again after every re-registration (JsSIP #337: JsSIP once did not
 *     re-fire `registered` after a reconnect; the UI must not depend on it);
 *   - a REGISTER that gets no answer is reported after `registerTimeoutMs`
 *     instead of JsSIP's 32 s Timer F, and retried.
 * Established calls survive a WebSocket drop (JsSIP #99); after the
 * re-registration each one sends a target-refresh re-INVITE so the far end can
 * reach us through the new connection.
 * What arrives is screened before JsSIP parses it (./request-screen.ts), and an
 * incoming offer the media host cannot use is refused with 488 before the call
 * rings (docs/sip-protocol.md).
 */
import { randomUUID } from 'node:crypto';
import { NameAddrHeader, UA, URI } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { Socket } from 'jssip/lib/Socket';
import type { Subscriber } from 'jssip/lib/Subscriber';
import { ConsoleError, replaceControlChars, type LineStatus } from '../../preload/contract';
import type { RemoteParty } from '../calls/call/machine';
import type { CallLeg, Telephony } from '../calls/call/ports';
import { describeRemote } from '../calls/numbers';
import type { Logger } from '../logging/logger';
import { dialUri, LineAccountError, lineAccountProblem, sipDisplayName } from './line-account';
import { adaptSession, type LineLeg, type SessionAdapterOptions, type SessionMedia } from './session';
import { ReferUsages, type NotifyLike } from './refer-usages';
import { screenRequest } from './request-screen';
import { SessionRegistry } from './sessions';
import { Timers } from './timers';
import { WsSocket, type ConnectionProblem } from './ws-socket';

/** What the line needs of its transport: JsSIP's Socket plus problem reports and the fault hook. */
export type LineSocket = Socket & Pick<WsSocket, 'onProblem' | 'dropForTest'>;

export interface LineAccount {
  wsUrl: string;
  sipUri: string;
  authorizationUser?: string | undefined;
  password: string | null;
  displayName?: string | undefined;
  acceptSelfSigned: boolean;
  /** PEM of a private CA the server certificate chains to. */
  ca?: string | undefined;
}

export interface LineOptions {
  log: Logger;
  media: SessionMedia;
  now?: () => number;
  pcConfig?: RTCConfiguration;
  keepAliveMs?: number;
  pongTimeoutMs?: number;
  registerTimeoutMs?: number;
  /** Wait before retrying a registration that timed out or met a server error. */
  registerRetryMs?: number;
  registerExpires?: number;
  /** JsSIP Transport back-off bounds, in seconds. */
  reconnectMinSec?: number;
  reconnectMaxSec?: number;
  session?: Pick<SessionAdapterOptions, 'iceCutoffMs' | 'holdTimeoutMs' | 'busyRetryMs' | 'glareDelayMs'>;
  /** Where the line's sessions are registered by call id (the composition root shares it with their readers). */
  sessions?: SessionRegistry;
  /** The transport; default a `ws` WebSocket to the account's wsUrl. In-process SIP tests pass an in-memory one. */
  socket?: (account: LineAccount) => LineSocket;
  /** How long a REFER subscription is answered after its call ended (./refer-usages.ts); default 90 s. */
  referUsageLingerMs?: number;
}

export type LineFailure = NonNullable<LineStatus['reason']>;

/**
 * A 4xx other than "try later" (408 time-out, 429 too many requests) says the request itself is wrong:
 * sending the same REGISTER every 30 s changes nothing, and loads the server for no one.
 */
const refusesForGood = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** JsSIP registrationFailed {cause, response} → the agent-facing reason. */
export function describeRegistrationFailure(cause: string | undefined, status: number | null): LineFailure {
  if (status === 401 || status === 407 || cause === 'Authentication Error') {
    return { code: 'wrong-credentials', message: 'The SIP server rejected the user name or password. Check them in Settings.' };
  }
  if (status === 403) {
    return { code: 'forbidden', message: 'The SIP server refused this account (403 Forbidden). Check the credentials, or ask the administrator whether it is enabled.' };
  }
  if (status === 404 || cause === 'Not Found') {
    return { code: 'not-found', message: 'The SIP server does not know this address (404 Not Found). Check the SIP address in Settings.' };
  }
  if (status === 408 || cause === 'Request Timeout') {
    return { code: 'timeout', message: 'The SIP server did not answer the registration in time. Retrying.' };
  }
  if (cause === 'Connection Error') {
    return { code: 'unreachable', message: 'The connection to the SIP server broke during registration. Retrying.' };
  }
  if (status !== null && refusesForGood(status)) {
    // The same REGISTER would be refused the same way: say so, and wait for the account to change.
    return {
      code: 'server-error',
      message: `The SIP server refused the registration (${status}${cause && cause !== 'SIP Failure Code' ? `: ${cause}` : ''}). Check the account in Settings; the console tries again once it is saved.`,
    };
  }
  return {
    code: 'server-error',
    message: `The SIP server refused the registration${status ? ` (${status})` : ''}${cause && cause !== 'SIP Failure Code' ? `: ${cause}` : ''}. Retrying.`,
  };
}

export interface Line extends Telephony {
  readonly aor: string;
  status(): LineStatus;
  onStatus(listener: (status: LineStatus) => void): () => void;
  start(): void;
  /** Unregister and close. Safe to call twice. */
  stop(): Promise<void>;
  /** Register again now (line:reconnect). */
  reconnect(): void;
  /** Test/fault hook: kill the WebSocket as a network failure would. */
  dropConnection(): void;
  /** Target-refresh re-INVITE on every established call (done automatically after a reconnect). */
  refreshRoutes(): void;
  /** An RFC 6665 subscription from this line's UA, not yet sent (`.subscribe()` sends it); used by main/sip/presence.ts. */
  subscribe(target: string, event: string, accept: string, options: NonNullable<Parameters<UA['subscribe']>[3]>): Subscriber;
}

/**
 * Every message the UA's transport delivers goes through main/sip/request-screen.ts first
 * (what JsSIP would drop unanswered or mis-answer is answered there), and nothing JsSIP throws
 * while handling one escapes into the socket's data handler: one bad message never stops the line.
 */
function screenIncoming(ua: UA, log: Logger) {
  type Delivery = { transport: { send(message: string): boolean }; message: unknown };
  const transport = (ua as unknown as { _transport?: { ondata?: (d: Delivery) => void } })._transport;
  const deliver = transport?.ondata;
  if (!transport || typeof deliver !== 'function') throw new Error('JsSIP UA no longer has the transport hook the line screens requests with (written for 3.13.8)');
  transport.ondata = (d) => {
    try {
      const verdict = typeof d.message === 'string' ? screenRequest(d.message) : null;
      if (verdict) {
        log.warn('sip: refused a request', { method: verdict.method, code: verdict.code, why: verdict.why, answered: verdict.response !== null });
        if (verdict.response !== null) d.transport.send(verdict.response);
        return;
      }
      deliver(d);
    } catch (e) {
      log.error('sip: a received message could not be handled', { error: String(e) });
    }
  };
}

/**
 * A NOTIFY that matches no dialog JsSIP still has goes to the line's REFER usages before JsSIP answers
 * it 481: the subscription of a REFER sent on a call that has since ended is still ours (RFC 5057,
 * ./refer-usages.ts). JsSIP looks such a NOTIFY up with `_findSession` after its transaction exists.
 */
function answerLateReferNotifies(ua: UA, usages: ReferUsages) {
  type Found = { receiveRequest(request: unknown): void } | undefined;
  const internals = ua as unknown as { _findSession?: (request: NotifyLike) => Found };
  const find = internals._findSession;
  if (typeof find !== 'function') throw new Error('JsSIP UA no longer has the session lookup the line answers late NOTIFYs through (written for 3.13.8)');
  internals._findSession = (request) => find.call(ua, request) ?? (request.method === 'NOTIFY' ? (usages.sessionFor(request) as Found) : undefined);
}

/** Who an INVITE's Referred-By (RFC 3892) names: the party for the call card, and a label for the transfer timeline. */
function referrerOf(header: string | undefined): { party: RemoteParty; label: string } | null {
  if (!header) return null;
  // name-addr, or a bare addr-spec whose ;parameters belong to the header (RFC 3261 §20.10).
  const named = NameAddrHeader.parse(header) as unknown as NameAddrHeader | undefined;
  const bare = named ? undefined : (URI.parse(header.split(';')[0]!.trim()) as unknown as URI | undefined);
  const parsedUri = named?.uri ?? bare;
  if (!parsedUri) return null;
  let uri: string;
  try {
    uri = parsedUri.toString();
  } catch {
    return null; // a user part JsSIP cannot re-escape (%FF)
  }
  const party = describeRemote(uri, named?.display_name ? String(named.display_name) : null);
  const name = replaceControlChars(party.displayName ?? '', ' ').trim().slice(0, 128) || null;
  return { party: { ...party, displayName: name }, label: name ? `${name} <${uri}>` : uri };
}

/** JsSIP's ConfigurationError names the setting it refused: the account field it came from decides the reason. */
function configurationFailure(e: unknown): LineFailure {
  const parameter = (e as { parameter?: unknown }).parameter;
  const detail = `the SIP stack refused the stored account (${typeof parameter === 'string' ? parameter : String(e)}). Correct it in Settings → Account.`;
  if (parameter === 'authorization_user') return { code: 'wrong-credentials', message: `The authorization user cannot be used: ${detail}` };
  if (parameter === 'sockets') return { code: 'unreachable', message: `The WebSocket address cannot be used: ${detail}` };
  return { code: 'not-found', message: `The SIP address cannot be used: ${detail}` };
}

/**
 * Throws LineAccountError (with the reason the line should show) when the
 * account cannot make a UA: checked first, and whatever JsSIP's constructor
 * still refuses is caught, so a stored account never throws anything else.
 */
export function createLine(account: LineAccount, options: LineOptions): Line {
  const problem = lineAccountProblem(account);
  if (problem) throw new LineAccountError(problem);
  try {
    return buildLine(account, options);
  } catch (e) {
    if (e instanceof LineAccountError) throw e;
    throw new LineAccountError(configurationFailure(e));
  }
}

function buildLine(account: LineAccount, options: LineOptions): Line {
  const log = options.log;
  const now = options.now ?? Date.now;
  const domain = /@([^;:>]+)/.exec(account.sipUri)?.[1] ?? null;
  let status: LineStatus = { state: 'connecting', aor: account.sipUri, reason: null, since: now() };
  const statusListeners = new Set<(s: LineStatus) => void>();
  const incomingListeners = new Set<(leg: CallLeg) => void>();
  const legs = new Map<string, LineLeg>();
  const timers = new Timers();
  let lastProblem: ConnectionProblem | null = null;
  let everConnected = false;
  let reconnected = false;
  let stopping = false;
  let started = false;

  const setStatus = (state: LineStatus['state'], reason: LineStatus['reason'] = null) => {
    // Re-emitted even when unchanged after a reconnect: the UI learns the line is back (JsSIP #337).
    status = { state, aor: account.sipUri, reason, since: now() };
    log.info('sip: line', { state, reason: reason?.code });
    for (const l of [...statusListeners]) l(status);
  };
  const after = (fn: () => void, ms: number) => timers.after(fn, ms);

  const sessions = options.sessions ?? new SessionRegistry();
  const socket: LineSocket =
    options.socket?.(account) ??
    new WsSocket({
      url: account.wsUrl,
      ca: account.ca,
      acceptSelfSigned: account.acceptSelfSigned,
      ...(options.keepAliveMs !== undefined && { keepAliveMs: options.keepAliveMs }),
      ...(options.pongTimeoutMs !== undefined && { pongTimeoutMs: options.pongTimeoutMs }),
    });
  socket.onProblem((p) => (lastProblem = p));

  const ua = new UA({
    sockets: [socket],
    uri: account.sipUri,
    ...(account.password !== null && { password: account.password }),
    ...(account.authorizationUser && { authorization_user: account.authorizationUser }),
    // Printable text only: JsSIP quotes and escapes it, but would pass a line break through into From.
    ...(sipDisplayName(account.displayName) && { display_name: sipDisplayName(account.displayName) }),
    register: false,
    register_expires: options.registerExpires ?? 600,
    connection_recovery_min_interval: options.reconnectMinSec ?? 2,
    connection_recovery_max_interval: options.reconnectMaxSec ?? 30,
    session_timers: false,
    user_agent: 'AgentConsole',
  });

  screenIncoming(ua, log);
  const referUsages = new ReferUsages({ log, ...(options.referUsageLingerMs !== undefined && { lingerMs: options.referUsageLingerMs }) });
  answerLateReferNotifies(ua, referUsages);

  const pcConfig = options.pcConfig ?? { iceServers: [] };
  const adapterOptions = (id: string, direction: 'incoming' | 'outgoing', remote: CallLeg['remote']): SessionAdapterOptions => ({
    id,
    direction,
    remote,
    media: options.media,
    sessions,
    pcConfig,
    isTransportUp: () => ua.isConnected(),
    log: log.scope(`call ${id.slice(0, 8)}`),
    referUsages,
    ...options.session,
  });
  /**
   * INVITEs with Replaces (RFC 3891) that JsSIP handed to one of our sessions: the request → the
   * id of the call it replaces. The new session arrives as an ordinary incoming call whose leg
   * names that call (`replaces`); the transfer service answers it in place of the old one.
   */
  const replacing = new Map<unknown, string>();
  const acceptReplaces = (callId: string, session: RTCSession) => {
    (session as unknown as NodeJS.EventEmitter).on('replaces', (e: { request: unknown; accept: () => void }) => {
      replacing.set(e.request, callId);
      // JsSIP terminates the replaced session once the new one is confirmed (RTCSession
      // _receiveReplaces), but the transfer service hangs it up first; a second terminate()
      // throws INVALID_STATE_ERROR out of the WebSocket data handler and the UA stops
      // processing messages. Make it idempotent.
      const terminate = session.terminate.bind(session);
      session.terminate = ((o?: Parameters<RTCSession['terminate']>[0]) => {
        if (!session.isEnded()) terminate(o);
      }) as RTCSession['terminate'];
      e.accept();
    });
  };
  const track = (leg: LineLeg, session: RTCSession) => {
    acceptReplaces(leg.id, session);
    // A leg disposed without a final SIP event (e.g. declined for lack of a free call slot) is pruned here.
    for (const [id, l] of legs) if (l.isFinished()) legs.delete(id);
    legs.set(leg.id, leg);
    const off = leg.onEvent((e) => {
      if (e.type === 'sip.ended') {
        legs.delete(leg.id);
        off();
      }
    });
  };

  const mapProblem = (p: ConnectionProblem): LineFailure => ({ code: p.kind, message: p.message });
  let cancelRegisterWatch: (() => void) | null = null;
  const register = () => {
    if (stopping) return;
    cancelRegisterWatch?.();
    setStatus('registering');
    cancelRegisterWatch = after(() => {
      cancelRegisterWatch = null;
      if (status.state !== 'registering') return;
      setStatus('failed', describeRegistrationFailure('Request Timeout', null));
      after(() => ua.isConnected() && register(), options.registerRetryMs ?? 30_000);
    }, options.registerTimeoutMs ?? 15_000);
    ua.register();
  };

  ua.on('connected', () => {
    lastProblem = null;
    if (everConnected) reconnected = true;
    everConnected = true;
    register();
  });
  ua.on('disconnected', () => {
    if (stopping) return;
    cancelRegisterWatch?.();
    cancelRegisterWatch = null;
    const problem = lastProblem;
    if (everConnected) {
      setStatus('reconnecting', {
        code: problem?.kind ?? 'unreachable',
        message: `${problem ? problem.message : 'The connection to the SIP server was lost.'} Reconnecting; calls in progress keep their audio.`,
      });
    } else {
      setStatus('failed', problem ? mapProblem(problem) : { code: 'unreachable', message: 'The SIP server could not be reached. Retrying.' });
    }
  });
  ua.on('registered', () => {
    cancelRegisterWatch?.();
    cancelRegisterWatch = null;
    setStatus('registered');
    if (reconnected) {
      reconnected = false;
      for (const [id, leg] of legs) {
        if (leg.isFinished()) legs.delete(id);
        else leg.refreshRoute();
      }
    }
  });
  ua.on('registrationFailed', (e: { cause?: string; response?: { status_code?: number } | null }) => {
    // A transport drop first fails the REGISTER transactions still held by JsSIP (cause "Connection
    // Error"), then emits `disconnected`: the drop is reported there, as "reconnecting", not as a failure.
    if (!e.response && e.cause === 'Connection Error' && !ua.isConnected()) return;
    cancelRegisterWatch?.();
    cancelRegisterWatch = null;
    const reason = describeRegistrationFailure(e.cause, e.response?.status_code ?? null);
    setStatus('failed', reason);
    // Never hammer a server with wrong credentials (account lock-outs); retry only transient failures.
    const status = e.response?.status_code ?? null;
    if (reason.code === 'timeout' || (reason.code === 'server-error' && !(status !== null && refusesForGood(status)))) {
      after(() => ua.isConnected() && register(), options.registerRetryMs ?? 30_000);
    }
  });
  ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
    if (e.originator !== 'remote') return;
    const session = e.session;
    const identity = session.remote_identity;
    const remote = describeRemote(identity.uri.toString(), identity.display_name);
    const request = (session as unknown as { _request?: { getHeader(name: string): string | undefined; body?: unknown } })._request;
    const replaces = request ? (replacing.get(request) ?? null) : null;
    if (request) replacing.delete(request);
    const referrer = referrerOf(request?.getHeader('referred-by'));
    // An offer the media host cannot answer is refused now, before the call rings (RFC 3261 §21.4.26),
    // not after the agent answered it. JsSIP sends no 180 for a session ended inside this event.
    const offer = typeof request?.body === 'string' ? request.body : '';
    const unusable = offer.trim() !== '' ? (options.media.offerProblem?.(offer) ?? null) : null;
    if (unusable !== null) {
      log.warn('sip: refused an INVITE whose offer the media host cannot use (488)', { from: remote.uri, why: unusable });
      session.terminate({ status_code: 488, reason_phrase: 'Not Acceptable Here', extraHeaders: [`Warning: 305 - "${unusable.replace(/[^\x20-\x7e]|["\\]/g, '')}"`] });
      return;
    }
    const leg = adaptSession(session, {
      ...adapterOptions(randomUUID(), 'incoming', remote),
      replaces,
      referredBy: referrer?.label ?? null,
      transferredBy: referrer?.party ?? null,
    });
    track(leg, session);
    if (incomingListeners.size === 0) {
      leg.decline(486);
      leg.dispose(); // nobody will: its session leaves the registry now
      return;
    }
    for (const l of [...incomingListeners]) l(leg);
  });


  return {
    aor: account.sipUri,
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    start() {
      if (started) return;
      started = true;
      if (account.password === null) {
        setStatus('failed', { code: 'no-password', message: 'No SIP password is stored for this account. Enter it in Settings.' });
        return;
      }
      setStatus('connecting');
      ua.start();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      cancelRegisterWatch?.();
      timers.clear();
      if (!started) return;
      const wasRegistered = ua.isRegistered();
      await new Promise<void>((resolve) => {
        if (!wasRegistered) return resolve();
        const done = () => resolve();
        ua.once('unregistered', done);
        ua.once('registrationFailed', done);
        setTimeout(done, 2000).unref?.();
        ua.unregister();
      });
      ua.stop();
      // ua.stop() closes the transport once its transactions are done; make sure nothing lingers.
      setTimeout(() => socket.disconnect(), 500).unref?.();
      for (const leg of legs.values()) leg.dispose();
      legs.clear();
      replacing.clear();
      referUsages.clear();
      setStatus('unregistered');
    },
    reconnect() {
      if (stopping || !started) return;
      if (!ua.isConnected()) {
        socket.connect();
        return;
      }
      if (ua.isRegistered()) {
        // JsSIP announces `registered` only when the state changes (Registrator.js), so refreshing a
        // live binding must not show "registering": it would wait for an event that never comes and
        // then report a time-out. The binding stays valid; a failed refresh arrives as registrationFailed.
        ua.register();
        setStatus('registered');
        return;
      }
      register();
    },
    dropConnection() {
      socket.dropForTest();
    },
    refreshRoutes() {
      for (const [id, leg] of legs) {
        if (leg.isFinished()) legs.delete(id);
        else leg.refreshRoute();
      }
    },
    subscribe: (target, event, accept, subscribeOptions) => ua.subscribe(target, event, accept, subscribeOptions),
    // --- Telephony --------------------------------------------------------
    isConnected: () => ua.isConnected(),
    domain: () => domain,
    onIncoming(listener) {
      incomingListeners.add(listener);
      return () => incomingListeners.delete(listener);
    },
    dial(uri, remote, dialOptions) {
      if (status.state !== 'registered') {
        throw new ConsoleError('unavailable', `The line is ${status.state}; calls can be placed once it is registered.`);
      }
      // Parsed by the stack before anything is sent: a target it cannot serialise is refused here, not on the wire.
      const target = dialUri(uri);
      const id = randomUUID();
      const listeners = new Set<(e: Parameters<Parameters<CallLeg['onEvent']>[0]>[0]) => void>();
      const emit: Parameters<CallLeg['onEvent']>[0] = (e) => {
        for (const l of [...listeners]) l(e);
      };
      let inner: (LineLeg) | null = null;
      let cancelled = false;
      const pending: Array<(leg: CallLeg) => void> = [];
      const whenUp = (fn: (leg: CallLeg) => void) => (inner ? fn(inner) : pending.push(fn));
      options.media
        .microphone()
        .then((stream) => {
          if (cancelled) return options.media.release(stream);
          // The mediaStream option keeps JsSIP away from getUserMedia (there is none in main).
          // JsSIP takes a parsed URI as is (Utils.normalizeTarget), though its typings say string.
          // A supervised safe blind's leg (docs/transfers.md): the microphone is off before anything is
          // offered, and the offer only sends (Chromium maps offerToReceiveAudio: false onto a sendonly
          // transceiver), so the transferee's answer carries nothing the agent would hear.
          const supervised = dialOptions?.supervised === true;
          if (supervised) for (const t of stream.getAudioTracks()) t.enabled = false;
          const session = ua.call(target as unknown as string, {
            mediaStream: stream,
            pcConfig,
            ...(supervised ? { rtcOfferConstraints: { offerToReceiveAudio: false } } : {}),
          });
          inner = adaptSession(session, { ...adapterOptions(id, 'outgoing', remote), initialMic: stream });
          inner.onEvent(emit);
          track(inner, session);
          for (const fn of pending.splice(0)) fn(inner);
        })
        .catch((e: unknown) => {
          log.warn('sip: dial failed', { error: String(e) });
          emit({ type: 'sip.ended', by: 'system', reason: `The call could not be started: ${(e as Error).message ?? String(e)}`, code: null });
        });
      return {
        id,
        direction: 'outgoing',
        remote,
        answer: () => {},
        decline: () => {},
        hangup: () => {
          if (inner) inner.hangup();
          else cancelled = true;
        },
        hold: () => whenUp((l) => l.hold()),
        unhold: () => whenUp((l) => l.unhold()),
        dtmf: (tones, mode) => whenUp((l) => l.dtmf(tones, mode)),
        mute: (on) => whenUp((l) => l.mute(on)),
        onEvent(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        dispose() {
          inner?.dispose();
          listeners.clear();
          pending.length = 0;
        },
      };
    },
  };
}
