/**
 * The account section tells the line's real outcome: after a save the form
 * shows what main's line does next (connecting, registered, or the failure
 * with what to do), not only "Account saved"; a failed line can be tried
 * again from there. Rendered as <SettingsView> over SettingsModels and a fake
 * consoleApi.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountView, LineStatus, Result, SettingsView as View } from '../../../preload/contract';
import SettingsView from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

const saved: AccountView = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', acceptSelfSigned: false, hasPassword: true };
const status = (state: LineStatus['state'], since: number, reason: LineStatus['reason'] = null): LineStatus => ({
  state,
  aor: state === 'unconfigured' ? null : saved.sipUri,
  reason,
  since,
});

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

/** Main as far as the account goes: line:status reads `line.now`, account:save stores and may move the line. */
function setup(options: { account?: AccountView | null; line?: LineStatus; onSave?: () => void; reconnect?: () => Result<LineStatus> } = {}) {
  const line = { now: options.line ?? status('unconfigured', 1) };
  const fake = fakeConsoleApi({
    account: options.account ?? null,
    preferences: basePreferences,
    answers: {
      'line:status': () => ({ ok: true, value: line.now }),
      'account:save': (): Result<View> => {
        fake.settings.account = saved;
        options.onSave?.();
        return { ok: true, value: { account: saved, preferences: fake.settings.preferences, provider: fake.settings.provider } };
      },
      ...(options.reconnect && { 'line:reconnect': options.reconnect }),
    },
  });
  const models = new SettingsModels(fake.api);
  stop = models.start();
  render(SettingsView, { models });
  return { ...fake, line, models };
}

const form = () => screen.getByRole('form', { name: 'SIP account' });
const outcome = () => screen.queryByTestId('account-line');

async function fillAndSave() {
  await fireEvent.input(screen.getByLabelText(/^WebSocket URL/), { target: { value: saved.wsUrl } });
  await fireEvent.input(screen.getByLabelText(/^SIP URI/), { target: { value: saved.sipUri } });
  await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
  await settle();
}

describe('the account section and the line', () => {
  it('says nothing about a line before an account exists', async () => {
    setup();
    await settle();
    expect(outcome()).toBeNull();
  });

  it('after a save shows the line connecting, then its failure with the cause and what to do', async () => {
    // Main restarts the line while it saves: the form reads the new state at once, before any push.
    const { emit, raw, line } = setup({ onSave: () => (line.now = status('connecting', 2)) });
    await settle();
    await fillAndSave();
    expect(within(form()).getByText('Account saved')).toBeTruthy();
    expect(raw.line.status).toHaveBeenCalledTimes(2);
    expect(outcome()?.textContent).toContain('Connecting to the SIP server…');

    await emit('line:changed', status('failed', 3, { code: 'wrong-credentials', message: 'The SIP server rejected the user name or password.' }));
    const region = within(outcome()!).getByRole('status');
    expect(region.textContent).toContain('Not registered: calls cannot come in.');
    expect(region.textContent).toContain('The SIP server rejected the user name or password.');
    expect(region.textContent).toMatch(/Check the password.*then save again/);
    expect(outcome()!.className).toContain('tone-problem');
    expect(within(outcome()!).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('shows the registered line without anything to do', async () => {
    const { emit } = setup({ account: saved, line: status('registering', 1) });
    await settle();
    expect(outcome()?.textContent).toContain('Registering 1001@pbx.example.com…');
    await emit('line:changed', status('registered', 2));
    expect(outcome()?.textContent).toContain('Registered as 1001@pbx.example.com: calls can come in.');
    expect(outcome()!.className).toContain('tone-ok');
    expect(within(outcome()!).queryByRole('button')).toBeNull();
  });

  it('does not keep showing the old line after a save: the new state is read at once', async () => {
    const { line } = setup({
      account: saved,
      line: status('failed', 1, { code: 'not-found', message: 'The SIP server does not know this address (404 Not Found).' }),
      onSave: () => (line.now = status('registering', 5)),
    });
    await settle();
    expect(outcome()?.textContent).toContain('Check the SIP URI');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(outcome()?.textContent).toContain('Registering 1001@pbx.example.com…');
    expect(outcome()?.textContent).not.toContain('404');
  });

  it('tries the line again on request, and shows main’s refusal', async () => {
    let answer: Result<LineStatus> = { ok: true, value: status('connecting', 9) };
    const { raw, emit } = setup({
      account: saved,
      line: status('failed', 1, { code: 'timeout', message: 'The SIP server did not answer the registration in time.' }),
      reconnect: () => answer,
    });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await settle();
    expect(raw.line.reconnect).toHaveBeenCalledOnce();
    expect(outcome()?.textContent).toContain('Connecting to the SIP server…');

    // Failed again, and this time main refuses (the account went away meanwhile).
    answer = { ok: false, code: 'not-configured', message: 'No SIP account is set up.' };
    await emit('line:changed', status('failed', 20, { code: 'timeout', message: 'No answer.' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await settle();
    expect(raw.line.reconnect).toHaveBeenCalledTimes(2);
    expect(outcome()?.textContent).toContain('No SIP account is set up.');
  });

  it('removing the account removes the line panel with it', async () => {
    setup({ account: saved, line: status('registered', 1) });
    await settle();
    expect(outcome()).not.toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove account' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await settle();
    expect(screen.getByText('Account removed')).toBeTruthy();
    expect(outcome()).toBeNull();
  });
});
