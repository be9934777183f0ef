/**
 * The "After-call work and availability" and "Desktop" settings sections in
 * Chromium through the REAL core (harness): a hotkey pressed on the keyboard
 * lands in settings.json in main's accelerator syntax, main's own refusal of
 * a combination shows under its field, Esc keeps the hotkey, do-not-disturb
 * goes through the agent's channel, the wrap-up time is saved — and, the
 * harness having no desktop shell, the desktop channels' `unavailable` reads
 * "Only in the installed app". Axe finds nothing at all (moderate included)
 * in either section, light and dark. Needs `npx electron-vite build` first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preferences } from '../../preload/contract';
import { startHarness, type Harness } from '../harness/index';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { expectScreenshot } from './baseline';
import { uiUnbuilt } from '../harness/built';

/** Skipped LOUDLY when the pages are not built (test/harness/built.ts). */
const unbuilt = uiUnbuilt();
let harness: Harness;
let dataDir: string;

/** What is on disk (null before the first save: the file does not exist yet). */
const saved = (): Preferences | null => {
  const file = join(dataDir, 'settings.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { preferences: Preferences }).preferences;
};

describe.skipIf(unbuilt)('after-call work and desktop settings in Chromium through the real core', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-desktop-'));
    harness = await startHarness({ dataDir, viewport: { width: 1024, height: 900 } });
    // No SIP account yet: the console opens on Settings.
    await harness.ui.getByRole('heading', { name: 'Desktop', exact: true }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says plainly that hotkeys, start at login and diagnostics belong to the installed app', async () => {
    const desktop = harness.ui.getByRole('region', { name: 'Desktop' });
    await expect.poll(() => desktop.locator('#hotkey-answer-status').textContent()).toContain('Only in the installed app');
    expect(await desktop.getByText(/work only in the installed app/).count()).toBe(1);
    expect(await desktop.getByTestId('autostart-state').textContent()).toContain('Only in the installed app');
    await desktop.getByRole('button', { name: 'Export diagnostics' }).click();
    await expect.poll(() => desktop.getByRole('status').filter({ hasText: 'Only in the installed app' }).count()).toBe(1);
    expect(await desktop.getByRole('alert').count()).toBe(0);
  });

  it('saves a hotkey pressed on the keyboard as CommandOrControl+…, and Backspace removes one', async () => {
    const ui = harness.ui;
    const field = ui.getByRole('textbox', { name: 'Show the console', exact: true });
    expect(await field.inputValue()).toBe('Ctrl+Alt+Shift+O');
    await field.focus();
    await ui.keyboard.press('Control+Alt+Shift+KeyK');
    await expect.poll(() => saved()?.desktop.hotkeys.showWindow).toBe('CommandOrControl+Alt+Shift+K');
    expect(await field.inputValue()).toBe('Ctrl+Alt+Shift+K');
    // Only this action changed: the rest of the map is main's defaults.
    expect(saved()?.desktop.hotkeys.answer).toBe('CommandOrControl+Alt+Shift+A');

    const undo = ui.getByRole('textbox', { name: 'Undo the transfer', exact: true });
    await undo.focus();
    await ui.keyboard.press('Backspace');
    await expect.poll(() => saved()?.desktop.hotkeys.undoTransfer).toBe('');
    expect(await undo.inputValue()).toBe('');
  });

  it('shows main’s refusal of a combination under its field, keeps it to correct, and Esc keeps the hotkey in force', async () => {
    const ui = harness.ui;
    const field = ui.getByRole('textbox', { name: 'Hold / resume', exact: true });
    await field.focus();
    await ui.keyboard.press('Shift+KeyH');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.inputValue()).toBe('Shift+H');
    expect(await ui.locator('#hotkey-hold-error').textContent()).toMatch(/Add Control, Alt, Command or Super/);
    expect(saved()?.desktop.hotkeys.hold).toBe('CommandOrControl+Alt+Shift+H');
    await field.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await harness.screenshot('desktop-settings-refused');

    await ui.keyboard.press('Escape');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBeNull();
    expect(await field.inputValue()).toBe('Ctrl+Alt+Shift+H');
    // The window's own single-key shortcuts never saw those keys: still on Settings.
    expect(await ui.getByRole('button', { name: 'Settings', exact: true }).getAttribute('aria-current')).toBe('page');
    // Tab moves on as everywhere.
    await ui.keyboard.press('Tab');
    expect(await ui.evaluate(() => document.activeElement?.id)).toBe('hotkey-mute');
  });

  it('switches do-not-disturb through the agent’s channel and saves the wrap-up time', async () => {
    const ui = harness.ui;
    const agent = ui.getByRole('region', { name: 'After-call work and availability' });
    const dnd = agent.getByRole('switch', { name: 'Do not disturb' });
    await dnd.focus();
    await ui.keyboard.press('Space');
    await expect.poll(() => saved()?.agent.doNotDisturb).toBe(true);
    expect(await dnd.isChecked()).toBe(true);
    const view = await harness.ui.evaluate(() => window.consoleApi.agent.status());
    expect(view.ok && view.value.doNotDisturb).toBe(true);
    await ui.keyboard.press('Space');
    await expect.poll(() => saved()?.agent.doNotDisturb).toBe(false);

    const wrapUp = agent.getByRole('spinbutton', { name: 'Wrap-up time' });
    await wrapUp.fill('45');
    await wrapUp.press('Enter');
    await expect.poll(() => saved()?.agent.wrapUpSec).toBe(45);
    await agent.getByRole('radio', { name: /Refuse at once/ }).check();
    await expect.poll(() => saved()?.agent.quietCalls).toBe('reject');
  });

  it('has no accessibility violations at all in either section, light and dark, and fits 720x480', async () => {
    const ui = harness.ui;
    for (const colorScheme of ['light', 'dark'] as const) {
      await ui.emulateMedia({ colorScheme });
      await expectNoA11yViolations(ui, 'section.agent-settings');
      await expectNoA11yViolations(ui, 'section.desktop-settings');
    }
    // The agent's own choice overriding the OS, the other way round too.
    await ui.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    await ui.emulateMedia({ colorScheme: 'light' });
    await expectNoA11yViolations(ui, 'section.desktop-settings');
    await ui.evaluate(() => document.documentElement.setAttribute('data-theme', 'system'));

    await ui.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const [heading, name] of [
      ['After-call work and availability', 'agent-settings'],
      ['Desktop', 'desktop-settings'],
    ] as const) {
      await ui.getByRole('heading', { name: heading, exact: true }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await expectScreenshot(harness, name);
    }

    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    for (const selector of ['section.agent-settings', 'section.desktop-settings']) {
      expect(await ui.locator(selector).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    await ui.getByRole('heading', { name: 'Desktop', exact: true }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await harness.screenshot('desktop-settings-720x480');
  });
});
