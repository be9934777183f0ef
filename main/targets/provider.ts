/**
 * The provider port: where the console learns its transfer targets — queues
 * (with waiting callers, longest wait and available agents where known),
 * colleagues with their presence, and the agent's own status — and,
 * optionally, a transfer backend that carries transfers out through the
 * provider's platform instead of SIP REFER. The UI, the history and the
 * transfer machine never know which provider is active: the composition root
 * picks one from the settings and publishes its view (docs/architecture.md).
 *
 * Providers: configured addresses (configured.ts), a SIP platform's busy-lamp
 * field and presence (main/sip/), VoIPBIN's REST and event API (main/platform/voipbin/).
 */
import type { AgentStatus, TargetsView } from '../../preload/contract/targets';
import type { TransferBackend } from '../calls/transfer/backend';

export interface TargetProvider {
  readonly kind: TargetsView['provider'];
  /** The current view; never throws (a provider that cannot reach its platform says so in `state`/`reason`). */
  view(): TargetsView;
  /** Every change of the view, in order; returns the unsubscribe. */
  onChange(listener: (view: TargetsView) => void): () => void;
  /** Set the agent's own status on the platform; absent where the provider keeps none. */
  setAgentStatus?(status: AgentStatus): Promise<void>;
  /** Transfers through the platform instead of SIP REFER; absent: the SIP backend is used. */
  readonly transferBackend?: TransferBackend;
  start(): void;
  /** Unsubscribe, close sockets, cancel timers. Safe to call twice. */
  stop(): Promise<void>;
}
