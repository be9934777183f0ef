/**
 * Transfer settings in Chromium through the REAL core (harness): the undo
 * window and safe blind changed with the keyboard only land in settings.json,
 * an out-of-range number is refused under its field and never written, the
 * incoming-REFER choice is saved, axe finds nothing serious, and the section
 * fits the narrowest window. Needs `npx electron-vite build` first; loopback only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** What is on disk (null before the first save: the file does not exist yet). */
const savedTransfer = (): Preferences['transfer'] | null => {
  const file = join(dataDir, 'settings.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { preferences: { transfer: Preferences['transfer'] } }).preferences.transfer;
};

describe.skipIf(unbuilt)('transfer settings in Chromium through the real core', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-transfer-'));
    harness = await startHarness({ dataDir, viewport: { width: 1024, height: 900 } });
    // No SIP account yet: the console opens on Settings.
    await harness.ui.getByRole('heading', { name: 'Transfers', exact: true }).waitFor();
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the defaults', async () => {
    const ui = harness.ui;
    expect(await ui.getByRole('switch', { name: 'Safe blind transfer' }).isChecked()).toBe(true);
    expect(await ui.getByLabel('No-answer time', { exact: true }).inputValue()).toBe('30');
    expect(await ui.getByLabel('Undo window', { exact: true }).inputValue()).toBe('3');
    expect(await ui.getByLabel('Completion wait', { exact: true }).inputValue()).toBe('8');
    expect(await ui.getByRole('radio', { name: /Ask me first/ }).isChecked()).toBe(true);
  });

  it('saves the undo window stepped with the arrow keys and typed with Enter, to settings.json', async () => {
    const ui = harness.ui;
    const undo = ui.getByRole('spinbutton', { name: 'Undo window' });
    await undo.focus();
    await ui.keyboard.press('ArrowUp');
    await ui.keyboard.press('ArrowUp');
    await expect.poll(() => savedTransfer()?.undoWindowSec).toBe(5);
    // The file is written before main's answer reaches the page: the field shows the answer once it is in.
    await expect.poll(() => undo.inputValue()).toBe('5');
    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Undo window 5 s' }).count()).toBe(1);

    await ui.keyboard.press('ControlOrMeta+a');
    await ui.keyboard.type('0');
    await ui.keyboard.press('Enter');
    await expect.poll(() => savedTransfer()?.undoWindowSec).toBe(0);
    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Undo window off' }).count()).toBe(1);
    // Only the leaf that changed: the rest of the section keeps its defaults.
    expect(savedTransfer()).toEqual({ safeBlind: true, safeBlindTimeoutSec: 30, undoWindowSec: 0, completeTimeoutSec: 8, incomingRefer: 'ask' });
  });

  it('turns safe blind off and on again with Tab and Space', async () => {
    const ui = harness.ui;
    const safe = ui.getByRole('switch', { name: 'Safe blind transfer' });
    // Reach the switch by the keyboard: the settings contents jump to the section, then Tab.
    await ui.getByRole('navigation', { name: 'Settings contents' }).getByRole('link', { name: 'Transfers' }).focus();
    await ui.keyboard.press('Enter');
    await expect.poll(() => ui.evaluate(() => document.activeElement?.id)).toBe('transfer-settings-heading');
    for (let i = 0; i < 5 && !(await safe.evaluate((el) => el === document.activeElement)); i++) await ui.keyboard.press('Tab');
    expect(await safe.evaluate((el) => el === document.activeElement)).toBe(true);
    await ui.keyboard.press('Space');
    await expect.poll(() => savedTransfer()?.safeBlind).toBe(false);
    expect(await safe.isChecked()).toBe(false);
    expect(await safe.getAttribute('aria-checked')).toBe('false');
    await expect.poll(() => ui.getByRole('status').filter({ hasText: 'Safe blind off' }).count()).toBe(1);
    await ui.keyboard.press('Space');
    await expect.poll(() => savedTransfer()?.safeBlind).toBe(true);
  });

  it('refuses an out-of-range number under its field and writes nothing', async () => {
    const ui = harness.ui;
    const wait = ui.getByRole('spinbutton', { name: 'Completion wait' });
    await wait.fill('90');
    await wait.press('Enter');
    await expect.poll(() => wait.getAttribute('aria-invalid')).toBe('true');
    expect(await ui.locator('#transfer-completeTimeoutSec-error').textContent()).toMatch(/whole number of seconds from 2 to 60/);
    expect(savedTransfer()?.completeTimeoutSec).toBe(8);
    await wait.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await harness.screenshot('transfer-settings-refused');

    await wait.fill('12');
    await wait.press('Tab');
    await expect.poll(() => savedTransfer()?.completeTimeoutSec).toBe(12);
    expect(await wait.getAttribute('aria-invalid')).toBeNull();
  });

  it('is refused by main too when the UI is bypassed, with the field named', async () => {
    const answer = await harness.ui.evaluate(() => window.consoleApi.settings.update({ transfer: { safeBlindTimeoutSec: 999 } }));
    expect(answer.ok).toBe(false);
    if (answer.ok) return;
    expect(answer.code).toBe('invalid-request');
    expect(Object.keys(answer.fields ?? {})).toEqual(['transfer.safeBlindTimeoutSec']);
    expect(savedTransfer()?.safeBlindTimeoutSec).toBe(30);
  });

  it('saves the incoming-REFER choice with the arrow keys', async () => {
    const ui = harness.ui;
    await ui.getByRole('radio', { name: /Ask me first/ }).focus();
    await ui.keyboard.press('ArrowDown');
    await expect.poll(() => savedTransfer()?.incomingRefer).toBe('follow');
    expect(await ui.getByRole('radio', { name: /Follow at once/ }).isChecked()).toBe(true);
  });

  it('has no accessibility violations in either theme, fits 720x480 and looks right (screenshot)', async () => {
    const ui = harness.ui;
    await expectNoSeriousA11yViolations(ui);
    // The section itself: nothing at all, moderate included, light and dark.
    for (const colorScheme of ['light', 'dark'] as const) {
      await ui.emulateMedia({ colorScheme });
      await expectNoA11yViolations(ui, 'section.transfer-settings');
    }
    await ui.emulateMedia({ colorScheme: 'light' });

    await ui.setViewportSize({ width: 1024, height: 720 });
    await ui.getByRole('heading', { name: 'Transfers', exact: true }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await ui.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expectScreenshot(harness, 'transfer-settings');

    // The narrowest window the console supports: no horizontal scrolling.
    await ui.setViewportSize({ width: 720, height: 480 });
    expect(await ui.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(720);
    const section = ui.locator('section.transfer-settings');
    expect(await section.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await ui.getByRole('heading', { name: 'Transfers', exact: true }).evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await harness.screenshot('transfer-settings-720x480');
  });
});
