/**
 * A call that arrived by transfer says who transferred it — "Transferred to
 * you by Bob Lee" — from main's snapshot (`transferredBy`), in the agent's
 * language; an ordinary call says nothing of the kind.
 */
import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallSnapshot } from '../../../preload/contract';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import CallCard from '../../../renderer/ui/components/calls/CallCard.svelte';
import { callSnapshot } from '../../support/call-snapshot';

const bob = { number: '2001', uri: 'sip:2001@lab.test', displayName: 'Bob Lee' };

const card = (call: CallSnapshot) =>
  render(CallCard, {
    props: {
      call,
      consult: null,
      transfer: null,
      now: 5_000,
      inFlight: new Set<string>(),
      keypadFor: null,
      focused: false,
      onaction: vi.fn(),
      onkeypad: vi.fn(),
      ontransfer: vi.fn(),
      onfocus: vi.fn(),
    },
  });

afterEach(() => (locale.choice = 'en'));

describe('call card: transferred to you by …', () => {
  it('names the transferer by display name while the call rings', () => {
    card(callSnapshot({ transferredBy: bob }));
    expect(screen.getByText('Transferred to you by Bob Lee')).toBeTruthy();
  });

  it('falls back to the number when the transferer has no display name, and stays once answered', () => {
    card(callSnapshot({ state: 'established', ring: null, answeredAt: 2_000, allowedActions: ['hangup', 'hold', 'mute', 'dtmf'], transferredBy: { ...bob, displayName: null } }));
    expect(screen.getByText('Transferred to you by 2001')).toBeTruthy();
  });

  it('in German', () => {
    locale.choice = 'de';
    card(callSnapshot({ transferredBy: bob }));
    expect(screen.getByText('Von Bob Lee an Sie weitergeleitet')).toBeTruthy();
  });

  it('an ordinary call has no such line', () => {
    card(callSnapshot());
    expect(screen.queryByText(/Transferred to you/)).toBeNull();
  });
});
