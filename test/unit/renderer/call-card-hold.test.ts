/**
 * The call card says what the caller hears right now and how long the hold
 * has lasted ("music: Lounge", "silence", "you", and a hold timer),
 * straight from main's snapshot (holdAudio, heldSince).
 */
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import CallLeg from '../../../renderer/ui/components/calls/CallLeg.svelte';
import { callSnapshot } from '../../support/call-snapshot';

const talking: CallSnapshot = callSnapshot({ state: 'established', ring: null, answeredAt: 1_000, allowedActions: ['hangup', 'hold', 'mute', 'dtmf'] });

const hearsLine = (call: CallSnapshot, now: number) => {
  render(CallLeg, { props: { call, now, pending: false, keypadOpen: false, onaction: vi.fn(), onkeypad: vi.fn() } });
  return screen.queryByTestId('caller-hears')?.textContent ?? null;
};

describe('call card: what the caller hears, and the hold timer', () => {
  it('talking: no line (the caller hears the agent)', () => {
    expect(hearsLine(talking, 50_000)).toBeNull();
  });
  it('hold re-INVITE in flight: silence, no timer yet', () => {
    expect(hearsLine({ ...talking, holdPending: true, holdAudio: 'silence', allowedActions: ['hangup', 'mute', 'dtmf'] }, 50_000)).toBe('Caller hears silence');
  });
  it('held with music: "On hold 0:42 · Caller hears music: Lounge"', () => {
    const held: CallSnapshot = { ...talking, hold: { local: true, remote: false }, heldSince: 8_000, holdAudio: { music: 'Lounge' }, allowedActions: ['hangup', 'unhold', 'mute', 'dtmf'] };
    expect(hearsLine(held, 50_000)).toBe('On hold 0:42 · Caller hears music: Lounge');
  });
  it('held while the music could not start: the timer and "silence"', () => {
    const held: CallSnapshot = { ...talking, hold: { local: true, remote: false }, heldSince: 8_000, holdAudio: 'silence' };
    expect(hearsLine(held, 69_000)).toBe('On hold 1:01 · Caller hears silence');
  });
  it('muted while talking: silence, no hold timer', () => {
    expect(hearsLine({ ...talking, muted: true, holdAudio: 'silence' }, 50_000)).toBe('Caller hears silence');
  });
  it('the far end holds us: no music from us, no hold timer', () => {
    expect(hearsLine({ ...talking, hold: { local: false, remote: true } }, 50_000)).toBeNull();
  });
  it('a held consult leg names who hears the music — the transferee, not "the caller"', () => {
    const bob: CallSnapshot = { ...talking, remote: { number: '2001', uri: 'sip:2001@lab.test', displayName: 'Bob Lee' }, hold: { local: true, remote: false }, heldSince: 40_000, holdAudio: { music: 'Lounge' } };
    expect(hearsLine(bob, 50_000)).toBe('On hold 0:10 · Bob Lee hears music: Lounge');
  });
});
