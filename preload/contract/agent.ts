/**
 * The agent's own status in the console (docs/desktop.md, "Agent status"):
 * available, away, or wrap-up — the after-call work that starts when the
 * agent's last call ends, for the time the preferences give, extendable and
 * ended early by the agent. Main keeps it (main/agent/), shows it in the tray,
 * records it in the history and hands it to a platform that keeps one
 * (VoIPBIN). The UI renders this view and offers exactly its `allowedActions`.
 */
import { z } from 'zod';
import { epochMs, event, noInput, request } from './define';

export const agentStates = ['available', 'away', 'wrap-up'] as const;
export type AgentState = (typeof agentStates)[number];

export const agentActions = ['available', 'away', 'wrap-up', 'extend-wrap-up', 'end-wrap-up'] as const;
export type AgentActionName = (typeof agentActions)[number];

export const agentViewSchema = z.strictObject({
  status: z.enum(agentStates),
  since: epochMs,
  /** While in wrap-up: when it ends by itself (the UI counts down to it), and why it started. */
  wrapUp: z
    .strictObject({
      startedAt: epochMs,
      endsAt: epochMs,
      /** `call-ended`: the agent's last call ended; `agent`: the agent chose it. */
      cause: z.enum(['call-ended', 'agent']),
      /** How many times the agent extended it. */
      extensions: z.number().int().nonnegative(),
    })
    .nullable(),
  /** The agent's do-not-disturb switch (preferences.agent.doNotDisturb). */
  doNotDisturb: z.boolean(),
  /** Away or do-not-disturb: no notifications, and incoming calls ring quietly in the console or are refused (`quietCalls`). */
  quiet: z.boolean(),
  quietCalls: z.enum(['ring', 'reject']),
  /**
   * The status on the targets provider's platform: `none` where the provider
   * keeps none (configured list, SIP presence), `pending` while it is being
   * set, `failed` with the platform's reason.
   */
  platform: z.strictObject({ state: z.enum(['none', 'pending', 'synced', 'failed']), message: z.string().nullable() }),
  allowedActions: z.array(z.enum(agentActions)),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const agent = {
  status: request('agent:status', noInput, agentViewSchema),
  /** Available, away, or wrap-up now; `not-allowed` when that is not in allowedActions. */
  set: request('agent:set', z.strictObject({ status: z.enum(agentStates) }), agentViewSchema),
  /** Wrap-up only: adds preferences.agent.wrapUpExtendSec to its end. */
  extendWrapUp: request('agent:extend-wrap-up', noInput, agentViewSchema),
  /** Wrap-up only: available now. */
  endWrapUp: request('agent:end-wrap-up', noInput, agentViewSchema),
  /** The do-not-disturb switch (kept in the preferences; settings:changed follows). */
  setDoNotDisturb: request('agent:set-do-not-disturb', z.strictObject({ on: z.boolean() }), agentViewSchema),
  changed: event('agent:changed', agentViewSchema),
} as const;
