import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { LineStatus } from '../../../preload/contract';
import LineIndicator from '../../../renderer/ui/components/LineIndicator.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import { describeLine, describeLineOutcome } from '../../../renderer/ui/state/line-view';

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

describe('the line as the account form tells it', () => {
  afterEach(() => {
    locale.choice = 'system';
  });

  it('has nothing to say before a status or without an account', () => {
    expect(describeLineOutcome(null)).toBeNull();
    expect(describeLineOutcome({ ...status('unconfigured'), aor: null })).toBeNull();
  });

  it.each([
    ['wrong-credentials', /Check the password/],
    ['forbidden', /Ask your telephony administrator/],
    ['not-found', /Check the SIP URI/],
    ['timeout', /did not answer in time/],
    ['unreachable', /Check the WebSocket URL and your network/],
    ['tls', /custom CA certificate/],
    ['server-error', /Try again in a moment/],
    ['no-password', /Enter the password/],
  ] as const)('a %s failure says what to do (%s), with main’s cause and a retry', (code, advice) => {
    const outcome = describeLineOutcome(status('failed', { code, message: `main says ${code}` }));
    expect(outcome).toMatchObject({ tone: 'problem', title: 'Not registered: calls cannot come in.', cause: `main says ${code}`, canRetry: true });
    expect(outcome?.advice).toMatch(advice);
  });

  it.each([
    [status('connecting'), 'busy', 'Connecting to the SIP server…', false],
    [status('registering'), 'busy', 'Registering 1001@pbx.example.com…', false],
    [status('registered'), 'ok', 'Registered as 1001@pbx.example.com: calls can come in.', false],
    [status('reconnecting', { code: 'unreachable', message: 'socket closed' }), 'busy', 'Connection lost: reconnecting…', false],
    [status('unregistered'), 'idle', 'The account is saved, but the line is not running.', true],
  ] as const)('%j reads %s: %s', (s, tone, title, canRetry) => {
    expect(describeLineOutcome(s)).toMatchObject({ tone, title, canRetry });
  });

  it('speaks the chosen language, keeping main’s own words for the cause', () => {
    locale.choice = 'de';
    expect(describeLine(status('registered')).label).toBe('Bereit · 1001@pbx.example.com');
    const outcome = describeLineOutcome(status('failed', { code: 'not-found', message: 'The SIP server does not know this address (404 Not Found).' }));
    expect(outcome?.title).toBe('Nicht angemeldet: Es können keine Anrufe eingehen.');
    expect(outcome?.advice).toMatch(/Prüfen Sie die SIP-URI/);
    expect(outcome?.cause).toMatch(/404 Not Found/);
  });
});
