/**
 * A TransferSnapshot as main publishes it, for tests that render or read one:
 * by default call c1, answered and free, with no transfer yet — so it may
 * start any kind (`allowedActions` blind, safe-blind, attended). `over` sets
 * whatever the test is about (a phase, a target, an outcome…).
 */
import type { TransferSnapshot } from '../../preload/contract';

export function transferSnapshot(over: Partial<TransferSnapshot> = {}): TransferSnapshot {
  const callId = over.callId ?? 'c1';
  return {
    callId,
    transferId: null,
    mode: null,
    safe: false,
    semiAttended: false,
    phase: 'idle',
    target: null,
    legs: { caller: { callId, state: 'up', held: false, music: false }, consult: null },
    undoDeadline: null,
    reason: null,
    timeline: [],
    allowedActions: ['blind', 'safe-blind', 'attended'],
    blindDefault: 'safe',
    consultOnLeg: false,
    completion: null,
    outcome: null,
    ...over,
  };
}
