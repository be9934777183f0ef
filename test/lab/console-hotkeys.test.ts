/**
 * Every global hotkey, pressed against lab calls, proven by what the peers
 * HEAR. The REAL desktop shell (main/desktop/shell.ts: registration, the
 * hotkey map, execution through the call and transfer services) runs over the
 * harness's real core and UI page; only the operating system is a stand-in —
 * the shortcut registry records each accelerator's callback and a "press"
 * calls it, exactly what Electron's globalShortcut does on a key press while
 * the console is in the background. (The Electron suite presses real keys
 * where a binary and a display exist.)
 *
 *   npx electron-vite build
 *   unshare --net sh -c 'ip link set lo up; npx vitest run --project lab test/lab/console-hotkeys.test.ts'
 */
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HotkeyAction } from '../../preload/contract';
import { startDesktopShell, type DesktopShell } from '../../main/desktop/shell';
import { silentLogger } from '../../main/logging/logger';
import { until } from '../support/until';
import { startHarnessConsole, type HarnessConsole } from './console-harness';
import { labUnavailable, startLab, TONES, type Lab, type Peer } from './lab';

/** The console's default hold music, recognised as that very track by its signature (test/lab/detector.ts). */
const MUSIC = { tones: [] as number[], music: 'Lounge' };

describe.skipIf(labUnavailable())('global hotkeys drive the calls (desktop shell over the real core, peers\u2019 audio)', () => {
  let lab: Lab;
  let caller: Peer;
  let colleague: Peer;
  let con: HarnessConsole;
  let shell: DesktopShell;
  const pressed = new Map<string, () => void>();
  const shown: string[] = [];

  beforeAll(async () => {
    lab = await startLab({
      name: 'console-hotkeys',
      peers: [
        { name: 'caller', signal: 'caller' },
        { name: 'colleague', signal: 'transferee' },
      ],
      globalTimeoutMs: 300_000,
    });
    caller = lab.peer('caller');
    colleague = lab.peer('colleague');
    con = await startHarnessConsole(lab);
    const saved = await con.ui.evaluate(
      (patch) => window.consoleApi.settings.update(patch),
      {
        transfer: { undoWindowSec: 0, safeBlind: true, completeTimeoutSec: 4 },
        targets: { colleagues: [{ name: 'Bob Lee', address: colleague.uri }], queues: [] },
      },
    );
    expect(saved.ok).toBe(true);
    shell = startDesktopShell({
      core: con.core,
      window: { view: () => ({ focused: false, visible: false }), show: () => void shown.push('show'), toggle: () => {} },
      tray: null,
      notifier: { supported: false, actions: false, show: () => ({ close() {} }) },
      shortcuts: {
        register: (accelerator, fn) => (pressed.set(accelerator, fn), true),
        unregister: (accelerator) => void pressed.delete(accelerator),
      },
      autoStart: async () => ({ state: 'unsupported', message: null }),
      diagnostics: { logDir: null, versions: {}, dir: () => tmpdir(), reveal: () => {} },
      closeHint: { shown: () => true, remember: () => {} },
      quit: () => {},
      now: () => Date.now(),
      every: () => () => {},
      log: silentLogger,
    });
    await con.reloadUi();
  }, 120_000);

  afterAll(async () => {
    shell?.dispose();
    expect(pressed.size, 'every hotkey unregistered on quit').toBe(0);
    await con?.stop();
    await lab?.stop();
  }, 30_000);

  afterEach(async () => {
    for (const c of con.live()) con.core.telephony.calls.hangup(c.id);
    await con.until(() => con.live().length === 0 || null, 10_000, 'no legs left');
    await lab.reset();
  });

  /** What the OS does on the key press: the callback registered for the action's accelerator. */
  const press = (action: HotkeyAction) => {
    const accelerator = con.core.settings.file().preferences.desktop.hotkeys[action];
    const fn = pressed.get(accelerator);
    if (!fn) throw new Error(`${action}: ${accelerator} is not registered`);
    fn();
  };
  const established = () => con.until(() => con.live().find((c) => c.state === 'established'), 15_000, 'established');

  it('registers every default hotkey, and answer / hold / resume / mute / unmute / hang up act on the call', async () => {
    const registered = shell.state().hotkeys;
    expect(registered.filter((h) => h.accelerator !== '').every((h) => h.state === 'registered')).toBe(true);

    const callerCall = await caller.call(con.uri);
    await con.until(() => con.live().find((c) => c.state === 'ringing'), 15_000, 'ringing');
    press('answer');
    const call = await established();
    await caller.expectHears({ tones: [TONES.agent] }, 10_000, callerCall);

    press('hold');
    await con.until(() => con.calls().find((c) => c.id === call.id && c.hold.local && !c.holdPending), 10_000, 'held');
    await caller.expectHears(MUSIC, 10_000, callerCall);
    press('hold');
    await con.until(() => con.calls().find((c) => c.id === call.id && !c.hold.local && !c.holdPending), 10_000, 'resumed');
    await caller.expectHears({ tones: [TONES.agent], music: false }, 10_000, callerCall);

    press('mute');
    await con.until(() => con.calls().find((c) => c.id === call.id && c.muted), 10_000, 'muted');
    await caller.expectHears({ tones: [], music: false }, 10_000, callerCall);
    press('mute');
    await con.until(() => con.calls().find((c) => c.id === call.id && !c.muted), 10_000, 'unmuted');
    // The positive control of the silence above: the same stream carries the agent again.
    await caller.expectHears({ tones: [TONES.agent] }, 10_000, callerCall);

    press('hangup');
    await caller.waitForCallState(callerCall, 'terminated', 10_000);
  }, 120_000);

  it('the transfer picker hotkey opens the window\u2019s picker; complete and cancel consult act on the transfer', async () => {
    await colleague.setIncoming({ mode: 'answer', afterMs: 300 });
    // Cancel first: back to the caller, who hears the agent again.
    let callerCall = await caller.call(con.uri);
    await con.until(() => con.live().find((c) => c.state === 'ringing'), 15_000, 'ringing');
    press('answer');
    await established();
    const consult = async () => {
      shown.length = 0;
      press('transferPicker');
      expect(shown).toEqual(['show']);
      const search = con.ui.getByRole('dialog').getByLabel('Transfer to');
      await search.waitFor({ timeout: 5000 });
      await search.fill('Bob');
      await search.press('Shift+Enter');
      const leg = await colleague.waitForIncoming(15_000);
      await colleague.waitForCallState(leg, 'established', 15_000);
      await caller.expectHears(MUSIC, 10_000, callerCall);
      await colleague.expectHears({ tones: [TONES.agent] }, 10_000, leg);
      return leg;
    };
    const firstLeg = await consult();
    press('cancelConsult');
    await colleague.waitForCallState(firstLeg, 'terminated', 10_000);
    await caller.expectHears({ tones: [TONES.agent], music: false }, 10_000, callerCall);
    press('hangup');
    await caller.waitForCallState(callerCall, 'terminated', 10_000);

    // Then complete: the caller and the colleague hear each other, the agent has no leg.
    colleague.resetIncoming();
    callerCall = await caller.call(con.uri);
    await con.until(() => con.live().find((c) => c.state === 'ringing'), 15_000, 'ringing');
    press('answer');
    await established();
    await consult();
    press('completeConsult');
    await con.until(() => con.live().length === 0 || null, 15_000, 'agent released');
    const replacing = await colleague.waitForIncoming(10_000);
    await colleague.waitForCallState(replacing, 'established', 10_000);
    const followed = await until(async () => (await caller.calls()).find((c) => c.referredBy !== undefined && c.state === 'established'), {
      timeoutMs: 10_000,
      what: 'the caller\u2019s referred call',
      intervalMs: 100,
    });
    await caller.expectHears({ tones: [TONES.transferee] }, 10_000, followed.id);
    await colleague.expectHears({ tones: [TONES.caller] }, 10_000, replacing);
  }, 150_000);

  it('undo inside the undo window: nothing reaches the colleague, the caller stays with the agent; show window', async () => {
    await con.ui.evaluate(() => window.consoleApi.settings.update({ transfer: { undoWindowSec: 10 } }));
    const callerCall = await caller.call(con.uri);
    await con.until(() => con.live().find((c) => c.state === 'ringing'), 15_000, 'ringing');
    press('answer');
    const call = await established();
    const colleagueCallsBefore = (await colleague.calls()).length;
    press('transferPicker');
    const search = con.ui.getByRole('dialog').getByLabel('Transfer to');
    await search.waitFor({ timeout: 5000 });
    await search.fill('Bob');
    await search.press('Enter');
    await con.until(() => con.core.transfers.service.snapshot(call.id).phase === 'pending' || null, 5000, 'pending');
    press('undoTransfer');
    await con.until(() => con.core.transfers.service.snapshot(call.id).outcome?.result === 'undone' || null, 5000, 'undone');
    expect((await colleague.calls()).length, 'no INVITE reached the colleague').toBe(colleagueCallsBefore);
    await caller.expectHears({ tones: [TONES.agent], music: false }, 10_000, callerCall);
    shown.length = 0;
    press('showWindow');
    expect(shown).toEqual(['show']);
    await con.ui.evaluate(() => window.consoleApi.settings.update({ transfer: { undoWindowSec: 0 } }));
  }, 120_000);
});
