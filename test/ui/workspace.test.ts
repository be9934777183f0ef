/**
 * Every view of the workspace in Debian Chromium through the real core, light
 * and dark: idle, ringing, in a call, consulting, a transfer's outcome, a call
 * ringing over History, history and settings. axe-core finds nothing (minor
 * and moderate included), and each view is written as a screenshot
 * (test-results/screenshots/, the README shows some). Calls are pushed as main
 * pushes them (test/support/workspace-fixtures.ts); the telephony behind them
 * is the lab's business (test/lab/console-workspace.test.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot, TransferSnapshot } from '../../preload/contract';
import { repoRoot, startHarness, type Harness } from '../harness/index';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { callSnapshot } from '../support/call-snapshot';
import { establishedCall, idleTransfer, pushWorkspace } from '../support/workspace-fixtures';
import { uiUnbuilt } from '../harness/built';

/** Skipped LOUDLY when the pages are not built (test/harness/built.ts). */
const unbuilt = uiUnbuilt();
/** The views the README shows. */
const readmeShots = new Set(['consult-light', 'outcome-dark', 'drop-choice-light', 'history-ringing-light', 'settings-dark']);
const now = Date.now();

const caller = establishedCall('w1', 'Alice Martin', '+44 20 7946 0018', now - 95_000);
const heldCaller: CallSnapshot = { ...caller, hold: { local: true, remote: false }, heldSince: now - 20_000, holdAudio: { music: 'Lounge' }, allowedActions: ['hangup', 'unhold'] };
const consult = establishedCall('w2', 'Bob Lee', '2001', now - 12_000, { direction: 'outgoing' });
const consulting: TransferSnapshot = {
  ...idleTransfer('w1', ['complete', 'cancel', 'swap']),
  transferId: 't1',
  mode: 'attended',
  safe: true,
  phase: 'consulting',
  target: { kind: 'colleague', label: 'Bob Lee', uri: 'sip:2001@pbx.example.com' },
  legs: { caller: { callId: 'w1', state: 'up', held: true, music: true }, consult: { callId: 'w2', state: 'up', held: false, music: false } },
  timeline: [
    { step: 'requested', at: now - 15_000, sipCode: null, note: null },
    { step: 'dialing', at: now - 14_000, sipCode: null, note: null },
    { step: 'answered', at: now - 12_000, sipCode: null, note: null },
  ],
};
const cameBack: TransferSnapshot = {
  ...idleTransfer('w1'),
  transferId: 't2',
  mode: 'blind',
  safe: true,
  target: { kind: 'number', label: '2002', uri: 'sip:2002@pbx.example.com' },
  reason: { code: 'busy', message: 'the other party was busy', sipCode: 486 },
  timeline: [
    { step: 'requested', at: now - 8000, sipCode: null, note: null },
    { step: 'failed', at: now - 6000, sipCode: 486, note: 'the other party was busy' },
    { step: 'taken-back', at: now - 6000, sipCode: null, note: 'the other party was busy' },
  ],
  outcome: { result: 'caller-back', target: '2002', reason: { code: 'busy', message: 'the other party was busy', sipCode: 486 }, at: now - 6000 },
};

