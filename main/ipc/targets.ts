/** targets:* → the active target provider (main/core/targets.ts). */
import { contract, type AgentStatus, type TargetsView } from '../../preload/contract';
import type { Router } from './router';

export function registerTargetHandlers(router: Router, targets: { view(): TargetsView; setAgentStatus(status: AgentStatus): Promise<void> }): void {
  router.handle(contract.targets.list, () => targets.view());
  router.handle(contract.targets.setAgentStatus, async ({ status }) => {
    await targets.setAgentStatus(status);
    return targets.view();
  });
}
