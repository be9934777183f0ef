/** transfer:* → the transfer service. Validation already happened in the router (contract schemas). */
import { contract } from '../../preload/contract';
import type { TransferService } from '../calls/transfer/service';
import type { Router } from './router';

export function registerTransferHandlers(router: Router, transfers: TransferService): void {
  const t = contract.transfer;
  router.handle(t.list, () => transfers.list());
  router.handle(t.blind, (req) => transfers.blind(req));
  router.handle(t.attended, (req) => transfers.attended(req));
  router.handle(t.complete, ({ callId }) => transfers.intent(callId, 'complete'));
  router.handle(t.cancel, ({ callId }) => transfers.intent(callId, 'cancel'));
  router.handle(t.swap, ({ callId }) => transfers.intent(callId, 'swap'));
  router.handle(t.undo, ({ callId }) => transfers.intent(callId, 'undo'));
  router.handle(t.answerRefer, ({ callId, follow }) => transfers.answerRefer(callId, follow));
}
