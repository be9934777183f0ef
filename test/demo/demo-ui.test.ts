/**
 * The demo as a new user meets it, in the built UI page, by keyboard only:
 * the first-run screen offers the demo beside connecting a phone system;
 * Enter starts the demo, the header says "Demo" with a way out, a queue
 * caller rings, is answered from the keyboard and dragged onto a colleague
 * (who then hears them), settings hold the demo's
 * own section, and leaving brings the first-run screen back. axe finds
 * nothing at each step, light and dark, English and German.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { builtPagesMissing, startDemoConsole, type DemoConsole } from './fixture';

describe.skipIf(builtPagesMissing())('the demo in the UI, by keyboard', () => {
  let dc: DemoConsole;

  beforeAll(async () => {
    dc = await startDemoConsole({ name: 'demo-ui' });
    await dc.ui.reload();
  });
  afterAll(async () => {
    await dc?.stop();
  });

  const focused = () => dc.ui.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  it('opens on the first-run screen: the demo first, the phone system beside it, nothing for axe to find', async () => {
    const ui = dc.ui;
    await ui.getByTestId('first-run').waitFor();
    expect(await ui.getByRole('heading', { name: 'Welcome to Agent Console' }).count()).toBe(1);
    expect(await ui.getByRole('button', { name: 'Connect to your phone system' }).count()).toBe(1);
    await expect.poll(focused).toBe('Try the demo');
    await expectNoA11yViolations(ui);
    await ui.emulateMedia({ colorScheme: 'dark' });
    await expectNoA11yViolations(ui);
    await dc.harness.screenshot('demo-first-run-dark');
    await ui.emulateMedia({ colorScheme: 'light' });
    await dc.harness.screenshot('demo-first-run');
  });

  it('Enter starts the demo: the header says so and offers the way out; a queue caller is answered by key and dragged to a colleague', async () => {
    const ui = dc.ui;
    await ui.keyboard.press('Enter');
    await ui.getByTestId('demo-badge').waitFor({ timeout: 30_000 });
    expect(await ui.getByRole('group', { name: 'You are in the demo: calls here are not real' }).count()).toBe(1);
    expect(await ui.getByTestId('first-run').count()).toBe(0);
    await expect.poll(() => ui.getByTestId('line-status').textContent(), { timeout: 15_000 }).toContain('agent@demo.invalid');
    // The demo's queue and colleagues are in the targets panel.
    await expect.poll(() => ui.getByText('Support').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => ui.getByText('Anna Berg').count()).toBeGreaterThan(0);
    await expectNoA11yViolations(ui);
    await dc.harness.screenshot('demo-workspace');

    dc.director().sendCaller();
    await dc.until(() => dc.live().find((c) => c.state === 'ringing'), 15_000, 'a queue call ringing');
    // Starting the demo left the focus in the dialer (the agent's next action); single keys work outside text fields.
    expect(await ui.evaluate(() => document.activeElement?.tagName)).toBe('INPUT');
    await ui.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await ui.keyboard.press('a');
    const call = await dc.until(() => dc.live().find((c) => c.state === 'established'), 15_000, 'answered by key');
    const caller = dc.director().callers()[0]!;

    // Dragged onto a colleague with Alt held: blind (safe, the default) — Anna picks up and hears the caller.
    dc.director().setIncoming('anna', { kind: 'answer', afterMs: 800 });
    const card = ui.locator(`article[data-call-id="${call.id}"]`);
    const row = ui.locator('[data-drop-key]', { hasText: 'Anna Berg' }).first();
    const from = (await card.boundingBox())!;
    const to = (await row.boundingBox())!;
    await ui.mouse.move(from.x + 12, from.y + 12);
    await ui.mouse.down();
    await ui.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    expect(await row.getAttribute('data-verdict')).toBe('accept');
    await ui.keyboard.down('Alt');
    await ui.mouse.up();
    await ui.keyboard.up('Alt');
    await dc.until(() => dc.live().length === 0, 30_000, 'the caller handed to Anna');
    await dc.partyHears('anna', (h) => h.voices.includes(caller.persona.voice.f0), 20_000, 'Anna hears the caller');
    dc.director().hangUp('anna');
    await dc.until(() => dc.director().callers().length === 0, 15_000, 'the caller gone');
  });

  it('settings hold the demo: state, pace and sending a caller, in English and German', async () => {
    const ui = dc.ui;
    await ui.keyboard.press('Control+3');
    const section = ui.getByRole('region', { name: 'Demo' });
    await section.waitFor();
    expect(await section.getByTestId('demo-state').textContent()).toContain('sip:agent@demo.invalid');
    await section.getByRole('radio', { name: /^Busy/ }).check();
    await expect.poll(() => dc.core.demo.view().pace).toBe('busy');
    await section.getByRole('radio', { name: /^Only when I ask/ }).check();
    await expect.poll(() => dc.core.demo.view().pace).toBe('manual');
    await expectNoA11yViolations(ui, '[data-section="settings"]');
    await dc.harness.screenshot('demo-settings');

    await section.getByRole('button', { name: 'Send a caller now' }).click();
    await expect.poll(() => section.getByRole('status').filter({ hasText: 'A caller is ringing the Support queue.' }).count()).toBe(1);
    const ringing = await dc.until(() => dc.live().find((c) => c.state === 'ringing'), 15_000, 'the caller sent from settings ringing');
    // The incoming bar offers it from the settings view too.
    await expect.poll(() => ui.getByRole('button', { name: /^Answer/ }).count()).toBeGreaterThan(0);
    await dc.api('calls.answer', { callId: ringing.id });
    await dc.until(() => dc.live().find((c) => c.id === ringing.id && c.state === 'established'), 15_000, 'answered');
    await dc.api('calls.hangup', { callId: ringing.id });
    await dc.until(() => dc.live().length === 0, 15_000, 'hung up');

    await ui.getByRole('region', { name: 'Appearance' }).getByRole('radio', { name: /^Deutsch/ }).check();
    await expect.poll(() => ui.getByRole('region', { name: 'Demo' }).getByTestId('demo-state').textContent()).toContain('Die Demo läuft');
    expect(await ui.getByRole('button', { name: 'Demo verlassen' }).count()).toBeGreaterThan(0);
    await expectNoA11yViolations(ui, '[data-section="settings"]');
    await ui.getByRole('region', { name: 'Darstellung' }).getByRole('radio', { name: /^English/ }).check();
    await expect.poll(() => ui.getByRole('region', { name: 'Demo' }).getByTestId('demo-state').textContent()).toContain('The demo is on');
  });

  it('the header\u2019s Leave demo gives the console back: the first-run screen again, no demo left running', async () => {
    const ui = dc.ui;
    await ui.keyboard.press('Control+1');
    const leave = ui.getByRole('button', { name: 'Leave demo' });
    await leave.focus();
    await ui.keyboard.press('Enter');
    await ui.getByTestId('first-run').waitFor({ timeout: 20_000 });
    expect(await ui.getByTestId('demo-badge').count()).toBe(0);
    expect(dc.core.demo.view().state).toBe('off');
    expect(dc.core.demo.session).toBeNull();
    await expectNoA11yViolations(ui);
  });
});
