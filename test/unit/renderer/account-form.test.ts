/**
 * The SIP account form against a fake consoleApi: client checks after blur and
 * on submit, main's per-field messages shown under the right input, the
 * password write-only with a "saved" state.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { AccountInput, Result, SettingsView } from '../../../preload/contract';
import App from '../../../renderer/ui/App.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

const preferences = basePreferences;

/** The shell answered for real (a notice to dismiss, `account` saved), account:save answered by the test. */
function fakeApi(saveAccount: (input: AccountInput) => Promise<Result<SettingsView>>, account: SettingsView['account'] = null) {
  return fakeConsoleApi({
    account,
    preferences,
    notices: [{ id: 'n1', level: 'warning', message: 'Settings kept aside', at: 1 }],
    answers: { 'account:save': saveAccount },
  });
}

const input = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const errorOf = (el: HTMLElement) => {
  const id = el.getAttribute('aria-describedby')?.split(' ')[0];
  return id ? document.getElementById(id)?.textContent : undefined;
};
const type = async (label: string | RegExp, value: string) => {
  await fireEvent.input(input(label), { target: { value } });
};

describe('SIP account form', () => {
  it('labels every input and opens on Settings when no account exists', async () => {
    render(App, { api: fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' })).api });
    await settle();
    for (const label of ['WebSocket URL', 'SIP URI', 'Authorization user', 'Password', 'Display name']) {
      expect(input(new RegExp(`^${label}`)).tagName).toBe('INPUT');
    }
    expect(screen.getByRole('switch', { name: /self-signed certificates.*lab servers only/i })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Settings' }).getAttribute('aria-current')).toBe('page');
  });

  it('shows client checks under each field on submit, focuses the first, and sends nothing', async () => {
    const { api, raw } = fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' }));
    render(App, { api });
    await settle();
    await type(/^WebSocket URL/, 'http://pbx.example.com');
    await type(/^SIP URI/, 'pbx.example.com');
    await fireEvent.submit(screen.getByRole('button', { name: 'Save account' }).closest('form')!);
    await settle();
    expect(raw.settings.saveAccount).not.toHaveBeenCalled();
    expect(input(/^WebSocket URL/).getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(input(/^WebSocket URL/))).toMatch(/Must start with wss:\/\//);
    expect(errorOf(input(/^SIP URI/))).toMatch(/sip:1001@pbx\.example\.com/);
    expect(input(/^Display name/).getAttribute('aria-invalid')).toBeNull();
    expect(document.activeElement).toBe(input(/^WebSocket URL/));
  });

  it('checks a field when the agent leaves it, not while typing, and clears the message once fixed', async () => {
    render(App, { api: fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' })).api });
    await settle();
    await type(/^SIP URI/, 'sip:');
    expect(input(/^SIP URI/).getAttribute('aria-invalid')).toBeNull();
    await fireEvent.blur(input(/^SIP URI/));
    expect(input(/^SIP URI/).getAttribute('aria-invalid')).toBe('true');
    await type(/^SIP URI/, 'sip:1001@pbx.example.com');
    expect(input(/^SIP URI/).getAttribute('aria-invalid')).toBeNull();
    expect(errorOf(input(/^SIP URI/))).toMatch(/Your address/);
  });

  it("shows main's field messages under the matching inputs", async () => {
    const { api } = fakeApi(async () => ({
      ok: false,
      code: 'invalid-request',
      message: 'wsUrl: Enter a WebSocket address…',
      fields: { wsUrl: 'Enter a WebSocket address starting with wss://', displayName: 'Display name is limited to 128 characters' },
    }));
    render(App, { api });
    await settle();
    await type(/^WebSocket URL/, 'wss://pbx.example.com/ws');
    await type(/^SIP URI/, 'sip:1@pbx.example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(errorOf(input(/^WebSocket URL/))).toBe('⚠Enter a WebSocket address starting with wss://');
    expect(errorOf(input(/^Display name/))).toMatch(/limited to 128/);
    expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('Check the highlighted fields'))).toBe(true);
  });

  it('shows a storage refusal of the password under the password field', async () => {
    const { api } = fakeApi(async () => ({
      ok: false,
      code: 'storage',
      message: 'This computer offers no secure storage for the SIP password; nothing was saved.',
      fields: { password: 'Cannot be stored: no secure storage (OS keyring) on this computer' },
    }));
    render(App, { api });
    await settle();
    await type(/^WebSocket URL/, 'wss://pbx.example.com/ws');
    await type(/^SIP URI/, 'sip:1@pbx.example.com');
    await type(/^Password/, 'pw');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(errorOf(input(/^Password/))).toMatch(/no secure storage/);
    expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('nothing was saved'))).toBe(true);
    expect(document.activeElement).toBe(input(/^Password/));
  });

  it('sends trimmed values, omits an empty password (keep the saved one), and shows the saved state', async () => {
    let sent: AccountInput | undefined;
    const { api } = fakeApi(async (i) => {
      sent = i;
      return {
        ok: true,
        value: { account: { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1@pbx.example.com', acceptSelfSigned: false, hasPassword: true }, preferences, provider: { kind: 'configured' } },
      };
    }, { wsUrl: 'wss://old/ws', sipUri: 'sip:1@old', acceptSelfSigned: false, hasPassword: true });
    render(App, { api });
    await settle();
    // With an account the console opens on Calls.
    expect(screen.getByRole('button', { name: 'Calls' }).getAttribute('aria-current')).toBe('page');
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(input(/^WebSocket URL/).value).toBe('wss://old/ws');
    expect(screen.getByTestId('password-saved').textContent).toBe('Saved');
    expect(input(/^Password/).value).toBe('');

    await type(/^WebSocket URL/, '  wss://pbx.example.com/ws ');
    await type(/^SIP URI/, 'sip:1@pbx.example.com');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(sent).toEqual({ wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1@pbx.example.com', authorizationUser: '', displayName: '', acceptSelfSigned: false });
    expect(screen.getByText('Account saved')).toBeTruthy();
  });

  it('has a labelled CA certificate path under the self-signed switch, with its hint, checked on blur', async () => {
    render(App, { api: fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' })).api });
    await settle();
    const ca = input(/^Custom CA certificate \(PEM\)/);
    expect(ca.tagName).toBe('INPUT');
    expect(ca.maxLength).toBe(1024);
    expect(errorOf(ca)).toBe('For a server whose certificate your company signs itself. Leave empty for public certificates.');
    // Tab order follows the screen: switch, then the CA path.
    const focusables = [...document.querySelectorAll<HTMLElement>('form input')];
    expect(focusables.indexOf(ca)).toBe(focusables.indexOf(screen.getByRole('switch', { name: /self-signed certificates/i })) + 1);

    await type(/^WebSocket URL/, 'ws://lab.example.com:5066');
    await type(/^Custom CA certificate/, 'certs/ca.pem');
    await fireEvent.blur(ca);
    expect(ca.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(ca)).toMatch(/full path/);
    await type(/^Custom CA certificate/, '/etc/ssl/ca.pem');
    expect(errorOf(ca)).toMatch(/only with wss:\/\//);
    await type(/^WebSocket URL/, 'wss://lab.example.com:8089/ws');
    await fireEvent.blur(input(/^WebSocket URL/));
    await type(/^Custom CA certificate/, '/etc/ssl/ca.pem');
    expect(ca.getAttribute('aria-invalid')).toBeNull();
  });

  it("sends the CA path, shows main's refusal under it and focuses it, and shows a saved path back", async () => {
    const sent: AccountInput[] = [];
    const answers: Array<Result<SettingsView>> = [
      {
        ok: false,
        code: 'invalid-request',
        message: 'This file holds no PEM certificate',
        fields: { caFile: 'This file holds no PEM certificate (a “-----BEGIN CERTIFICATE-----” block); export the CA as PEM.' },
      },
      {
        ok: true,
        value: {
          account: { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1@pbx.example.com', acceptSelfSigned: false, caFile: '/etc/ssl/corp.pem', hasPassword: false },
          preferences,
          provider: { kind: 'configured' },
        },
      },
    ];
    const { api } = fakeApi(async (i) => {
      sent.push(i);
      return answers.shift()!;
    });
    render(App, { api });
    await settle();
    await type(/^WebSocket URL/, 'wss://pbx.example.com/ws');
    await type(/^SIP URI/, 'sip:1@pbx.example.com');
    await type(/^Custom CA certificate/, '  /etc/ssl/corp.txt ');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(sent[0]).toMatchObject({ caFile: '/etc/ssl/corp.txt' });
    const ca = input(/^Custom CA certificate/);
    expect(errorOf(ca)).toMatch(/^⚠This file holds no PEM certificate/);
    expect(ca.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(ca);
    expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('Check the highlighted fields'))).toBe(true);

    await type(/^Custom CA certificate/, '/etc/ssl/corp.pem');
    await fireEvent.click(screen.getByRole('button', { name: 'Save account' }));
    await settle();
    expect(sent[1]).toMatchObject({ caFile: '/etc/ssl/corp.pem' });
    expect(input(/^Custom CA certificate/).value).toBe('/etc/ssl/corp.pem');
    expect(screen.getByText('Account saved')).toBeTruthy();
  });

  it('asks before removing the account, and cancelling keeps it', async () => {
    const { api, raw } = fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' }), {
      wsUrl: 'wss://pbx/ws',
      sipUri: 'sip:1@pbx',
      acceptSelfSigned: false,
      hasPassword: true,
    });
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove account' }));
    expect(raw.settings.removeAccount).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(raw.settings.removeAccount).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove account' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await settle();
    expect(raw.settings.removeAccount).toHaveBeenCalledOnce();
    expect(screen.getByText('Account removed')).toBeTruthy();
    expect(input(/^WebSocket URL/).value).toBe('');
    expect(screen.queryByTestId('password-saved')).toBeNull();
  });

  it('dismisses a notice and unsubscribes everything on unmount', async () => {
    const { api, raw, unsubscribes, subscriptions } = fakeApi(async () => ({ ok: false, code: 'internal', message: 'x' }));
    const { unmount } = render(App, { api });
    await settle();
    expect(screen.getByText('Settings kept aside')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: /Dismiss notice/ }));
    await settle();
    expect(raw.app.dismissNotice).toHaveBeenCalledWith('n1');
    expect(screen.queryByText('Settings kept aside')).toBeNull();
    unmount();
    // Every subscription the window made (line, notices, settings, and any panel's) is released.
    expect(subscriptions()).toBeGreaterThanOrEqual(3);
    expect(unsubscribes).toHaveBeenCalledTimes(subscriptions());
  });
});

describe('account checks before save', () => {
  it('flag a line break in the display name or authorization user, and quotes in the authorization user, before main sees them', async () => {
    const { checkAccount } = await import('../../../renderer/ui/state/account-checks');
    const base = { wsUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', authorizationUser: '', password: '', displayName: '', acceptSelfSigned: false, caFile: '' };
    expect(checkAccount({ ...base, displayName: 'Dana\r\nX-Evil: 1' }).displayName).toMatch(/control characters/);
    expect(checkAccount({ ...base, authorizationUser: '1001\r\n' }).authorizationUser).toMatch(/control characters/);
    expect(checkAccount({ ...base, authorizationUser: '10"01' }).authorizationUser).toMatch(/quotes/);
    expect(checkAccount(base)).toEqual({});
  });
});
