/**
 * Snapshots for driving the built workspace without a phone system: calls and
 * transfer snapshots as main pushes them, pushed straight through the real
 * core's router into the harness page (the router validates them against the
 * contract on the way, as it does every push). For screenshots, axe checks
 * and the workspace benchmark; telephony itself is tested by the lab.
 */
import { contract, type CallSnapshot, type TransferSnapshot } from '../../preload/contract';
import type { Harness } from '../harness/index';
import { callSnapshot } from './call-snapshot';
import { transferSnapshot } from './transfer-snapshot';

export const establishedCall = (id: string, name: string, number: string, answeredAt: number, over: Partial<CallSnapshot> = {}): CallSnapshot =>
  callSnapshot({
    id,
    state: 'established',
    ring: null,
    remote: { number, uri: `sip:${number}@pbx.example.com`, displayName: name },
    startedAt: answeredAt - 4000,
    answeredAt,
    allowedActions: ['hangup', 'hold', 'mute', 'dtmf'],
    ...over,
  });

export const idleTransfer = (callId: string, allowedActions: TransferSnapshot['allowedActions'] = ['blind', 'safe-blind', 'attended']): TransferSnapshot =>
  transferSnapshot({ callId, allowedActions });

/** Pushes a call list and each call's transfer snapshot as main would. */
export function pushWorkspace(h: Harness, calls: CallSnapshot[], transfers: TransferSnapshot[] = []): void {
  const router = h.core.router as unknown as { push: (channel: unknown, payload: unknown) => void };
  for (const t of transfers) router.push(contract.transfer.changed, t);
  router.push(contract.calls.changed, calls);
}
