/** targets:* → the active target provider's view (main/targets/). */
import { contract, type TargetsView } from '../../preload/contract';
import type { Router } from './router';

export function registerTargetHandlers(router: Router, targets: { view(): TargetsView }): void {
  router.handle(contract.targets.list, () => targets.view());
}
