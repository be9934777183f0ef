/** line:* → the SIP line as the core runs it (main/core/telephony.ts). */
import { contract, type LineStatus } from '../../preload/contract';
import type { Router } from './router';

export function registerLineHandlers(router: Router, line: { lineStatus(): LineStatus; reconnect(): LineStatus }): void {
  router.handle(contract.line.status, () => line.lineStatus());
  router.handle(contract.line.reconnect, () => line.reconnect());
}
