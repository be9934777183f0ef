import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { LineStatus } from '../../../preload/contract';
import LineIndicator from '../../../renderer/ui/components/LineIndicator.svelte';
import { describeLine } from '../../../renderer/ui/state/line-view';

const status = (state: LineStatus['state'], reason: LineStatus['reason'] = null): LineStatus => ({
  state,
  aor: 'sip:1001@pbx.example.com',
  reason,
  since: 1,
});

describe('line status wording', () => {
  it.each([
    [null, 'Starting…', 'idle'],
    [status('unconfigured'), 'No SIP account', 'idle'],
    [status('unregistered'), 'Not registered', 'idle'],
    [status('connecting'), 'Connecting…', 'busy'],
    [status('registering'), 'Registering…', 'busy'],
    [status('registered'), 'Ready · 1001@pbx.example.com', 'ok'],
    [status('reconnecting', { code: 'unreachable', message: 'server unreachable' }), 'Reconnecting…', 'busy'],
    [status('failed', { code: 'wrong-credentials', message: 'Wrong password' }), 'Line down · Wrong password', 'problem'],
  ] as const)('%j reads %s (%s)', (s, label, tone) => {
    const view = describeLine(s);
    expect(view.label).toBe(label);
    expect(view.tone).toBe(tone);
    expect(view.detail).toMatch(/^Line status: /);
  });
});

describe('<LineIndicator>', () => {
  it('says the state in text inside a polite live region (never colour alone)', () => {
    render(LineIndicator, { view: describeLine(status('failed', { code: 'timeout', message: 'No answer from the server' })) });
    const region = screen.getByRole('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.getAttribute('aria-atomic')).toBe('true');
    expect(region.textContent).toContain('Line down · No answer from the server');
    expect(region.textContent).toContain('Line status: not registered — No answer from the server.');
    expect(region.className).toContain('tone-problem');
  });

  it('updates its text in place when the status changes', async () => {
    const { rerender } = render(LineIndicator, { view: describeLine(status('registering')) });
    const region = screen.getByRole('status');
    expect(region.textContent).toContain('Registering…');
    await rerender({ view: describeLine(status('registered')) });
    // Same element: screen readers announce the change in the existing live region.
    expect(screen.getByRole('status')).toBe(region);
    expect(region.textContent).toContain('Ready · 1001@pbx.example.com');
    expect(region.className).toContain('tone-ok');
  });
});
