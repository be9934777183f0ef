/**
 * The VoIPBIN shapes this adapter reads, as zod schemas, and the parsers that
 * turn what arrives (REST bodies, websocket frames) into typed values or a
 * typed `VoipbinSchemaError` — never a crash, never an `any` leaking into the
 * console. Shapes follow the platform's public API (docs/voipbin.md); every
 * field we do not act on is optional, because the platform omits empty
 * fields (`omitempty`) and adds new ones without notice: unknown keys are
 * dropped, a missing id or a wrong type is an error.
 */
import { z } from 'zod';

/** A malformed body or frame: what was being read and what was wrong with it. */
export class VoipbinSchemaError extends Error {
  override readonly name = 'VoipbinSchemaError';
  constructor(
    readonly what: string,
    readonly issues: string[],
  ) {
    super(`VoIPBIN sent a malformed ${what}: ${issues.slice(0, 3).join('; ')}`);
  }
}

/** Parses `input` with `schema`, or throws a VoipbinSchemaError naming `what`. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new VoipbinSchemaError(
    what,
    r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  );
}

/**
 * Platform timestamps: RFC 3339 from the Go services (`2024-01-15T10:30:00.123Z`),
 * the older `2024-01-15 10:30:00.000000` in some documents, null or absent when unset.
 */
const timestamp = z.string().nullish();
const str = z.string().nullish();
const ids = z.array(z.string()).nullish();

/** Epoch ms of a platform timestamp; null for absent, unparseable, or the platform's "never" (year 9999). */
export function epochOf(ts: string | null | undefined): number | null {
  if (!ts) return null;
  const iso = /^\d{4}-\d\d-\d\d \d/.test(ts) ? `${ts.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(ts) ? '' : 'Z'}` : ts;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms >= Date.UTC(9000, 0, 1)) return null;
  return ms;
}

export const addressSchema = z.object({
  type: z.string(),
  target: z.string().default(''),
  target_name: str,
  name: str,
  detail: str,
});
export type Address = z.infer<typeof addressSchema>;

export const loginSchema = z.object({ username: z.string().nullish(), token: z.string().min(1) });

export const errorBodySchema = z.object({
  error: z.object({
    status: z.string().nullish(),
    reason: z.string().nullish(),
    message: z.string().nullish(),
    request_id: z.string().nullish(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const callStatuses = ['dialing', 'ringing', 'progressing', 'terminating', 'canceling', 'hangup'] as const;
export const callSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  type: str,
  master_call_id: str,
  chained_call_ids: ids,
  groupcall_id: str,
  source: addressSchema.nullish(),
  destination: addressSchema.nullish(),
  status: z.string().nullish(),
  /** `incoming` / `outgoing` as the platform sees it: a call the platform places to the agent is outgoing. */
  direction: z.string().nullish(),
  hangup_by: str,
  hangup_reason: str,
  tm_progressing: timestamp,
  tm_ringing: timestamp,
  tm_hangup: timestamp,
  tm_create: timestamp,
  tm_update: timestamp,
});
export type Call = z.infer<typeof callSchema>;

export const groupcallSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  status: z.string().nullish(),
  master_call_id: str,
  master_groupcall_id: str,
  ring_method: str,
  answer_method: str,
  answer_call_id: str,
  call_ids: ids,
  answer_groupcall_id: str,
  groupcall_ids: ids,
  tm_create: timestamp,
  tm_update: timestamp,
});
export type Groupcall = z.infer<typeof groupcallSchema>;

export const transferSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  type: str,
  transferer_call_id: str,
  transferee_addresses: z.array(addressSchema).nullish(),
  transferee_call_id: str,
  groupcall_id: str,
  confbridge_id: str,
  tm_create: timestamp,
});
export type Transfer = z.infer<typeof transferSchema>;

export const queueSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  name: z.string().nullish(),
  detail: str,
  routing_method: str,
  tag_ids: ids,
  wait_timeout: z.number().nullish(),
  service_timeout: z.number().nullish(),
  wait_queuecall_ids: ids,
  service_queuecall_ids: ids,
  total_incoming_count: z.number().nullish(),
  total_serviced_count: z.number().nullish(),
  total_abandoned_count: z.number().nullish(),
  tm_create: timestamp,
  tm_update: timestamp,
  tm_delete: timestamp,
});
export type Queue = z.infer<typeof queueSchema>;

