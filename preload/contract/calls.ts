/**
 * Calls as the UI sees them: main pushes the full list of snapshots on every
 * change (`calls:changed`); the UI renders them and offers exactly the
 * `allowedActions` main decided. Requests name a call by its id.
 */
import { z } from 'zod';
import { epochMs, event, noInput, request, text } from './define';

export const callPhases = ['trying', 'ringing', 'early-media', 'answering', 'established', 'ended'] as const;
export const callActions = ['answer', 'decline', 'hangup', 'hold', 'unhold', 'mute', 'unmute', 'dtmf', 'swap'] as const;
export type CallActionName = (typeof callActions)[number];

const partySchema = z.strictObject({ number: z.string(), uri: z.string(), displayName: z.string().nullable() });

export const callSnapshotSchema = z.strictObject({
  id: z.string(),
  direction: z.enum(['outgoing', 'incoming']),
  state: z.enum(callPhases),
  remote: partySchema,
  hold: z.strictObject({ local: z.boolean(), remote: z.boolean() }),
  /** A hold/resume re-INVITE is in flight. */
  holdPending: z.boolean(),
  muted: z.boolean(),
  /** Incoming ringing: loud (alone) or soft (call waiting). */
  ring: z.enum(['loud', 'soft']).nullable(),
  startedAt: epochMs,
  answeredAt: epochMs.nullable(),
  endedAt: epochMs.nullable(),
  ended: z
    .strictObject({ reason: z.string(), by: z.enum(['agent', 'remote', 'system']), code: z.number().int().nullable() })
    .nullable(),
  allowedActions: z.array(z.enum(callActions)),
  /** When our hold took effect (the call card's hold timer); null unless we hold the call. */
  heldSince: epochMs.nullable(),
  /** What the other party hears from us right now. */
  holdAudio: z.union([z.enum(['you', 'silence']), z.strictObject({ music: z.string() })]),
  /**
   * Present only on an incoming call that arrived by transfer (an INVITE with Referred-By, RFC 3892,
   * or with Replaces, RFC 3891): who transferred the caller to the agent.
   */
  transferredBy: partySchema.optional(),
});
export type CallSnapshot = z.infer<typeof callSnapshotSchema>;

const callId = text(64);
/** RFC 4733 / SIP INFO events JsSIP accepts: digits, * # A-D, and ',' for a pause. */
const dtmfTones = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[0-9A-Da-d*#,]+$/, 'DTMF tones are digits, *, #, A–D (and , for a pause)');

export const calls = {
  list: request('calls:list', noInput, z.array(callSnapshotSchema)),
  /** A number, extension, sip: or tel: URI; normalised in main (typed error `invalid-target`). */
  dial: request('calls:dial', z.strictObject({ target: text(256) }), callSnapshotSchema),
  answer: request('calls:answer', z.strictObject({ callId }), z.null()),
  /** Without `code`, the preference calls.declineWith decides (486 busy or 603 decline). */
  decline: request('calls:decline', z.strictObject({ callId, code: z.union([z.literal(486), z.literal(603)]).optional() }), z.null()),
  hangup: request('calls:hangup', z.strictObject({ callId }), z.null()),
  hold: request('calls:hold', z.strictObject({ callId }), z.null()),
  unhold: request('calls:unhold', z.strictObject({ callId }), z.null()),
  mute: request('calls:mute', z.strictObject({ callId }), z.null()),
  unmute: request('calls:unmute', z.strictObject({ callId }), z.null()),
  dtmf: request('calls:dtmf', z.strictObject({ callId, tones: dtmfTones }), z.null()),
  swap: request('calls:swap', z.strictObject({ callId }), z.null()),
  changed: event('calls:changed', z.array(callSnapshotSchema)),
} as const;
