/**
 * The history screen of the built app (out/renderer, `npx electron-vite build`
 * first) in Chromium, talking to the REAL core through the headless harness,
 * over 100,000 calls seeded into the data folder before the core starts
 * (test/support/history-seed.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../preload/ui-api';
import { startHarness, type Harness } from '../harness/index';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { seedHistory, waitForFirstView, type HistoryLandmarks } from '../support/history-seed';
import { uiUnbuilt } from '../harness/built';

let harness: Harness;
let dataDir: string;
let marks: HistoryLandmarks;

/** The History tab; its name carries the unseen-missed badge after the word. */
const historyTab = () => harness.ui.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^History/ });

async function openHistory() {
  const ui = harness.ui;
  await waitForFirstView(ui);
  await historyTab().click();
  await ui.getByRole('grid', { name: 'Calls, newest first' }).waitFor();
  await ui.locator('[role=row][data-call-id]').nth(5).waitFor();
}

const row = (id: number) => harness.ui.locator(`[role=row][data-call-id="${id}"]`);

describe.skipIf(uiUnbuilt())('history screen over 100,000 calls through the real core', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-history-'));
    marks = seedHistory(dataDir, { calls: 100_000 });
    harness = await startHarness({ dataDir, viewport: { width: 1100, height: 720 } });
    await openHistory();
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the newest calls first, virtualised (only a window of rows in the page), and passes axe with no violation at all', async () => {
    const ui = harness.ui;
    const first = await ui.locator('[role=row][data-call-id]').first().getAttribute('data-call-id');
    expect(Number(first)).toBe(marks.newestId);
    expect(await ui.locator('[role=row]').count()).toBeLessThan(40);
    expect(await ui.getByTestId('history-count').textContent()).toMatch(/newest [\d,]+ calls/);
    // The seeded transferred call says who handed it over, where it went, that it was held.
    expect(await row(marks.transferred.id).textContent()).toContain('Transferred to sales@pbx.example.com');
    expect(await row(marks.transferred.id).getByTestId('history-row-via').textContent()).toBe(`Via ${marks.transferred.transferredBy.name}`);
    expect(await row(marks.transferred.id).getAttribute('aria-label')).toMatch(
      new RegExp(`Incoming call, .*Transferred to sales@pbx\\.example\\.com, transferred to you by ${marks.transferred.transferredBy.name}.*Held`),
    );
    // Each start time fits its column whole (by the day: "Yesterday, 14:05", "Dec 31, 2025"); the full date and time
    // are its tooltip, and in the row's accessible name.
    const times = await ui.locator('[role=row][data-call-id] .when time').evaluateAll((cells) =>
      cells.map((c) => ({ shown: c.textContent ?? '', full: c.getAttribute('title') ?? '', cut: c.scrollWidth > c.clientWidth })),
    );
    expect(times.length).toBeGreaterThan(5);
    for (const t of times) expect(t, JSON.stringify(t)).toEqual({ shown: expect.stringMatching(/\d/), full: expect.stringMatching(/\d{4}/), cut: false });
    await expectNoA11yViolations(ui);
    await harness.screenshot('history-list');
  });

  it('finds a call by its number typed in another formatting, and says so in the live region', async () => {
    const ui = harness.ui;
    await ui.keyboard.press('/');
    expect(await ui.evaluate(() => document.activeElement?.id)).toBe('history-search');
    const typed = `(${marks.unique.digits.slice(0, 3)}) ${marks.unique.digits.slice(3, 6)} ${marks.unique.digits.slice(6)}`;
    await ui.keyboard.type(typed, { delay: 30 });
    await expect.poll(() => ui.locator('[role=row][data-call-id]').count()).toBe(1);
    expect(await ui.locator('[role=row][data-call-id]').getAttribute('data-call-id')).toBe(String(marks.unique.id));
    expect(await ui.getByTestId('history-count').textContent()).toBe(`1 call matches “${typed}”`);
    expect(await ui.getByTestId('history-count').getAttribute('role')).toBe('status');
  });

  it('says when nothing matches and how to widen the search', async () => {
    const ui = harness.ui;
    await ui.locator('#history-search').fill('zzqxv');
    await expect.poll(() => ui.getByRole('heading', { name: 'No calls match “zzqxv”' }).count()).toBe(1);
    expect(await ui.getByText(/type fewer words, or only the last digits/).count()).toBe(1);
    await ui.locator('#history-search').fill('');
    await expect.poll(() => row(marks.newestId).count()).toBe(1);
  });

  it("opens a transferred call's detail from the keyboard: both transfers with their steps, times and SIP reasons; axe clean", async () => {
    const ui = harness.ui;
    await row(marks.transferred.id).click();
    await ui.getByRole('grid').focus();
    await ui.keyboard.press('Enter');
    const detail = ui.getByTestId('history-detail');
    await expect.poll(() => detail.getByRole('heading', { name: `Call with ${marks.transferred.name}` }).count()).toBe(1);
    // Who handed the call to the agent, kept by the history.
    const by = marks.transferred.transferredBy;
    expect(await detail.textContent()).toContain(`Transferred to you by ${by.name} (${by.number})`);
    const timeline = detail.getByTestId('history-timeline');
    expect(await timeline.textContent()).toMatch(/Attended transfer to 2002@pbx\.example\.com/);
    expect(await timeline.textContent()).toMatch(/Blind transfer to sales@pbx\.example\.com/);
    expect(await timeline.textContent()).toMatch(/On hold for 3 seconds; the caller heard music \(builtin:lounge\)/);
    const steps = await timeline.getByTestId('transfer-step').allTextContents();
    expect(steps).toHaveLength(marks.transferred.steps.length);
    expect(steps[1]).toMatch(/Failed.*SIP 486 Busy Here/);
    expect(steps[2]).toMatch(/Caller taken back/);
    expect(steps[6]).toMatch(/Completed.*SIP 200/);
    expect(await timeline.textContent()).toMatch(/Ended: Transferred to sales@pbx\.example\.com/);
    await expectNoA11yViolations(ui);
    await harness.screenshot('history-detail');
    // Esc closes it and gives the list the keyboard back.
    await ui.keyboard.press('Escape');
    await expect.poll(() => ui.getByTestId('history-detail').count()).toBe(0);
    await expect.poll(() => ui.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
  });

  it("in a narrow window the detail takes the list's place, and Esc gives the list back, scrolled where it was", async () => {
    const ui = harness.ui;
    // By CSS, not by role: hidden under the detail, the grid is out of the accessibility tree that getByRole reads.
    const grid = ui.locator('[role=grid]');
    await ui.setViewportSize({ width: 720, height: 480 });
    try {
      await grid.evaluate((el) => (el.scrollTop = 56 * 7));
      await ui.locator('[role=row][data-call-id]').nth(9).click();
      await grid.focus();
      const scrolled = await grid.evaluate((el) => el.scrollTop);
      await ui.keyboard.press('Enter');
      const detail = ui.getByTestId('history-detail');
      await expect.poll(() => ui.evaluate(() => !!document.activeElement?.closest('[data-testid="history-detail"]'))).toBe(true);
      // The detail has the list's whole width; the list under it is out of sight and out of the focus order.
      const [d, g] = [await detail.boundingBox(), await grid.boundingBox()];
      expect(Math.abs(d!.x - g!.x)).toBeLessThan(2);
      expect(Math.abs(d!.width - g!.width)).toBeLessThan(2);
      expect(await grid.evaluate((el) => getComputedStyle(el).visibility)).toBe('hidden');
      await expectNoA11yViolations(ui);
      await harness.screenshot('history-detail-720x480');
      await ui.keyboard.press('Escape');
      await expect.poll(() => ui.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('grid');
      expect(await grid.evaluate((el) => getComputedStyle(el).visibility)).toBe('visible');
      expect(await grid.evaluate((el) => el.scrollTop)).toBe(scrolled);
    } finally {
      await ui.setViewportSize({ width: 1100, height: 720 });
    }
  });

  it('calls back with C on the active row: the dialer gets the number, nothing is dialled', async () => {
    const ui = harness.ui;
    await row(marks.transferred.id).click();
    await ui.getByRole('grid').focus();
    await ui.keyboard.press('c');
    // The console goes to the calls with the number in the dialer, focused, ready — and dials nothing.
    await expect.poll(() => ui.locator('#dial-target').inputValue()).toBe(marks.transferred.number);
    expect(await ui.evaluate(() => document.activeElement?.id)).toBe('dial-target');
    expect(await ui.getByRole('button', { name: 'Calls', exact: true }).getAttribute('aria-current')).toBe('page');
    expect(await ui.evaluate(() => (window as unknown as { consoleApi: ConsoleApi }).consoleApi.calls.list())).toEqual({ ok: true, value: [] });
    await historyTab().click();
    await ui.getByTestId('history-view').waitFor();
  });

  it("saves a note through main (main's refusal shown under the field), and finds it after a reload", async () => {
    const ui = harness.ui;
    await row(marks.transferred.id).dblclick();
    const note = ui.getByLabel('Add a note');
    // Main refuses a note over 4000 characters: its words appear under the field.
    await note.fill('x'.repeat(4001));
    await ui.getByRole('button', { name: 'Save note' }).click();
    await expect.poll(() => ui.locator('#history-note-error').textContent()).toMatch(/4000/);
    expect(await note.getAttribute('aria-invalid')).toBe('true');

    await note.fill('Caller wants the sales quote by e-mail');
    await ui.getByRole('button', { name: 'Save note' }).click();
    await expect.poll(() => ui.getByTestId('history-detail').locator('.notes').textContent()).toContain('Caller wants the sales quote by e-mail');
    expect(await note.inputValue()).toBe('');

    await ui.reload();
    await openHistory();
    await row(marks.transferred.id).dblclick();
    await expect.poll(() => ui.getByTestId('history-detail').locator('.notes').textContent()).toContain('Caller wants the sales quote by e-mail');
    // The note is searchable at once.
    await ui.locator('#history-search').fill('sales quote');
    await expect.poll(() => ui.locator('[role=row][data-call-id]').count()).toBe(1);
  });

  it('exports the current filter to CSV through main, with progress, and remembers missed calls as seen across a reload', async () => {
    const ui = harness.ui;
    await ui.locator('#history-search').fill('');
    await ui.getByLabel('Outcome').selectOption('missed');
    await expect.poll(() => ui.locator('[role=row][data-outcome="missed"]').count()).toBeGreaterThan(3);
    expect(await ui.locator('[role=row][data-call-id]:not([data-outcome="missed"])').count()).toBe(0);
    await ui.getByRole('button', { name: 'Export CSV' }).click();
    await expect.poll(() => ui.getByTestId('history-export').textContent(), { timeout: 30_000 }).toMatch(/Exported [\d,]+ calls to .*\.csv/);
    // Missed calls on screen count as seen; main kept the mark.
    const missed = await ui.evaluate(() => (window as unknown as { consoleApi: ConsoleApi }).consoleApi.history.missed());
    expect(missed).toMatchObject({ ok: true, value: { unseen: 0 } });
  });
});
