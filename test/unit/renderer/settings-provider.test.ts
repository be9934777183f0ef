/**
 * Settings → Platform: choosing where targets come from (configured list,
 * SIP busy lamps, VoIPBIN), the VoIPBIN fields shown only for VoIPBIN, the
 * secret write-only (stored, replaced or removed, never on screen), main's
 * field errors under their fields, and the provider's own state.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderInput, ProviderView, Result, SettingsView as View, TargetsView } from '../../../preload/contract';
import SettingsView from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

const secret = 'pa55-W0rd-never-shown';
const storedLogin: ProviderView = { kind: 'voipbin', apiUrl: 'https://api.voipbin.net', method: 'password', username: 'dana', hasSecret: true };

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

/** Main as far as the provider goes: provider:save stores a view as main would (`answer` may refuse instead). */
function setup(options: { provider?: ProviderView; answer?: (input: ProviderInput) => Result<View> | undefined; targets?: TargetsView } = {}) {
  const sent: ProviderInput[] = [];
  const fake = fakeConsoleApi({
    preferences: basePreferences,
    answers: {
      'provider:save': (input: ProviderInput): Result<View> => {
        sent.push(input);
        const refused = options.answer?.(input);
        if (refused) return refused;
        fake.settings.provider =
          input.kind === 'voipbin'
            ? {
                kind: 'voipbin',
                apiUrl: input.apiUrl,
                method: input.login.method,
                username: input.login.method === 'password' ? input.login.username : null,
                hasSecret: (input.login.method === 'password' ? input.login.password : input.login.accessKey) !== '',
              }
            : { kind: input.kind };
        return { ok: true, value: { account: null, preferences: fake.settings.preferences, provider: fake.settings.provider } };
      },
      ...(options.targets && { 'targets:list': () => ({ ok: true, value: options.targets }) }),
    },
  });
  if (options.provider) fake.settings.provider = options.provider;
  const models = new SettingsModels(fake.api);
  stop = models.start();
  render(SettingsView, { models });
  return { ...fake, sent };
}

const radio = (name: RegExp) => within(platform()).getByRole('radio', { name }) as HTMLInputElement;
const platform = () => screen.getByRole('region', { name: 'Platform' });
/** A text field of the platform section (the account form has a password too; the radios name a user name). */
const field = (label: RegExp) => within(platform()).queryByLabelText(label, { selector: 'input:not([type="radio"])' }) as HTMLInputElement | null;
const save = async () => {
  await fireEvent.click(screen.getByRole('button', { name: 'Save platform' }));
  await settle();
};
const describedText = (el: HTMLElement) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '';
/** The secret must not be anywhere on the page: not in a field, not in text, not in an attribute. */
const secretOnPage = () =>
  [...document.querySelectorAll('input')].some((i) => i.value.includes(secret)) || document.body.outerHTML.includes(secret);

