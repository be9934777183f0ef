/**
 * The agent's workspace, driven as an agent drives it: the built UI in
 * Chromium through the harness, the REAL core and media host, SIP.js peers
 * through Kamailio, and each step proven by what the peers HEAR (caller
 * 440 Hz, agent 660 Hz, colleague 880 Hz, hold music = audible, no test tone).
 *
 *   1. Mouse: answer, drag the call onto a colleague, choose Attended, talk,
 *      complete — the caller and the colleague then hear each other.
 *   2. The same flow by keyboard alone (A, T + search + Shift+Enter, C).
 *   3. A call ringing while Settings is open is visible there and can be answered there.
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-workspace.test.ts'
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/until';
import { startHarnessConsole, type HarnessConsole } from './console-harness';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

/** The console's default hold music, recognised as that very track by its signature (test/lab/detector.ts). */
const MUSIC = { tones: [] as number[], music: 'Lounge' };

describe.skipIf(labUnavailable())('the workspace: drag-to-transfer and the keyboard, proven by the peers\u2019 audio', () => {
  let lab: Lab;
  let caller: Peer;
  let colleague: Peer;
  let con: HarnessConsole;

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-workspace',
      peers: [
        { name: 'caller', signal: 'caller' },
        { name: 'colleague', signal: 'transferee' },
      ],
      globalTimeoutMs: 300_000,
    });
    caller = lab.peer('caller');
    colleague = lab.peer('colleague');
    con = await startHarnessConsole(lab);
    // Through the UI's own channel, as the settings screen saves it: the targets follow at once.
    const saved = await con.ui.evaluate(
      (patch) => window.consoleApi.settings.update(patch),
      {
        transfer: { undoWindowSec: 0, safeBlind: true, completeTimeoutSec: 4 },
        targets: { colleagues: [{ name: 'Bob Lee', address: colleague.uri }], queues: [] },
        workspace: { dropAction: 'ask' as const },
      },
    );
    expect(saved.ok).toBe(true);
    await con.reloadUi();
  }, 120_000);

  afterAll(async () => {
    await con?.stop();
    await lab?.stop();
  }, 30_000);

  afterEach(async () => {
    for (const c of con.live()) await con.ui.evaluate((callId) => window.consoleApi.calls.hangup({ callId }), c.id).catch(() => undefined);
    await con.until(() => con.live().length === 0 || null, 10_000, 'no legs left');
    await lab.reset();
  });

  const ui = () => con.ui;

  /** The caller rings the agent; resolves with the caller's call id once the console shows it ringing. */
  async function ring(): Promise<string> {
    const callerCall = await caller.call(con.uri);
    await con.until(() => con.live().find((c) => c.state === 'ringing'), 15_000, 'ringing');
    return callerCall;
  }

  /** Attended consult running: the caller hears music, the colleague hears the agent; both legs in one card. */
  async function consulting(callerCall: string) {
    const consultCall = await colleague.waitForIncoming(15_000);
    await colleague.waitForCallState(consultCall, 'established', 15_000);
    await caller.expectHears(MUSIC, 10_000, callerCall);
    await colleague.expectHears({ tones: [TONES.agent] }, 10_000, consultCall);
    await expect.poll(() => ui().locator('article[data-call-id]').count(), { timeout: 5000 }).toBe(1);
    expect(await ui().locator('article[data-call-id]').getAttribute('aria-label')).toMatch(/consulting Bob Lee/);
    return consultCall;
  }

  /** Completed: caller ⇄ colleague, the agent has no leg, and the outcome was said. */
  async function completed() {
    await con.until(() => con.live().length === 0 || null, 15_000, 'agent released');
    // The caller's INVITE with Replaces takes the consult's place at the colleague.
    const replacing = await colleague.waitForIncoming(10_000);
    await colleague.waitForCallState(replacing, 'established', 10_000);
    // The caller followed our REFER with a new call of its own (SIP.js marks it referred).
    const followed = await until(async () => (await caller.calls()).find((c) => c.referredBy !== undefined && c.state === 'established'), {
      timeoutMs: 10_000,
      what: 'the caller’s referred call',
      intervalMs: 100,
    });
    await caller.expectHears({ tones: [TONES.transferee] }, 10_000, followed.id);
    await colleague.expectHears({ tones: [TONES.caller] }, 10_000, replacing);
    await expect.poll(() => ui().getByTestId('announcer').textContent(), { timeout: 5000 }).toMatch(/Bob Lee/);
  }

  it('mouse: answer, drag the call onto a colleague, Attended, talk, complete', async () => {
    await colleague.setIncoming({ mode: 'answer', afterMs: 300 });
    const callerCall = await ring();
    await ui().getByRole('button', { name: 'Answer', exact: true }).click();
    const call = await con.until(() => con.live().find((c) => c.state === 'established'), 15_000, 'answered');
    await caller.expectHears({ tones: [TONES.agent] }, 10_000, callerCall);
    // Focus went to the call's next action, not to the page body.
    await expect.poll(() => ui().evaluate(() => document.activeElement?.id)).toBe(`call-${call.id}-hold`);

    // Drag the card onto Bob Lee: the row shows that it accepts the drop, the drop asks blind or attended.
    const card = ui().locator(`article[data-call-id="${call.id}"]`);
    const row = ui().locator('[data-drop-key]', { hasText: 'Bob Lee' }).first();
    await expect.poll(async () => (await card.getAttribute('data-state')) === 'established' && (await ui().locator(`#call-${call.id}-transfer`).count()) === 1).toBe(true);
    const from = (await card.boundingBox())!;
    const to = (await row.boundingBox())!;
    await ui().mouse.move(from.x + 12, from.y + 12);
    await ui().mouse.down();
    await ui().mouse.move(from.x + 40, from.y + 40, { steps: 4 });
    await ui().mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    expect(await row.getAttribute('data-verdict')).toBe('accept');
    await ui().mouse.up();
    const choice = ui().getByRole('dialog', { name: /Bob Lee/ });
    await choice.getByRole('button', { name: /^Attended/ }).click();

    const consultId = await consulting(callerCall);
    expect(consultId).toBeTruthy();
    await ui().getByRole('button', { name: 'Complete transfer' }).click();
    await completed();
  }, 120_000);

  it('keyboard alone: A answers, T opens the target search, Shift+Enter consults, C completes', async () => {
    await colleague.setIncoming({ mode: 'answer', afterMs: 300 });
    const callerCall = await ring();
    await ui().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await ui().keyboard.press('a');
    await con.until(() => con.live().find((c) => c.state === 'established'), 15_000, 'answered');
    await caller.expectHears({ tones: [TONES.agent] }, 10_000, callerCall);

    await ui().keyboard.press('t');
    const search = ui().getByRole('dialog').getByLabel('Transfer to');
    await expect.poll(() => search.evaluate((el) => el === document.activeElement)).toBe(true);
    await ui().keyboard.type('Bob');
    await ui().keyboard.press('Shift+Enter');

    await consulting(callerCall);
    // Focus is back on the call after the picker closed; C completes what main allows.
    await ui().evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await ui().keyboard.press('c');
    await completed();
    expect(con.live()).toEqual([]);
  }, 120_000);

  it('a call ringing while Settings is open shows there — bar, title and tab — and is answered from there', async () => {
    await ui().getByRole('button', { name: 'Settings', exact: true }).click();
    const callerCall = await ring();
    const bar = ui().getByTestId('incoming-bar');
    await expect.poll(() => bar.isVisible(), { timeout: 5000 }).toBe(true);
    await expect.poll(() => ui().title()).toMatch(/^Ringing: /); // set after the bar's paint
    await expect.poll(() => ui().getByTestId('announcer').textContent()).toMatch(/Incoming call from/);
    await bar.getByRole('button', { name: 'Answer', exact: true }).click();
    await con.until(() => con.live().find((c) => c.state === 'established'), 15_000, 'answered');
    await caller.expectHears({ tones: [TONES.agent] }, 10_000, callerCall);
    expect(await ui().getByRole('button', { name: 'Calls', exact: true }).getAttribute('aria-current')).toBe('page');
    await con.harness.screenshot('workspace-answered-from-settings');
  }, 120_000);
});