describe.skipIf(unbuilt)('the workspace, every view, light and dark', () => {
  let h: Harness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-workspace-'));
    h = await startHarness({ dataDir, viewport: { width: 1280, height: 800 } });
    await h.ui.waitForFunction(() => typeof window.consoleApi === 'object');
    const saved = await h.ui.evaluate(() =>
      window.consoleApi.settings.update({
        targets: {
          queues: [{ name: 'Support', address: '600' }, { name: 'Billing', address: '601' }],
          colleagues: [{ name: 'Bob Lee', address: '2001' }, { name: 'Chris Wu', address: '2002' }, { name: 'Dana Park', address: 'sip:dana@pbx.example.com' }],
        },
      }),
    );
    expect(saved.ok).toBe(true);
    await h.ui.getByRole('button', { name: 'Calls', exact: true }).click();
    await h.ui.getByText('Bob Lee').first().waitFor();
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Checks the page in both themes (the OS preference, as a fresh install follows it) and keeps a
   * screenshot of each; `UPDATE_README_SCREENSHOTS=1` also refreshes the README's copies in docs/screenshots/.
   */
  async function everyTheme(name: string) {
    for (const scheme of ['light', 'dark'] as const) {
      await h.ui.emulateMedia({ colorScheme: scheme });
      // The scheme is applied once the page matches it and has painted a frame with it (no fixed wait).
      await h.ui.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, scheme === 'dark');
      await h.ui.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await expectNoA11yViolations(h.ui);
      const shot = await h.screenshot(`workspace-${name}-${scheme}`);
      if (process.env['UPDATE_README_SCREENSHOTS'] === '1' && readmeShots.has(`${name}-${scheme}`)) {
        mkdirSync(join(repoRoot, 'docs/screenshots'), { recursive: true });
        copyFileSync(shot, join(repoRoot, 'docs/screenshots', `${name}-${scheme}.png`));
      }
    }
    await h.ui.emulateMedia({ colorScheme: 'light' });
  }

  it('idle: the calls column invites calls, the targets panel lists queues and colleagues', async () => {
    pushWorkspace(h, []);
    await expect.poll(() => h.ui.getByRole('heading', { name: 'No calls' }).count()).toBe(1);
    await everyTheme('idle');
  });

  it('ringing: the card with Answer and Decline, announced', async () => {
    pushWorkspace(h, [callSnapshot({ id: 'r1', remote: { number: '+44 20 7946 0018', uri: 'sip:+442079460018@pbx.example.com', displayName: 'Alice Martin' }, startedAt: now - 3000 })]);
    await h.ui.getByRole('button', { name: 'Answer', exact: true }).waitFor();
    await expect.poll(() => h.ui.getByTestId('announcer').textContent()).toBe('Incoming call from Alice Martin');
    await everyTheme('ringing');
  });

  it('in a call: Transfer… offered, the card is a drag source', async () => {
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
    await h.ui.getByRole('button', { name: 'Transfer…' }).waitFor();
    await everyTheme('in-call');
  });

  it('consulting: both legs in one card, Complete / Cancel / Swap from main', async () => {
    pushWorkspace(h, [heldCaller, consult], [consulting, idleTransfer('w2', [])]);
    await h.ui.getByRole('button', { name: 'Complete transfer' }).waitFor();
    expect(await h.ui.locator('article[data-call-id]').count()).toBe(1);
    await everyTheme('consult');
  });

  it('a transfer that did not go through: the outcome line names the target and the result', async () => {
    pushWorkspace(h, [caller], [cameBack]);
    await expect.poll(() => h.ui.locator('article[data-call-id="w1"]').textContent()).toMatch(/2002 was busy/);
    await everyTheme('outcome');
  });

  it('a call ringing while History is open: the bar, the title, the Calls badge', async () => {
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
    await h.ui.getByRole('button', { name: 'History', exact: true }).click();
    pushWorkspace(h, [caller, callSnapshot({ id: 'r2', ring: 'soft', remote: { number: '2003', uri: 'sip:2003@pbx.example.com', displayName: 'Eve Stone' } })], [idleTransfer('w1')]);
    await h.ui.getByTestId('incoming-bar').waitFor();
    // The title is set after the bar is painted (docs/performance.md), so it may follow by a frame.
    await expect.poll(() => h.ui.title()).toMatch(/^Ringing: Eve Stone/);
    await everyTheme('history-ringing');
  });

  it('dragging, the drop choice, the picker and an undo toast', async () => {
    await h.ui.getByRole('button', { name: 'Calls', exact: true }).click();
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
    const card = h.ui.locator('article[data-call-id="w1"]');
    await h.ui.getByRole('button', { name: 'Transfer…' }).waitFor();
    const row = h.ui.locator('[data-drop-key]', { hasText: 'Chris Wu' }).first();
    const from = (await card.boundingBox())!;
    const to = (await row.boundingBox())!;
    await h.ui.mouse.move(from.x + 12, from.y + 12);
    await h.ui.mouse.down();
    await h.ui.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    expect(await row.getAttribute('data-verdict')).toBe('accept');
    await everyTheme('dragging');
    await h.ui.mouse.up();
    const choice = h.ui.getByRole('dialog', { name: /Chris Wu/ });
    await choice.waitFor();
    await everyTheme('drop-choice');
    await h.ui.keyboard.press('Escape');
    await expect.poll(() => choice.count()).toBe(0);

    await h.ui.getByRole('button', { name: 'Transfer…' }).focus();
    await h.ui.keyboard.press('t');
    await h.ui.getByRole('dialog').getByLabel('Transfer to').waitFor();
    await h.ui.keyboard.type('Bob');
    await everyTheme('picker');
    await h.ui.keyboard.press('Escape');
    // Focus is back on the call, not on the page body.
    await expect.poll(() => h.ui.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-call-id'))).toBe('w1');

    const pending: TransferSnapshot = {
      ...idleTransfer('w1', ['undo', 'complete']),
      transferId: 't3',
      mode: 'blind',
      safe: true,
      phase: 'pending',
      target: { kind: 'colleague', label: 'Bob Lee', uri: 'sip:2001@pbx.example.com' },
      undoDeadline: Date.now() + 60_000,
      timeline: [{ step: 'requested', at: Date.now(), sipCode: null, note: null }],
    };
    pushWorkspace(h, [caller], [pending]);
    await h.ui.getByRole('button', { name: 'Undo' }).first().waitFor();
    await everyTheme('undo-toast');
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
  });

  it('settings', async () => {
    pushWorkspace(h, []);
    await h.ui.getByRole('button', { name: 'Settings', exact: true }).click();
    await h.ui.locator('[data-section="settings"]').waitFor();
    await everyTheme('settings');
  });

  it('at 720×480 the calls and targets stack and every control stays reachable', async () => {
    await h.ui.setViewportSize({ width: 720, height: 480 });
    await h.ui.getByRole('button', { name: 'Calls', exact: true }).click();
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
    await h.ui.getByRole('button', { name: 'Transfer…' }).waitFor();
    const overflow = await h.ui.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await everyTheme('small');
    await h.ui.setViewportSize({ width: 1280, height: 800 });
  });

  it('in German, from 1280 down to 720 wide: the views, the availability and the line stay whole in the window, and a long queue name reads whole', async () => {
    const targets = {
      queues: [{ name: 'Kundenservice Premium', address: '600' }, { name: 'Billing', address: '601' }],
      colleagues: [{ name: 'Christiane Wunderlich-Hoffmann', address: '2001' }],
    };
    const update = (patch: object) => h.ui.evaluate((p) => window.consoleApi.settings.update(p as never), patch);
    expect((await update({ appearance: { language: 'de' }, targets })).ok).toBe(true);
    await h.ui.getByRole('button', { name: 'Einstellungen', exact: true }).waitFor();
    pushWorkspace(h, [caller], [idleTransfer('w1')]);
    await h.ui.getByText('Kundenservice Premium').waitFor();
    try {
      for (const width of [1280, 1024, 720]) {
        await h.ui.setViewportSize({ width, height: 640 });
        await h.ui.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        const layout = await h.ui.evaluate(() => {
          const box = (el: Element | null) => el?.getBoundingClientRect() ?? null;
          const inside = (el: Element | null) => {
            const b = box(el);
            return b !== null && b.width > 0 && b.left >= 0 && b.right <= innerWidth;
          };
          const label = document.querySelector('[data-testid="line-status"] .label');
          const names = [...document.querySelectorAll('.target .name')];
          return {
            views: [...document.querySelectorAll('nav .nav-item')].map(inside),
            availability: inside(document.querySelector('#agent-status-choice')),
            line: inside(document.querySelector('[data-testid="line-status"]')),
            lineCut: label !== null && label.scrollWidth > label.clientWidth,
            namesCut: names.filter((n) => n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth).map((n) => n.textContent),
          };
        });
        expect(layout, `${width} px`).toEqual({ views: [true, true, true], availability: true, line: true, lineCut: false, namesCut: [] });
      }
      await expectNoA11yViolations(h.ui);
      await h.screenshot('workspace-german-720');
    } finally {
      await h.ui.setViewportSize({ width: 1280, height: 800 });
      await update({ appearance: { language: 'system' } });
      await h.ui.getByRole('button', { name: 'Settings', exact: true }).waitFor();
    }
  });
});
