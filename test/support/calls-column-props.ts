/**
 * The props the calls column (renderer/ui/components/calls/CallsColumn.svelte)
 * takes, for tests that render it on its own: the groups of `calls`, an idle
 * dialer, no keypad or focus request, and a spy for every callback.
 */
import { vi } from 'vitest';
import type { CallSnapshot, TransferSnapshot } from '../../preload/contract';
import { groupCalls } from '../../renderer/ui/state/call-view';
import type { FocusTarget } from '../../renderer/ui/state/calls.svelte';

export interface CallsColumnOptions {
  transfers?: Record<string, TransferSnapshot>;
  error?: string | null;
  canDial?: boolean;
  target?: string;
  focusRequest?: FocusTarget | null;
}

export function callsColumnProps(calls: CallSnapshot[], o: CallsColumnOptions = {}) {
  return {
    groups: groupCalls(calls, o.transfers ?? {}),
    now: 66_000,
    target: o.target ?? '',
    error: o.error ?? null,
    canDial: o.canDial ?? true,
    dialling: false,
    inFlight: new Set<string>(),
    keypadFor: null as string | null,
    focusedId: null,
    focusRequest: o.focusRequest ?? null,
    ontarget: vi.fn(),
    ondial: vi.fn(),
    onaction: vi.fn(),
    onkeypad: vi.fn(),
    ontransfer: vi.fn(),
    onfocus: vi.fn(),
    onfocused: vi.fn(),
  };
}
