/**
 * Transfers as the UI sees them (docs/transfers.md). A transfer always
 * belongs to one call — the caller's leg — named by its call id. The UI
 * renders the snapshot and offers exactly the `allowedActions` main decided.
 * `transfer:list` gives every call's current snapshot after a UI reload;
 * `transfer:changed` pushes one call's snapshot.
 *
 * Targets are data, validated here with messages the agent can act on; main
 * resolves numbers onto the account's domain (main/calls/transfer/targets.ts).
 */
import { z } from 'zod';
import { epochMs, event, noInput, request, text } from './define';

// ─── targets ────────────────────────────────────────────────────────────────

/** Digits with visual separators, an optional leading +, or a star or hash feature code. */
const phoneLike = /^(\+?[\s\-.()]*[0-9][0-9\s\-.()]*|[*#][0-9*#\s]*)$/;
/**
 * sip:/sips: user@host[:port][;params]. Never `?headers` nor angle brackets or
 * quotes: the Refer-To header is built by main, and a target carrying its own
 * `?Replaces=` or `>` would let pasted text rewrite the REFER (RFC 3515 §2.1).
 */
const sipUriLike = /^sips?:[^\s@<>"?]+@[A-Za-z0-9.\-[\]:]+(;[^\s<>"?]*)?$/i;

const numberText = z
  .string()
  .trim()
  .min(1, 'Enter the number to transfer to')
  .max(64, 'A number is limited to 64 characters')
  .regex(phoneLike, 'A number holds digits (spaces, dashes, dots, parentheses and one leading + allowed) or a * / # code, e.g. +44 20 7946 0018');

const sipUriText = z
  .string()
  .trim()
  .min(1, 'Enter the SIP address to transfer to')
  .max(512, 'A SIP address is limited to 512 characters')
  .regex(sipUriLike, 'Enter a SIP address like sip:sales@pbx.example.com (no <, >, quotes or ?headers)');

/** What a configured queue or colleague points at: a number or a SIP URI. */
export const addressText = z
  .string()
  .trim()
  .min(1, 'The address is empty')
  .max(512, 'An address is limited to 512 characters')
  .refine(
    (v) => phoneLike.test(v) || sipUriLike.test(v),
    'The address must be a number (e.g. 2001) or a SIP address (e.g. sip:sales@pbx.example.com)',
  );

export const nameText = (what: string) =>
  z.string().trim().min(1, `The ${what} needs a name`).max(80, `A ${what} name is limited to 80 characters`);

export const transferTargetSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('number'), number: numberText }),
    z.strictObject({ kind: z.literal('uri'), uri: sipUriText }),
    z.strictObject({ kind: z.literal('queue'), name: nameText('queue'), address: addressText }),
    z.strictObject({ kind: z.literal('colleague'), name: nameText('colleague'), address: addressText }),
  ],
  { error: 'A transfer target is a number, a SIP address, a queue or a colleague (kind: number | uri | queue | colleague)' },
);
export type TransferTarget = z.output<typeof transferTargetSchema>;
export type TransferTargetInput = z.input<typeof transferTargetSchema>;

/** A target after main resolved it: what the agent reads and what goes into Refer-To / the INVITE. */
export const resolvedTargetSchema = z.strictObject({
  kind: z.enum(['number', 'uri', 'queue', 'colleague']),
  label: z.string(),
  uri: z.string(),
});
export type ResolvedTarget = z.infer<typeof resolvedTargetSchema>;

// ─── snapshot ───────────────────────────────────────────────────────────────

export const transferPhases = [
  'idle',
  'pending', // undo window: nothing sent yet
  'referring', // blind (or semi-attended): REFER sent, waiting for NOTIFY
  'consult-dialing', // attended: consult call ringing, caller on hold with music
  'consulting', // attended: consult answered, private
  'completing', // attended: REFER with Replaces sent
  'refer-offered', // the far end asked us to transfer; waiting for the agent
  'following', // we follow the far end's REFER
  'done', // this call is gone (transferred away, replaced or hung up)
] as const;
export type TransferPhaseName = (typeof transferPhases)[number];

