/**
 * VoIPBIN's REST API as the console uses it: sign-in (username and password →
 * a bearer token, or an access key in the query), the handful of endpoints the
 * target provider and the transfer backend need, pagination, a time-out on
 * every request, and errors that say what the agent can do about them. The
 * platform's facts (paths, shapes, permissions) are in docs/voipbin.md.
 */
import { z } from 'zod';
import {
  agentSchema,
  callSchema,
  errorBodySchema,
  groupcallSchema,
  loginSchema,
  pageSchema,
  parseOrThrow,
  queueSchema,
  queuecallSchema,
  transferSchema,
  VoipbinSchemaError,
  type Address,
  type Agent,
  type Call,
  type Groupcall,
  type PlatformAgentStatus,
  type Queue,
  type Queuecall,
  type Transfer,
} from './schemas';

export type VoipbinAuth = { kind: 'login'; username: string; password: string } | { kind: 'accesskey'; key: string };

export interface VoipbinClientOptions {
  /** The API's origin, e.g. `https://api.voipbin.net`; the REST paths live under `/v1.0`, sign-in under `/auth`. */
  baseUrl: string;
  auth: VoipbinAuth;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** What the agent can act on: the kind decides the wording and whether retrying can help. */
export type VoipbinErrorKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'invalid'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'closed';

export class VoipbinError extends Error {
  override readonly name = 'VoipbinError';
  constructor(
    readonly kind: VoipbinErrorKind,
    /** The sentence for the agent. */
    message: string,
    /** HTTP status; null when no answer came. */
    readonly status: number | null = null,
    /** The platform's own reason code (e.g. CALL_NOT_FOUND) and request id, for the log and support. */
    readonly reason: string | null = null,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under `/v1.0`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** "see queues", "transfer calls": finishes "Your VoIPBIN role cannot …" and similar sentences. */
  action: string;
  /** Needs the admin or manager role (or an access key); a 403 then names the permission. */
  privileged?: boolean;
  /** A sentence per status where the generic one would not help the agent. */
  hints?: Partial<Record<number, string>>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const API = '/v1.0';

export interface VoipbinClient {
  /** The websocket URL with this session's credentials (signs in first when needed). */
  eventsUrl(): Promise<string>;
  /** Forget the token (the event socket was refused): the next request signs in again. */
  invalidateToken(): void;
  me(): Promise<Agent>;
  setMyStatus(status: PlatformAgentStatus): Promise<void>;
  queues(): Promise<Queue[]>;
  queuecalls(): Promise<Queuecall[]>;
  agents(): Promise<Agent[]>;
  calls(): Promise<Call[]>;
  groupcall(id: string): Promise<Groupcall>;
  createTransfer(body: { transfer_type: 'blind' | 'attended'; transferer_call_id: string; transferee_addresses: Address[] }): Promise<Transfer>;
  /** Hang up a groupcall (every call it dials): how an attended transfer is cancelled. */
  hangupGroupcall(id: string): Promise<void>;
  /** Aborts every request under way (they reject with kind 'closed'); later ones reject at once. */
  close(): void;
}

export function createVoipbinClient(o: VoipbinClientOptions): VoipbinClient {
  const doFetch = o.fetch ?? fetch;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const origin = o.baseUrl.replace(/\/+$/, '');
  const host = (() => {
    try {
      return new URL(origin).host;
    } catch {
      return origin;
    }
  })();
  const closing = new AbortController();
  let token: string | null = null;
  let signingIn: Promise<string> | null = null;

  /** One HTTP exchange with a time-out; network and time-out failures become VoipbinErrors. */
  const exchange = async (url: string, init: RequestInit, action: string): Promise<{ res: Response; json: unknown }> => {
    if (closing.signal.aborted) throw new VoipbinError('closed', 'The VoIPBIN connection is closed.');
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const res = await doFetch(url, { ...init, signal });
      const text = await res.text();
      let json: unknown = null;
      if (text.trim() !== '') {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined; // not JSON: a proxy's error page, or a broken answer
        }
      }
      return { res, json };
    } catch (e) {
      if (closing.signal.aborted) throw new VoipbinError('closed', 'The VoIPBIN connection is closed.');
      if (e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
        throw new VoipbinError('timeout', `VoIPBIN did not answer within ${Math.round(timeoutMs / 1000)} s when trying to ${action}; try again.`);
      }
      throw new VoipbinError('network', `Cannot reach VoIPBIN at ${host} to ${action}: check the network and the API address.`);
    }
  };

  /** The platform's error body (or none) → the sentence the agent reads. */
  const failure = (status: number, json: unknown, spec: { action: string; privileged?: boolean; hints?: Partial<Record<number, string>> }) => {
    const body = errorBodySchema.safeParse(json);
    const e = body.success ? body.data.error : null;
    const reason = e?.reason ?? e?.status ?? null;
    const platformSays = e?.message ? ` (VoIPBIN: ${e.message})` : '';
    const hint = spec.hints?.[status];
    let kind: VoipbinErrorKind;
    let text: string;
    if (status === 401) {
      kind = 'unauthenticated';
      text = hint ?? 'VoIPBIN did not accept the sign-in: check the username and password, or the access key, in the settings.';
    } else if (status === 403) {
      kind = 'forbidden';
      text =
        hint ??
        (spec.privileged
          ? `Your VoIPBIN role cannot ${spec.action}; ask for manager permission or an access key.`
          : `VoIPBIN does not let this account ${spec.action}.`);
    } else if (status === 404) {
      kind = 'not-found';
      text = hint ?? `VoIPBIN does not know what you asked for when trying to ${spec.action}${platformSays}.`;
    } else if (status >= 400 && status < 500) {
      kind = 'invalid';
      text = hint ?? `VoIPBIN refused the request to ${spec.action} as invalid${platformSays}.`;
    } else {
      kind = 'server';
      text = hint ?? `VoIPBIN failed to ${spec.action} (HTTP ${status}); try again in a moment.`;
    }
    return new VoipbinError(kind, text, status, reason, e?.request_id ?? null);
  };