describe('the platform section', () => {
  it('shows the VoIPBIN fields only while VoIPBIN is chosen, per sign-in method', async () => {
    setup();
    await settle();
    expect(radio(/^Configured list/).checked).toBe(true);
    expect(field(/^API URL/)).toBeNull();

    await fireEvent.click(radio(/^VoIPBIN/));
    expect(field(/^API URL/)).not.toBeNull();
    expect(field(/^User name/)).not.toBeNull();
    expect(field(/^Password/)?.type).toBe('password');
    expect(field(/^Access key/)).toBeNull();

    await fireEvent.click(radio(/^Access key/));
    expect(field(/^User name/)).toBeNull();
    expect(field(/^Access key/)?.type).toBe('password');

    await fireEvent.click(radio(/^SIP platform/));
    expect(field(/^API URL/)).toBeNull();
    expect(field(/^Access key/)).toBeNull();
  });

  it('saves the SIP platform as its kind alone and confirms it', async () => {
    const { sent } = setup();
    await settle();
    await fireEvent.click(radio(/^SIP platform/));
    await save();
    expect(sent).toEqual([{ kind: 'sip' }]);
    expect(screen.getByText('Platform saved')).toBeTruthy();
  });

  it('sends a new VoIPBIN login, then shows the password as stored and never on screen', async () => {
    const { sent } = setup();
    await settle();
    await fireEvent.click(radio(/^VoIPBIN/));
    await fireEvent.input(field(/^API URL/)!, { target: { value: ' https://api.voipbin.net ' } });
    await fireEvent.input(field(/^User name/)!, { target: { value: 'dana' } });
    await fireEvent.input(field(/^Password/)!, { target: { value: secret } });
    await save();
    expect(sent).toEqual([{ kind: 'voipbin', apiUrl: 'https://api.voipbin.net', login: { method: 'password', username: 'dana', password: secret } }]);
    expect(field(/^Password/)).toBeNull();
    expect(screen.getByTestId('secret-state').textContent).toBe('Stored');
    expect(secretOnPage()).toBe(false);
    expect(screen.getByRole('button', { name: 'Replace password' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove password' })).toBeTruthy();
  });

  it('keeps a stored secret by omitting it, replaces it with what was typed, or removes it with an empty one', async () => {
    const { sent } = setup({ provider: storedLogin });
    await settle();
    expect(radio(/^VoIPBIN/).checked).toBe(true);
    expect(field(/^API URL/)?.value).toBe('https://api.voipbin.net');
    expect(field(/^Password/)).toBeNull();
    await save();
    expect(sent.at(-1)).toEqual({ kind: 'voipbin', apiUrl: 'https://api.voipbin.net', login: { method: 'password', username: 'dana' } });

    await fireEvent.click(screen.getByRole('button', { name: 'Replace password' }));
    expect(field(/^Password/)?.value).toBe('');
    expect(describedText(field(/^Password/)!)).toMatch(/Replaces the stored one/);
    await fireEvent.input(field(/^Password/)!, { target: { value: secret } });
    await save();
    expect(sent.at(-1)).toMatchObject({ login: { method: 'password', username: 'dana', password: secret } });
    expect(secretOnPage()).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove password' }));
    expect(screen.getByTestId('secret-state').textContent).toBe('To be removed');
    await save();
    expect(sent.at(-1)).toMatchObject({ login: { method: 'password', username: 'dana', password: '' } });
  });

  it('does not offer the stored secret to another login, as main does not', async () => {
    const { sent } = setup({ provider: storedLogin });
    await settle();
    await fireEvent.input(field(/^User name/)!, { target: { value: 'sam' } });
    const password = field(/^Password/);
    expect(password).not.toBeNull();
    expect(password?.value).toBe('');
    await save();
    // A new login needs its own password: caught here, focused, nothing sent.
    expect(sent).toEqual([]);
    expect(field(/^Password/)?.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(field(/^Password/)!)).toMatch(/Enter the VoIPBIN password/);
    expect(document.activeElement).toBe(field(/^Password/));

    await fireEvent.input(field(/^User name/)!, { target: { value: 'dana' } });
    expect(field(/^Password/)).toBeNull();
  });

  it("shows main's refusal under the fields it names and focuses the first", async () => {
    const { sent } = setup({
      answer: () => ({
        ok: false,
        code: 'invalid-request',
        message: 'apiUrl: Enter the API address starting with https://',
        fields: { apiUrl: 'Enter the API address starting with https://, e.g. https://api.voipbin.net', 'login.password': 'The password is limited to 512 characters' },
      }),
    });
    await settle();
    await fireEvent.click(radio(/^VoIPBIN/));
    await fireEvent.input(field(/^API URL/)!, { target: { value: 'http://api.voipbin.net' } });
    await fireEvent.input(field(/^User name/)!, { target: { value: 'dana' } });
    await fireEvent.input(field(/^Password/)!, { target: { value: 'x'.repeat(600) } });
    await save();
    expect(sent).toHaveLength(1);
    expect(field(/^API URL/)?.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(field(/^API URL/)!)).toMatch(/starting with https:\/\//);
    expect(describedText(field(/^Password/)!)).toMatch(/limited to 512/);
    expect(document.activeElement).toBe(field(/^API URL/));
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toContain('Check the highlighted fields.');
    // Fixing a field clears its message.
    await fireEvent.input(field(/^API URL/)!, { target: { value: 'https://api.voipbin.net' } });
    expect(field(/^API URL/)?.getAttribute('aria-invalid')).toBeNull();
  });

  it('catches an empty VoIPBIN address and user name before asking main', async () => {
    const { sent } = setup();
    await settle();
    await fireEvent.click(radio(/^VoIPBIN/));
    await save();
    expect(sent).toEqual([]);
    expect(describedText(field(/^API URL/)!)).toMatch(/API address/);
    expect(describedText(field(/^User name/)!)).toMatch(/user name/);
    expect(document.activeElement).toBe(field(/^API URL/));
  });

  it("tells the provider's own state: a failed platform and why", async () => {
    setup({
      provider: storedLogin,
      targets: {
        provider: 'voipbin',
        state: 'failed',
        reason: 'VoIPBIN refused the login.',
        queues: [],
        colleagues: [],
        agentStatus: null,
        updatedAt: 1,
      },
    });
    await settle();
    const status = screen.getByTestId('provider-status');
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toContain('Not connected: VoIPBIN refused the login. The configured list is used meanwhile.');
  });

  it('drops unsaved edits on request', async () => {
    const { sent } = setup({ provider: storedLogin });
    await settle();
    await fireEvent.click(radio(/^Configured list/));
    expect(field(/^API URL/)).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Undo changes to the platform' }));
    expect(radio(/^VoIPBIN/).checked).toBe(true);
    expect(field(/^API URL/)?.value).toBe('https://api.voipbin.net');
    expect(sent).toEqual([]);
  });
});