export const transferSteps = [
  'requested',
  'undone',
  'dialing',
  'ringing',
  'answered',
  'completed',
  'failed',
  'taken-back',
  'cancelled',
  'offered', // a REFER / INVITE-with-Replaces reached us
  'declined',
  // A plain blind let go of the caller on the first progress: how it ended is not known yet.
  'released',
  // The caller reached the transferee as a brand-new call instead of replacing a leg (RFC 3891 not honoured).
  'new-call',
] as const;
export type TransferStepName = (typeof transferSteps)[number];

export const transferReasonCodes = [
  'busy',
  'no-answer',
  'not-found',
  'declined',
  'refer-refused',
  'transferee-hung-up',
  'caller-hung-up',
  'failed',
  'cancelled',
  'refer-offered',
  'not-answered-in-time',
  'another-transfer',
] as const;
export type TransferReasonCode = (typeof transferReasonCodes)[number];

export const transferReasonSchema = z.strictObject({
  code: z.enum(transferReasonCodes),
  /** Shown to the agent as is ("busy", "no answer", …). */
  message: z.string(),
  sipCode: z.number().int().nullable(),
});
export type TransferReasonView = z.infer<typeof transferReasonSchema>;

/**
 * What the agent may do now. The first three START a transfer of this call
 * (answered, no transfer of its own under way, not a leg of another call's
 * transfer, and the backend can do that kind); the rest act on the transfer
 * under way.
 */
export const transferActions = [
  'blind',
  'safe-blind',
  'attended',
  'undo',
  'complete',
  'cancel',
  'swap',
  'follow-refer',
  'decline-refer',
] as const;
export type TransferActionName = (typeof transferActions)[number];
export type TransferStartAction = Extract<TransferActionName, 'blind' | 'safe-blind' | 'attended'>;

/**
 * How the agent's last transfer of this call ended, for its outcome line:
 * transferred (the target has the caller), released (we let go; whether the
 * target answered is not known), caller-back (it failed and the caller is the
 * agent's again), caller-lost (it failed after our leg was gone), back-to-consult
 * (completing failed, both legs still ours), cancelled, undone, caller-hung-up,
 * new-call (the target has the caller, but as a second call their phone rang
 * for: the phone that was to swap calls did not).
 */
export const transferOutcomes = [
  'transferred',
  'new-call',
  'released',
  'caller-back',
  'caller-lost',
  'back-to-consult',
  'cancelled',
  'undone',
  'caller-hung-up',
] as const;
export type TransferOutcomeName = (typeof transferOutcomes)[number];