  const signIn = async (): Promise<string> => {
    if (o.auth.kind !== 'login') throw new Error('unreachable: access keys need no sign-in');
    const { res, json } = await exchange(
      `${origin}/auth/login`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: o.auth.username, password: o.auth.password }) },
      'sign in',
    );
    if (!res.ok) throw failure(res.status, json, { action: 'sign in' });
    try {
      return parseOrThrow(loginSchema, json, 'sign-in answer').token;
    } catch (e) {
      throw malformed(e, 'sign in');
    }
  };

  const currentToken = (): Promise<string> => {
    if (token) return Promise.resolve(token);
    // One sign-in for every request that needs it at the same time.
    signingIn ??= signIn().then(
      (t) => {
        token = t;
        signingIn = null;
        return t;
      },
      (e: unknown) => {
        signingIn = null;
        throw e;
      },
    );
    return signingIn;
  };

  const malformed = (e: unknown, action: string) =>
    e instanceof VoipbinSchemaError
      ? Object.assign(new VoipbinError('malformed', `VoIPBIN sent an answer the console cannot read when trying to ${action}.`), { cause: e })
      : e;

  const request = async <T>(spec: RequestSpec<T>, retried = false): Promise<T> => {
    const url = new URL(`${origin}${API}${spec.path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.auth.kind === 'accesskey') url.searchParams.set('accesskey', o.auth.key);
    else headers.authorization = `Bearer ${await currentToken()}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    const { res, json } = await exchange(
      url.toString(),
      { method: spec.method, headers, body: spec.body === undefined ? undefined : JSON.stringify(spec.body) },
      spec.action,
    );
    if (res.status === 401 && o.auth.kind === 'login' && !retried) {
      // The token expired (they last 7 days): sign in again, once.
      token = null;
      return request(spec, true);
    }
    if (!res.ok) throw failure(res.status, json, spec);
    try {
      return parseOrThrow(spec.schema, json, `answer to ${spec.method} ${spec.path}`);
    } catch (e) {
      throw malformed(e, spec.action);
    }
  };

  /** Every page of a list; a repeated token or too many pages ends it rather than looping. */
  const listAll = async <T>(path: string, item: z.ZodType<T>, action: string, query: Record<string, string> = {}): Promise<T[]> => {
    const out: T[] = [];
    const seen = new Set<string>();
    let pageToken = '';
    for (let page = 0; page < 50; page++) {
      const q: Record<string, string> = { ...query, page_size: '100' };
      if (pageToken) q.page_token = pageToken;
      const body = await request({ method: 'GET', path, query: q, schema: pageSchema(item) as z.ZodType<{ next_page_token?: string | null; result?: T[] | null }>, action, privileged: true });
      out.push(...(body.result ?? []));
      const next = body.next_page_token ?? '';
      if (!next || seen.has(next) || (body.result ?? []).length === 0) return out;
      seen.add(next);
      pageToken = next;
    }
    return out;
  };

  return {
    async eventsUrl() {
      const ws = new URL(`${origin}${API}/ws`);
      ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
      if (o.auth.kind === 'accesskey') ws.searchParams.set('accesskey', o.auth.key);
      else ws.searchParams.set('token', await currentToken());
      return ws.toString();
    },
    invalidateToken() {
      token = null;
    },
    me: () => request({ method: 'GET', path: '/service_agents/me', schema: agentSchema, action: 'read your agent profile' }),
    async setMyStatus(status) {
      await request({
        method: 'PUT',
        path: '/service_agents/me/status',
        body: { status },
        schema: z.unknown(),
        action: 'change your agent status',
      });
    },
    queues: () => listAll('/queues', queueSchema, 'see queues'),
    queuecalls: () => listAll('/queuecalls', queuecallSchema, 'see the calls waiting in queues'),
    agents: () => listAll('/agents', agentSchema, 'see other agents'),
    calls: () => listAll('/calls', callSchema, 'look up calls'),
    groupcall: (id) =>
      request({
        method: 'GET',
        path: `/groupcalls/${encodeURIComponent(id)}`,
        schema: groupcallSchema,
        action: 'follow a transfer',
        privileged: true,
      }),
    createTransfer: (body) =>
      request({
        method: 'POST',
        path: '/transfers',
        body,
        schema: transferSchema,
        action: 'transfer calls',
        privileged: true,
        hints: {
          404: 'VoIPBIN does not know this call any more; it may have ended.',
          // The platform answers 500 both for its own faults and for a call outside a conference bridge.
          500: 'VoIPBIN could not transfer this call (HTTP 500). It transfers only calls connected through a queue or a connect action; if this was one, try again.',
        },
      }),
    async hangupGroupcall(id) {
      await request({
        method: 'POST',
        path: `/groupcalls/${encodeURIComponent(id)}/hangup`,
        schema: z.unknown(),
        action: 'cancel a transfer',
        privileged: true,
        hints: { 404: 'VoIPBIN no longer knows this transfer\u2019s call; it may have ended already.' },
      });
    },
    close() {
      closing.abort();
    },
  };
}