export const queuecallStatuses = ['initiating', 'waiting', 'connecting', 'kicking', 'service', 'done', 'abandoned'] as const;
export const queuecallSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  /** Not in the public REST shape; some event documents carry it, so it is used when present. */
  queue_id: str,
  reference_type: str,
  reference_id: str,
  status: z.string().nullish(),
  service_agent_id: str,
  /** Milliseconds; set when the call leaves the waiting state. */
  duration_waiting: z.number().nullish(),
  duration_service: z.number().nullish(),
  tm_create: timestamp,
  tm_service: timestamp,
  tm_update: timestamp,
  tm_delete: timestamp,
});
export type Queuecall = z.infer<typeof queuecallSchema>;

export const agentStatusesOnPlatform = ['available', 'away', 'busy', 'offline', 'ringing'] as const;
export type PlatformAgentStatus = (typeof agentStatusesOnPlatform)[number];
export const agentSchema = z.object({
  id: z.string().min(1),
  customer_id: str,
  username: str,
  name: str,
  detail: str,
  ring_method: str,
  status: z.string().nullish(),
  permission: z.number().nullish(),
  tag_ids: ids,
  addresses: z.array(addressSchema).nullish(),
  tm_create: timestamp,
  tm_update: timestamp,
  tm_delete: timestamp,
});
export type Agent = z.infer<typeof agentSchema>;

/** One page of a list: `{ next_page_token, result }`; an empty or absent token ends the list. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ next_page_token: z.string().nullish(), result: z.array(item).nullish() });
}

// ── event websocket ──

export type ResourceKind = 'call' | 'groupcall' | 'queue' | 'queuecall' | 'agent';
const resourceSchemas = {
  call: callSchema,
  groupcall: groupcallSchema,
  queue: queueSchema,
  queuecall: queuecallSchema,
  agent: agentSchema,
} as const;

export type VoipbinEvent =
  | { resource: 'call'; action: string | null; data: Call }
  | { resource: 'groupcall'; action: string | null; data: Groupcall }
  | { resource: 'queue'; action: string | null; data: Queue }
  | { resource: 'queuecall'; action: string | null; data: Queuecall }
  | { resource: 'agent'; action: string | null; data: Agent };

/** What a frame was: an event we read, one of a resource we do not follow, or a malformed one. */
export type EventFrame =
  | { kind: 'event'; event: VoipbinEvent }
  | { kind: 'ignored'; what: string }
  | { kind: 'malformed'; error: VoipbinSchemaError };

const has = (o: Record<string, unknown>, ...keys: string[]) => keys.some((k) => k in o);

/**
 * The bare shape has no event name: the resource is told by the fields only it
 * carries (the platform says to correlate by the payload's own fields). Order
 * matters: a groupcall and an agent both have `ring_method`.
 */
function kindOfBare(o: Record<string, unknown>): ResourceKind | null {
  if (has(o, 'answer_method', 'call_ids', 'answer_call_id', 'groupcall_ids', 'master_groupcall_id')) return 'groupcall';
  if (has(o, 'reference_type', 'duration_waiting', 'service_agent_id', 'tm_service')) return 'queuecall';
  if (has(o, 'routing_method', 'wait_queuecall_ids', 'service_queuecall_ids', 'wait_timeout')) return 'queue';
  if (has(o, 'direction', 'hangup_reason', 'chained_call_ids', 'tm_progressing', 'mute_direction')) return 'call';
  if (has(o, 'username', 'ring_method', 'permission', 'addresses')) return 'agent';
  return null;
}

/**
 * One websocket text frame → an event. Both shapes the platform sends are read:
 * `{"type":"call_hangup","data":{…}}` (the event name gives the resource and the
 * action) and the bare resource (resource told by its fields, action null).
 */
export function parseEventFrame(text: string): EventFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'malformed', error: new VoipbinSchemaError('event frame', ['not JSON']) };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'malformed', error: new VoipbinSchemaError('event frame', ['not an object']) };
  }
  const o = raw as Record<string, unknown>;
  let kind: ResourceKind | null;
  let action: string | null = null;
  let data: unknown;
  if (typeof o.type === 'string' && 'data' in o) {
    const m = /^(groupcall|queuecall|queue|call|agent)_(.+)$/.exec(o.type);
    if (!m) return { kind: 'ignored', what: o.type };
    kind = m[1] as ResourceKind;
    action = m[2]!;
    data = o.data;
  } else if (typeof o.type === 'string') {
    // A control frame (e.g. a ping as text) or something new: not an event.
    return { kind: 'ignored', what: o.type };
  } else {
    kind = kindOfBare(o);
    if (!kind) return { kind: 'ignored', what: 'a bare resource of an unknown kind' };
    data = o;
  }
  const r = resourceSchemas[kind].safeParse(data);
  if (!r.success) {
    return {
      kind: 'malformed',
      error: new VoipbinSchemaError(`${kind} event`, r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    };
  }
  return { kind: 'event', event: { resource: kind, action, data: r.data } as VoipbinEvent };
}
