/**
 * A CallSnapshot as main publishes it, for tests that render or read one:
 * by default an incoming call from 2002 that is ringing loud; `over` sets
 * whatever the test is about.
 */
import type { CallSnapshot } from '../../preload/contract';

export function callSnapshot(over: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    id: 'c1',
    direction: 'incoming',
    state: 'ringing',
    remote: { number: '2002', uri: 'sip:2002@lab.test', displayName: 'Caller' },
    hold: { local: false, remote: false },
    holdPending: false,
    muted: false,
    ring: 'loud',
    startedAt: 1_000,
    answeredAt: null,
    endedAt: null,
    ended: null,
    allowedActions: ['answer', 'decline'],
    heldSince: null,
    holdAudio: 'you',
    ...over,
  };
}