export const timelineEntrySchema = z.strictObject({
  step: z.enum(transferSteps),
  at: epochMs,
  sipCode: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type TimelineEntryView = z.infer<typeof timelineEntrySchema>;

/** Which phone an attended (or supervised) completion asks to swap calls, and what the transferee will see. */
export const completionPlanSchema = z.strictObject({
  /**
   * Who gets the REFER with Replaces (RFC 5589): the caller (today's usual
   * way), or — when the caller's phone said it cannot replace calls — the
   * transferee, naming the caller's call.
   */
  via: z.enum(['caller', 'transferee']),
  /**
   * 'swap': the phone that gets the new call said it can replace ours with it
   * (RFC 3891), the hand-over is seamless. 'new-call': it cannot — it will take
   * the other party as a new call, its phone ringing again (said to the agent
   * before Complete).
   */
  expect: z.enum(['swap', 'new-call']),
  /** Which phone said it cannot swap calls (no `replaces` in Supported); null when both can or nothing says. */
  unable: z.enum(['caller', 'transferee', 'both']).nullable(),
});
export type CompletionPlan = z.infer<typeof completionPlanSchema>;

const legSchema = z.strictObject({
  callId: z.string().nullable(),
  /** 'dialing' and 'ringing' only for a consult leg not yet answered. */
  state: z.enum(['dialing', 'ringing', 'up', 'ended']),
  held: z.boolean(),
  /** Hold music plays on this leg (what that party hears). */
  music: z.boolean(),
});

export const transferSnapshotSchema = z.strictObject({
  /** The caller's leg this transfer belongs to. */
  callId: z.string(),
  transferId: z.string().nullable(),
  /** incoming-*: the far end transfers this call; transferred-in: this call reached us by a transfer. */
  mode: z.enum(['blind', 'attended', 'incoming-refer', 'incoming-replaces', 'transferred-in']).nullable(),
  /** Blind: caller kept held with music until the transferee answers. */
  safe: z.boolean(),
  /** Attended converted to blind because Complete came while the consult was ringing. */
  semiAttended: z.boolean(),
  phase: z.enum(transferPhases),
  target: resolvedTargetSchema.nullable(),
  legs: z.strictObject({ caller: legSchema, consult: legSchema.nullable() }),
  /** Until when Undo works (epoch ms); null outside the undo window. */
  undoDeadline: epochMs.nullable(),
  /** Why the last transfer did not complete, for the agent. */
  reason: transferReasonSchema.nullable(),
  timeline: z.array(timelineEntrySchema),
  allowedActions: z.array(z.enum(transferActions)),
  /** What "Blind" does unqualified: the agent's safe-blind setting, within what the backend can do. */
  blindDefault: z.enum(['safe', 'plain']),
  /**
   * Attended runs as the phone system's own consult on this call's leg (VoIPBIN):
   * leaving the call before the transferee answers makes it drop the caller —
   * said to the agent before they start one, and while it rings.
   */
  consultOnLeg: z.boolean(),
  /**
   * How Complete will hand the caller over, from what the caller's and the
   * transferee's phones announced (Supported, Allow); null when no attended or
   * supervised hand-over is in view.
   */
  completion: completionPlanSchema.nullable(),
  /** The agent's last transfer of this call: how it ended, to whom, and why (reason). */
  outcome: z
    .strictObject({
      result: z.enum(transferOutcomes),
      /** The target's label ("2002", "Support"). */
      target: z.string().nullable(),
      reason: transferReasonSchema.nullable(),
      at: epochMs,
    })
    .nullable(),
});
export type TransferSnapshot = z.infer<typeof transferSnapshotSchema>;

// ─── channels ───────────────────────────────────────────────────────────────

const callId = text(64);
/** Per-transfer override of preferences.transfer.safeBlind; omitted = the setting. */
const safe = z.boolean().optional();

export const blindTransferRequestSchema = z.strictObject({ callId, target: transferTargetSchema, safe });

export const attendedTransferRequestSchema = z
  .strictObject({
    callId,
    /** Dial a new consult call to this target … */
    target: transferTargetSchema.optional(),
    /** … or use one of the agent's existing calls as the consult. */
    consultCallId: callId.optional(),
    safe,
  })
  .refine((r) => (r.target === undefined) !== (r.consultCallId === undefined), {
    error: 'Give either a target to consult or the id of an existing call to transfer to, not both',
  })
  .refine((r) => r.consultCallId === undefined || r.consultCallId !== r.callId, {
    error: 'A call cannot be transferred to itself',
  });

const byCall = z.strictObject({ callId });

export const transfer = {
  list: request('transfer:list', noInput, z.array(transferSnapshotSchema)),
  blind: request('transfer:blind', blindTransferRequestSchema, transferSnapshotSchema),
  attended: request('transfer:attended', attendedTransferRequestSchema, transferSnapshotSchema),
  /** Attended: send the REFER with Replaces (or, while the consult still rings, go blind). */
  complete: request('transfer:complete', byCall, transferSnapshotSchema),
  /** Attended: end the consult and resume the caller. */
  cancel: request('transfer:cancel', byCall, transferSnapshotSchema),
  /** Attended: talk to the other leg; exactly one leg is ever unheld. */
  swap: request('transfer:swap', byCall, transferSnapshotSchema),
  /** Inside the undo window only; afterwards a typed `not-allowed`. */
  undo: request('transfer:undo', byCall, transferSnapshotSchema),
  /** preferences.transfer.incomingRefer = 'ask': the agent's answer to the far end's REFER. */
  answerRefer: request('transfer:answer-refer', z.strictObject({ callId, follow: z.boolean() }), transferSnapshotSchema),
  /** One call's transfer changed (its `done` snapshot is the last one pushed for that call). */
  changed: event('transfer:changed', transferSnapshotSchema),
} as const;
