/**
 * A call that arrived by transfer, in the built UI through the real core:
 * the card reads "Transferred to you by Bob Lee" while it rings and once it
 * is answered, and axe-core finds nothing in either theme (contrast of the
 * muted line included). The snapshot is pushed as main pushes it, validated
 * by the contract on the way (test/support/workspace-fixtures.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness/index';
import { uiUnbuilt } from '../harness/built';
import { expectNoA11yViolations } from '../support/a11y-strict';
import { callSnapshot } from '../support/call-snapshot';
import { establishedCall, pushWorkspace } from '../support/workspace-fixtures';

const bob = { number: '2001', uri: 'sip:2001@pbx.example.com', displayName: 'Bob Lee' };
const now = Date.now();

describe.skipIf(uiUnbuilt())('call card: transferred to you by …', () => {
  let h: Harness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ui-transferred-'));
    h = await startHarness({ dataDir, viewport: { width: 1280, height: 800 } });
    await h.ui.waitForFunction(() => typeof window.consoleApi === 'object');
    await h.ui.getByRole('button', { name: 'Calls', exact: true }).click();
  });
  afterAll(async () => {
    await h?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function bothThemes() {
    for (const scheme of ['light', 'dark'] as const) {
      await h.ui.emulateMedia({ colorScheme: scheme });
      await h.ui.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, scheme === 'dark');
      await h.ui.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await expectNoA11yViolations(h.ui);
    }
    await h.ui.emulateMedia({ colorScheme: 'light' });
  }

  it('ringing, then answered: the card names who transferred the caller', async () => {
    const caller = { number: '+44 20 7946 0018', uri: 'sip:+442079460018@pbx.example.com', displayName: 'Alice Martin' };
    pushWorkspace(h, [callSnapshot({ id: 't1', remote: caller, startedAt: now - 2000, transferredBy: bob })]);
    await h.ui.getByText('Transferred to you by Bob Lee').waitFor();
    await bothThemes();
    pushWorkspace(h, [establishedCall('t1', 'Alice Martin', '+44 20 7946 0018', now - 1000, { transferredBy: bob })]);
    await h.ui.getByRole('button', { name: 'Hang up' }).waitFor();
    expect(await h.ui.getByText('Transferred to you by Bob Lee').count()).toBe(1);
    await bothThemes();
  });
});
