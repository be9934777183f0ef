/**
 * Transfer targets as the UI sees them: the queues and colleagues the active
 * provider knows (configured addresses, a SIP platform's busy-lamp field, or
 * VoIPBIN's API), with live figures where the provider has them, and the
 * agent's own status. The UI does not know which provider is active; it
 * renders this view and drags calls onto its addresses.
 */
import { z } from 'zod';
import { epochMs, event, noInput, request } from './define';

export const presences = ['available', 'ringing', 'busy', 'away', 'offline', 'unknown'] as const;
export type Presence = (typeof presences)[number];

export const agentStatuses = ['available', 'away', 'wrap-up', 'busy', 'offline'] as const;
export type AgentStatus = (typeof agentStatuses)[number];

export const providerKinds = ['configured', 'sip', 'voipbin', 'demo'] as const;
export type ProviderKind = (typeof providerKinds)[number];

const count = z.number().int().min(0).nullable();

export const queueInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** A number or a SIP address: what a transfer to this queue dials; null when the platform's queue has none configured. */
  address: z.string().nullable(),
  /** Live figures; null where the provider has none (a configured queue). */
  waiting: count,
  longestWaitSec: count,
  availableAgents: count,
});
export type QueueInfo = z.infer<typeof queueInfoSchema>;

export const colleagueInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  presence: z.enum(presences),
});
export type ColleagueInfo = z.infer<typeof colleagueInfoSchema>;

export const targetsViewSchema = z.strictObject({
  provider: z.enum(providerKinds),
  /** live: figures arrive as they change; configured: addresses only; connecting / failed: say why in `reason`. */
  state: z.enum(['live', 'configured', 'connecting', 'failed']),
  reason: z.string().nullable(),
  queues: z.array(queueInfoSchema),
  colleagues: z.array(colleagueInfoSchema),
  /** The agent's own status where the provider keeps one; null otherwise. */
  agentStatus: z.enum(agentStatuses).nullable(),
  updatedAt: epochMs,
});
export type TargetsView = z.infer<typeof targetsViewSchema>;

export const targets = {
  list: request('targets:list', noInput, targetsViewSchema),
  /** The agent's own status on the provider's platform (available, away, wrap-up…); `not-allowed` where it keeps none. */
  setAgentStatus: request('targets:set-agent-status', z.strictObject({ status: z.enum(agentStatuses) }), targetsViewSchema),
  /** The whole view again whenever anything in it changed. */
  changed: event('targets:changed', targetsViewSchema),
} as const;
