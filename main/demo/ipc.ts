/**
 * demo:* → the demo mode (./index.ts). Payloads arrive checked against
 * preload/contract/demo.ts; failures are typed ConsoleErrors.
 */
import { contract } from '../../preload/contract';
import type { Router } from '../ipc/router';
import type { DemoMode } from './index';

export function registerDemoHandlers(router: Router, demo: DemoMode): void {
  router.handle(contract.demo.state, () => demo.view());
  router.handle(contract.demo.start, ({ pace }) => demo.start(pace));
  router.handle(contract.demo.leave, () => demo.leave());
  router.handle(contract.demo.setPace, ({ pace }) => demo.setPace(pace));
  router.handle(contract.demo.sendCaller, () => demo.sendCaller());
}
