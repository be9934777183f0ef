/**
 * The built UI in Debian Chromium, talking to the REAL core through the
 * headless harness. Needs `npx electron-vite build` first (npm test does it).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preferences } from '../../preload/contract';
import { startHarness, type Harness } from '../harness/index';
import { expectNoSeriousA11yViolations } from '../support/a11y';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { expectScreenshot } from './baseline';
import { uiUnbuilt } from '../harness/built';

/** Skipped LOUDLY when the pages are not built (test/harness/built.ts). */
const unbuilt = uiUnbuilt();
let harness: Harness;
let dataDir: string;
const savedPreferences = () => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).preferences as Preferences;

describe.skipIf(unbuilt)('UI shell in Chromium through the real core', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-shell-'));
    harness = await startHarness({ dataDir, viewport: { width: 1024, height: 640 } });
  });
  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the line status as text, in a live region, and opens on Settings when no account exists', async () => {
    const status = harness.ui.getByTestId('line-status');
    await expect.poll(() => status.textContent()).toContain('No SIP account');
    expect(await status.getAttribute('role')).toBe('status');
    expect(await status.getAttribute('aria-live')).toBe('polite');
    expect(await harness.ui.getByRole('button', { name: 'Settings', exact: true }).getAttribute('aria-current')).toBe('page');
    await expectNoSeriousA11yViolations(harness.ui);
  });

  it('shows inline validation for a bad URL and focuses the field to fix', async () => {
    const ui = harness.ui;
    await ui.getByLabel('WebSocket URL').fill('https://pbx.example.com/ws');
    await ui.getByLabel('SIP URI').fill('sip:1001@pbx.example.com');
    await ui.getByRole('button', { name: 'Save account' }).click();
    const url = ui.getByLabel('WebSocket URL');
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await url.getAttribute('aria-describedby')) ?? '';
    expect(await ui.locator(`[id="${describedBy.split(' ')[0]}"]`).textContent()).toMatch(/wss:\/\//);
    expect(await ui.evaluate(() => document.activeElement?.id)).toBe('account-wsUrl');
    expect(await ui.getByLabel('SIP URI').getAttribute('aria-invalid')).toBeNull();
    // Nothing reached disk.
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).account).toBeNull();
    await harness.screenshot('shell-invalid-url');
    await expectNoSeriousA11yViolations(harness.ui);
  });

  it("shows main's own field message when main refuses what the client let through", async () => {
    const ui = harness.ui;
    // A host-less ws URL passes the quick client check but not main's schema.
    await ui.getByLabel('WebSocket URL').fill('ws://:5066');
    await ui.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => ui.getByRole('alert').first().textContent()).toMatch(/highlighted fields/);
    expect(await ui.locator('#account-wsUrl-error').textContent()).toMatch(/WebSocket address/);
  });

  it('saves a SIP account through the real core: settings.json has it, and no plain password', async () => {
    const ui = harness.ui;
    await ui.getByLabel('WebSocket URL').fill('wss://pbx.example.com:8089/ws');
    await ui.getByLabel('SIP URI').fill('sip:1001@pbx.example.com');
    await ui.getByLabel('Display name').fill('Dana Agent');
    await ui.getByLabel('Authorization user').fill('1001');
    await ui.getByLabel('Password').fill('s3cret-Pa55word');
    // Keyboard: the self-signed switch toggles with Space and submit works with Enter.
    await ui.getByRole('switch', { name: /self-signed/i }).focus();
    await ui.keyboard.press('Space');
    await ui.getByLabel('Password').press('Enter');

    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Account saved' }).count()).toBe(1);
    const file = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(file).account).toMatchObject({
      wsUrl: 'wss://pbx.example.com:8089/ws',
      sipUri: 'sip:1001@pbx.example.com',
      displayName: 'Dana Agent',
      authorizationUser: '1001',
      acceptSelfSigned: true,
      passwordSealed: expect.any(String),
    });
    expect(file).not.toContain('s3cret-Pa55word');
    expect(harness.core.settings.password()).toBe('s3cret-Pa55word');

    // The password field is write-only: empty again, with a "saved" state.
    expect(await ui.getByLabel('Password').inputValue()).toBe('');
    expect(await ui.getByTestId('password-saved').textContent()).toBe('Saved');
    // The line status followed main's push.
    await expect.poll(() => ui.getByTestId('line-status').textContent()).toContain('Not registered');
    await expectNoSeriousA11yViolations(harness.ui);
    await expectScreenshot(harness, 'shell-settings-saved');
  });

  it("refuses a CA file that is not PEM under its field (main's check, nothing saved), then saves a real one", async () => {
    const ui = harness.ui;
    const ca = ui.getByLabel(/Custom CA certificate \(PEM\)/);
    const describedText = async () => ui.locator(`[id="${((await ca.getAttribute('aria-describedby')) ?? '').split(' ')[0]}"]`).textContent();
    expect(await describedText()).toMatch(/company signs itself\. Leave empty for public certificates/);
    const notPem = join(dataDir, 'ca.txt');
    writeFileSync(notPem, 'not a certificate');
    await ca.fill(notPem);
    await ui.getByRole('button', { name: 'Save account' }).click();
    await expect.poll(() => ca.getAttribute('aria-invalid')).toBe('true');
    expect(await describedText()).toMatch(/no PEM certificate/);
    expect(await ui.evaluate(() => document.activeElement?.id)).toBe('account-caFile');
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).account).not.toHaveProperty('caFile');
    await harness.screenshot('shell-ca-file-refused');
    await expectNoSeriousA11yViolations(harness.ui);

    const pem = join(dataDir, 'company-ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk\n-----END CERTIFICATE-----\n');
    await ca.fill(pem);
    await ca.press('Enter');
    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Account saved' }).count()).toBe(1);
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).account.caFile).toBe(pem);
    expect(await ca.inputValue()).toBe(pem);
    expect(await ca.getAttribute('aria-invalid')).toBeNull();
  });

  it('works at 720x480 without horizontal scrolling', async () => {
    const ui = harness.ui;
    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    await harness.screenshot('shell-settings-720x480');
    await ui.getByRole('button', { name: 'Calls', exact: true }).click();
    await expect.poll(() => ui.getByRole('heading', { name: 'No calls' }).count()).toBe(1);
    await harness.screenshot('shell-calls-720x480');
    await ui.setViewportSize({ width: 1024, height: 640 });
  });

  it('is keyboard operable: Tab visits nav, every field, the switch and the actions in order, with a visible focus ring', async () => {
    const ui = harness.ui;
    await ui.getByRole('button', { name: 'Settings', exact: true }).click();
    await ui.getByRole('button', { name: 'Calls', exact: true }).focus();
    const order: string[] = [];
    for (let i = 0; i < 22; i++) {
      await ui.keyboard.press('Tab');
      order.push(
        await ui.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return '';
          const style = getComputedStyle(el);
          // A focus indicator must exist: an outline (ours) or, for the switch, the same outline.
          if (style.outlineStyle === 'none' || style.outlineWidth === '0px') return `NO-FOCUS-RING:${el.id || el.textContent}`;
          return el.id || el.textContent?.trim() || el.tagName;
        }),
      );
    }
    expect(order).toEqual([
      'History',
      'Settings',
      // The agent's own status in the header.
      'agent-status-choice',
      // The settings contents, then the sections in the same order.
      'SIP account',
      'Platform',
      'Queues and colleagues',
      'Workspace',
      'After-call work',
      'Audio and hold music',
      'Transfers',
      'Appearance',
      'Desktop',
      'account-wsUrl',
      'account-sipUri',
      'account-displayName',
      'account-authorizationUser',
      'account-password',
      'account-acceptSelfSigned',
      'account-caFile',
      'Save account',
      'Remove account',
      // The line's outcome beside the form: without a media host here the line does not run.
      'Try again',
    ]);
  });

  it('has no accessibility violations at all in the settings view, light and dark, by the OS or by choice', async () => {
    const ui = harness.ui;
    const settings = '[data-section="settings"]';
    const page = () => ui.evaluate(() => getComputedStyle(document.querySelector('[data-section="settings"]')!).backgroundColor);
    const appearance = ui.getByRole('region', { name: 'Appearance' });
    await ui.emulateMedia({ colorScheme: 'light' });
    const light = await page();
    await expectNoA11yViolations(ui, settings);

    // The OS turns dark: the console follows while the choice is "Like the system".
    await ui.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(page).not.toBe(light);
    const dark = await page();
    await expectNoA11yViolations(ui, settings);
    await harness.screenshot('settings-dark-system');

    // The agent's choice wins over the OS, either way, and lands in settings.json.
    const theme = appearance.getByRole('radiogroup', { name: 'Theme' });
    await theme.getByRole('radio', { name: /^Light/ }).check();
    await expect.poll(page).toBe(light);
    await expect.poll(() => savedPreferences().appearance.theme).toBe('light');
    expect(await ui.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await expectNoA11yViolations(ui, settings);
    await ui.emulateMedia({ colorScheme: 'light' });
    await theme.getByRole('radio', { name: /^Dark/ }).check();
    await expect.poll(page).toBe(dark);
    await expectNoA11yViolations(ui, settings);
    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    await harness.screenshot('settings-dark-720x480');
    await ui.setViewportSize({ width: 1024, height: 640 });

    await theme.getByRole('radio', { name: /^Like the system/ }).check();
    await expect.poll(page).toBe(light);
    await expect.poll(() => savedPreferences().appearance.theme).toBe('system');
  });

  it('speaks German when chosen, in every view, and still after a reload', async () => {
    const ui = harness.ui;
    await ui.getByRole('region', { name: 'Appearance' }).getByRole('radio', { name: /^Deutsch/ }).check();
    await expect.poll(() => ui.getByRole('button', { name: 'Einstellungen', exact: true }).count()).toBe(1);
    expect(await ui.evaluate(() => document.documentElement.lang)).toBe('de');
    await expect.poll(() => savedPreferences().appearance.language).toBe('de');
    expect(await ui.getByRole('heading', { name: 'SIP-Konto' }).count()).toBe(1);
    await expectNoA11yViolations(ui, '[data-section="settings"]');

    await ui.reload();
    await expect.poll(() => ui.getByTestId('line-status').textContent()).toContain('Nicht angemeldet');
    await ui.getByRole('button', { name: 'Einstellungen', exact: true }).click();
    await ui.getByRole('region', { name: 'Darstellung' }).getByRole('radio', { name: /^English/ }).check();
    await expect.poll(() => ui.getByRole('button', { name: 'Settings', exact: true }).count()).toBe(1);
    expect(await ui.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('saves configured queues through the real core, and shows its refusal under the cell', async () => {
    const ui = harness.ui;
    const queues = ui.getByRole('region', { name: 'Queues and colleagues' });
    await queues.getByRole('button', { name: 'Add queue' }).click();
    // The new row's name has the focus: type straight away.
    await ui.keyboard.type('Sales');
    await ui.getByLabel('Queue 1: number or SIP address').fill('not an address');
    await queues.getByRole('button', { name: 'Save queues' }).click();
    const address = ui.getByLabel('Queue 1: number or SIP address');
    await expect.poll(() => address.getAttribute('aria-invalid')).toBe('true');
    expect(await ui.locator(`[id="${await address.getAttribute('aria-describedby')}"]`).textContent()).toMatch(/number.*or a SIP address/);
    expect(savedPreferences().targets.queues).toEqual([]);
    // A refused row reads well in both themes too.
    for (const colorScheme of ['dark', 'light'] as const) {
      await ui.emulateMedia({ colorScheme });
      await expectNoA11yViolations(ui, '[data-section="settings"]');
    }
    await queues.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await harness.screenshot('settings-queues-refused');

    await address.fill('2001');
    await queues.getByRole('button', { name: 'Save queues' }).click();
    await expect.poll(() => savedPreferences().targets.queues).toEqual([{ name: 'Sales', address: '2001' }]);
    expect(await address.getAttribute('aria-invalid')).toBeNull();
  });

  it('saves a VoIPBIN login with its password sealed, shown as stored and never again', async () => {
    const ui = harness.ui;
    const platform = ui.getByRole('region', { name: 'Platform' });
    await platform.getByRole('radio', { name: /^VoIPBIN/ }).check();
    // A local address that refuses at once: the provider fails fast and says so.
    await platform.getByLabel('API URL').fill('http://127.0.0.1:9');
    // By id: the sign-in choices ("User name and password") share these labels' words.
    await platform.locator('#provider-username').fill('dana');
    await platform.locator('#provider-secret').fill('v0ip-S3cret');
    await platform.getByRole('button', { name: 'Save platform' }).click();
    await expect.poll(() => platform.getByTestId('secret-state').textContent()).toBe('Stored');
    const file = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(file).provider).toMatchObject({ kind: 'voipbin', apiUrl: 'http://127.0.0.1:9', method: 'password', username: 'dana', secretSealed: expect.any(String) });
    expect(file).not.toContain('v0ip-S3cret');
    expect(await ui.content()).not.toContain('v0ip-S3cret');
    await expect.poll(() => platform.getByTestId('provider-status').textContent(), { timeout: 15_000 }).toMatch(/Not connected/);
    for (const colorScheme of ['dark', 'light'] as const) {
      await ui.emulateMedia({ colorScheme });
      await expectNoA11yViolations(ui, '[data-section="settings"]');
    }
    await platform.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await harness.screenshot('settings-platform-voipbin');

    // Back to the configured list for the tests after this one.
    await platform.getByRole('radio', { name: /^Configured list/ }).check();
    await platform.getByRole('button', { name: 'Save platform' }).click();
    await expect.poll(() => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).provider.kind).toBe('configured');
  });

  it('refuses the API from a subframe even on our own origin', async () => {
    const ui = harness.ui;
    await ui.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      frame.title = 'probe';
      document.body.append(frame);
      return new Promise((r) => frame.addEventListener('load', r));
    }, `${harness.origin}/ui/index.html?probe`);
    const child = ui.frames().find((f) => f !== ui.mainFrame());
    expect(child).toBeDefined();
    const result = await child!.evaluate(() => window.consoleApi.settings.get());
    expect(result).toMatchObject({ ok: false, code: 'untrusted-sender' });
    await ui.evaluate(() => document.querySelector('iframe[title=probe]')?.remove());
  });
});

describe.skipIf(unbuilt)('UI shell: a settings file kept aside', () => {
  let h: Harness | undefined;
  let dir: string;
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the agent in a dismissable banner, and the old file is still there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ui-notice-'));
    writeFileSync(join(dir, 'settings.json'), '{"schemaVersion": 1, "account": {"wsUrl": "wss://pbx');
    h = await startHarness({ dataDir: dir, viewport: { width: 1024, height: 640 } });
    const banner = h.ui.getByRole('region', { name: 'Notices' });
    await expect.poll(() => banner.textContent()).toMatch(/settings could not be read.*kept as/);
    expect(readdirSync(dir).some((n) => n.startsWith('settings.json.corrupt-'))).toBe(true);
    await expectNoSeriousA11yViolations(h.ui);
    await h.screenshot('shell-notice');
    await h.ui.getByRole('button', { name: /Dismiss notice/ }).click();
    await expect.poll(() => banner.count()).toBe(0);
    // Dismissed in main too: a reload does not bring it back.
    await h.ui.reload();
    await expect.poll(() => h!.ui.getByTestId('line-status').textContent()).toContain('No SIP account');
    expect(await h.ui.getByRole('region', { name: 'Notices' }).count()).toBe(0);
  });
});
