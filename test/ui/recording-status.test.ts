/**
 * The recording banner in the built UI through the real core: pushed as main
 * pushes it (validated by the contract), it sits under the header, says why
 * calls are not recorded and what to do, and axe-core finds nothing in either
 * theme — contrast included — for the problem and for "recording again".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type RecordingStatus } from '../../preload/contract';
import { startHarness, type Harness } from '../harness/index';
import { uiUnbuilt } from '../harness/built';
import { expectNoA11yViolations } from '../support/a11y-strict';

describe.skipIf(uiUnbuilt())('recording banner', () => {
  let h: Harness;
  let dataDir: string;
  let status: RecordingStatus;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-recording-'));
    h = await startHarness({ dataDir, viewport: { width: 1280, height: 800 } });
    await h.ui.waitForFunction(() => typeof window.consoleApi === 'object');
    status = h.core.recording.status();
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const push = (s: RecordingStatus) => (h.core.router as unknown as { push: (c: unknown, p: unknown) => void }).push(contract.history.recordingChanged, s);

  async function bothThemes() {
    for (const scheme of ['light', 'dark'] as const) {
      await h.ui.emulateMedia({ colorScheme: scheme });
      await h.ui.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, scheme === 'dark');
      await h.ui.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await expectNoA11yViolations(h.ui);
    }
    await h.ui.emulateMedia({ colorScheme: 'light' });
  }

  it('a full disk: an alert under the header with what to do; then "recording again", dismissable', async () => {
    expect(status).toMatchObject({ state: 'recording' });
    push({ ...status, state: 'waiting', problem: 'disk-full', message: 'full', since: 1, waitingEvents: 7, waitingCalls: 2 });
    const alert = h.ui.getByTestId('recording-status').getByRole('alert');
    await alert.getByText('Calls are not being recorded: the disk is full.').waitFor();
    expect(await alert.textContent()).toContain('2 calls are waiting to be written.');
    await bothThemes();

    push({ ...status, writtenBack: { calls: 2, events: 7, at: 5 } });
    const back = h.ui.getByRole('button', { name: 'Dismiss: Recording again: 2 calls written.' });
    await back.waitFor();
    await bothThemes();
    await back.click();
    await back.waitFor({ state: 'detached' });
  });
});
