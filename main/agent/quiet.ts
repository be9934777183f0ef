/**
 * "Quiet": the agent is away or has switched do-not-disturb on. Then no
 * notification pops up, and an incoming call either rings in the console only
 * or is refused — the agent's `quietCalls` setting. Pure, so the rule is
 * read in one place by the call guard (main/core/agent.ts) and the
 * notifications (main/desktop/notification-policy.ts).
 */
import type { AgentState } from '../../preload/contract';

export interface QuietInput {
  status: AgentState;
  doNotDisturb: boolean;
}

export const isQuiet = (q: QuietInput): boolean => q.doNotDisturb || q.status === 'away';

/**
 * What happens to a call that just arrived. An INVITE with Replaces is never
 * refused: it takes over a call the agent already has (an attended transfer
 * completing towards us, RFC 3891), and refusing it would break that call.
 */
export function incomingCallPolicy(q: QuietInput & { quietCalls: 'ring' | 'reject'; replaces: string | null }): 'ring' | 'reject' {
  if (q.replaces !== null) return 'ring';
  return isQuiet(q) && q.quietCalls === 'reject' ? 'reject' : 'ring';
}
