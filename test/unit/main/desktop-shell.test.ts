/**
 * The desktop shell around the REAL core (startCore, a fake SIP line handing
 * out calls) with Electron's adapters over the mocked module: a call rings →
 * a notification with Answer/Decline (not while the window has the focus, not
 * while quiet), a hotkey answers it, the tray follows line, calls and agent
 * and its menu acts; click-to-dial pre-fills (never dials) and refuses with a
 * notice; hotkey conflicts and start at login reach the UI through
 * desktop:state / desktop:changed; diagnostics export; dispose leaves nothing.
 */
import type * as Electron from 'electron';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { AutoStartState } from '../../../main/desktop/autostart';
import { startDesktopShell, type DesktopShell } from '../../../main/desktop/shell';
import { electronShortcuts } from '../../../main/desktop/electron-shortcuts';
import { launchItems } from '../../../main/desktop/launch-links';
import { electronNotifier } from '../../../main/desktop/electron-notifier';
import { createElectronTray } from '../../../main/desktop/tray';
import { silentLogger } from '../../../main/logging/logger';
import { defaultHotkeys, type DesktopState, type DialRequest, type Notice } from '../../../preload/contract';
import { fakeTelephony, type FakeTelephony } from '../../support/call-leg';
import { startTestCore, type TestCore } from '../../support/core';

type FakeNotification = InstanceType<typeof Electron.Notification> & { options: { title: string; actions: unknown[] }; closed: boolean; _emit(e: string, ...a: unknown[]): void };
type FakeTray = InstanceType<typeof Electron.Tray> & { image: { path: string }; tooltip: string; _click(id: string): void; _emit(e: string): void; destroyed: boolean };
type Shortcuts = typeof Electron.globalShortcut & { _taken: Set<string>; _registered: Map<string, () => void>; _press(a: string): void };

let dir: string;
let notifications: FakeNotification[];
let trays: FakeTray[];
let shortcuts: Shortcuts;
let t: TestCore;
let tel: FakeTelephony;
let shell: DesktopShell;
let win: { focused: boolean; visible: boolean; show: Mock<() => void>; toggle: Mock<() => void> };
let ports: { quit: Mock<() => void>; reveal: Mock<(path: string) => void>; autoStart: Mock<(on: boolean) => Promise<AutoStartState>>; hint: boolean; ticks: number };

beforeEach(async () => {
  vi.clearAllMocks();
  dir = mkdtempSync(join(tmpdir(), 'desktop-shell-'));
  const electron = await import('electron');
  notifications = (electron.Notification as unknown as { created: FakeNotification[] }).created;
  notifications.length = 0;
  (electron.Notification as unknown as { supported: boolean }).supported = true;
  trays = (electron.Tray as unknown as { created: FakeTray[] }).created;
  trays.length = 0;
  shortcuts = electron.globalShortcut as Shortcuts;
  shortcuts._taken.clear();
  shortcuts._registered.clear();
  t = await startTestCore({ dataDir: dir });
  tel = fakeTelephony();
  t.core.telephony.calls.attach(tel.telephony);
  win = {
    focused: false,
    visible: false,
    show: vi.fn<() => void>(() => {
      win.visible = true;
      win.focused = true;
    }),
    toggle: vi.fn<() => void>(),
  };
  ports = {
    quit: vi.fn<() => void>(),
    reveal: vi.fn<(path: string) => void>(),
    autoStart: vi.fn(async (on: boolean): Promise<AutoStartState> => ({ state: on ? 'on' : 'off', message: null })),
    hint: false,
    ticks: 0,
  };
  shell = startDesktopShell({
    core: t.core,
    window: { view: () => ({ focused: win.focused, visible: win.visible }), show: win.show, toggle: win.toggle },
    tray: (initial, on) => createElectronTray({ iconDir: '/res/tray', onCommand: on.command, onClick: on.click, initial }),
    notifier: electronNotifier('darwin'),
    shortcuts: electronShortcuts(),
    autoStart: ports.autoStart,
    diagnostics: { dir: () => join(dir, 'exports'), reveal: ports.reveal, logDir: null, versions: { app: '0.1.0' }, sipTrace: () => '' },
    closeHint: { shown: () => ports.hint, remember: () => (ports.hint = true) },
    quit: ports.quit,
    now: Date.now,
    every: (_ms, _fn) => {
      ports.ticks++;
      return () => ports.ticks--;
    },
    log: silentLogger,
  });
});

afterEach(async () => {
  shell.dispose();
  await t.core.stop();
  rmSync(dir, { recursive: true, force: true });
});

const state = async () => {
  const r = await t.ui.invoke('desktop:state');
  if (!r.ok) throw new Error(r.message);
  return r.value as DesktopState;
};
const tray = () => trays[0]!;

describe('the desktop shell', () => {
  it('a ringing call shows a notification; its Answer button answers through the call service and the notification goes', () => {
    const leg = tel.ring('a', { remote: { number: '2002', uri: 'sip:2002@lab.test', displayName: 'Ada' } });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.options).toMatchObject({ title: 'Incoming call: Ada (2002)', actions: [{ type: 'button', text: 'Answer' }, { type: 'button', text: 'Decline' }] });
    expect(tray().image.path).toBe('/res/tray/ringing.png');
    notifications[0]!._emit('action', 0);
    expect(leg.commands).toEqual(['answer']);
    leg.emit({ type: 'sip.accepted' });
    expect(notifications[0]!.closed).toBe(true);
    expect(tray().image.path).toBe('/res/tray/in-call.png');
  });

  it('Decline declines; no notification while the window has the focus or while the agent is quiet', () => {
    const a = tel.ring('a');
    notifications[0]!._emit('action', 1);
    expect(a.commands).toEqual(['decline 486']);
    win.visible = win.focused = true;
    tel.ring('b');
    expect(notifications).toHaveLength(1);
    win.visible = win.focused = false;
    t.core.agent.set('away');
    tel.ring('c');
    expect(notifications).toHaveLength(1);
  });

  it('the answer hotkey answers the ringing call while the console is in the background', () => {
    const leg = tel.ring('a');
    shortcuts._press(defaultHotkeys.answer);
    expect(leg.commands).toEqual(['answer']);
    leg.emit({ type: 'sip.accepted' });
    shortcuts._press('MediaPlayPause'); // headset button: nothing rings, so it hangs up
    expect(leg.commands).toEqual(['answer', 'hangup']);
    expect(win.show).not.toHaveBeenCalled();
  });

  it('the transfer hotkey opens the picker for the talking call and shows the window', () => {
    const leg = tel.ring('a');
    t.core.telephony.calls.answer('a');
    leg.emit({ type: 'sip.accepted' });
    // Without a SIP line there is no account domain, so main offers no transfer yet: nothing happens.
    shortcuts._press(defaultHotkeys.transferPicker);
    expect(t.ui.pushed('desktop:open-picker')).toEqual([]);
    // With one (as the transfer service says once the line is up), the picker opens.
    const service = t.core.transfers.service;
    const list = service.list.bind(service);
    vi.spyOn(service, 'list').mockImplementation(() => list().map((s) => (s.callId === 'a' ? { ...s, allowedActions: ['blind', 'attended'] } : s)));
    shortcuts._press(defaultHotkeys.transferPicker);
    expect(t.ui.pushed('desktop:open-picker')).toEqual([{ callId: 'a' }]);
    expect(win.show).toHaveBeenCalled();
  });

  it('reports every hotkey in desktop:state; a taken one with its reason, pushed again after the settings change', async () => {
    expect((await state()).hotkeys.every((h) => h.state === 'registered')).toBe(true);
    shortcuts._taken.add('Control+Alt+Q');
    const r = await t.ui.invoke('settings:update', { desktop: { hotkeys: { ...defaultHotkeys, mute: 'ctrl+alt+q' } } });
    expect(r.ok).toBe(true);
    const mute = (await state()).hotkeys.find((h) => h.action === 'mute');
    expect(mute).toMatchObject({ accelerator: 'Control+Alt+Q', state: 'taken', message: expect.stringContaining('another program uses it') });
    expect(t.ui.pushed<DesktopState>('desktop:changed').at(-1)?.hotkeys.find((h) => h.action === 'mute')?.state).toBe('taken');
    expect(shortcuts._registered.has(defaultHotkeys.mute)).toBe(false);
  });

  it('refuses an invalid hotkey under its field and keeps the old registration', async () => {
    const r = await t.ui.invoke('settings:update', { desktop: { hotkeys: { ...defaultHotkeys, answer: 'A' } } });
    expect(r).toMatchObject({ ok: false, code: 'invalid-request', fields: { 'desktop.hotkeys.answer': expect.stringMatching(/Add Control, Alt, Command or Super/) } });
    expect(shortcuts._registered.has(defaultHotkeys.answer)).toBe(true);
  });

  it('applies start at login when the preference changes, and shows its state', async () => {
    await vi.waitFor(() => expect(ports.autoStart).toHaveBeenCalledWith(false));
    await t.ui.invoke('settings:update', { desktop: { openAtLogin: true } });
    await vi.waitFor(async () => expect((await state()).autoStart).toEqual({ state: 'on', message: null }));
    expect(ports.autoStart).toHaveBeenCalledTimes(2);
    await t.ui.invoke('settings:update', { agent: { wrapUpSec: 10 } }); // another section: not applied again
    expect(ports.autoStart).toHaveBeenCalledTimes(2);
    expect((await state()).notifications).toEqual({ supported: true, actions: true });
  });

  it('a tel: link pre-fills the dialer (never dials) and shows the window; a malformed one becomes a notice', async () => {
    shell.dial(launchItems(['/opt/agent-console', 'tel:+49-30-1234', 'sip:2002@pbx?Replaces=x']));
    const request = t.ui.pushed<DialRequest>('desktop:dial-request');
    expect(request).toEqual([{ id: 'dial-1', number: '+49301234', source: 'link', at: expect.any(Number) }]);
    expect(win.show).toHaveBeenCalled();
    expect(tel.legs).toHaveLength(0);
    expect(t.ui.pushed<Notice>('app:notice').map((n) => n.message)).toEqual([expect.stringMatching(/headers/)]);
    // A UI that was still starting takes it once.
    expect(await t.ui.invoke('desktop:take-dial-request')).toEqual({ ok: true, value: request[0] });
    expect(await t.ui.invoke('desktop:take-dial-request')).toEqual({ ok: true, value: null });
  });

  it('the tray menu sets the status and do-not-disturb, toggles the window, quits', () => {
    tray()._click('status:away');
    expect(t.core.agent.view().status).toBe('away');
    // No SIP account here: the icon says offline, the tooltip has the status.
    expect(tray().image.path).toBe('/res/tray/offline.png');
    expect(tray().tooltip).toBe('Agent Console: no SIP account · away');
    tray()._click('status:wrap-up');
    expect(t.core.agent.view().status).toBe('wrap-up');
    expect(ports.ticks).toBe(1); // the tooltip counts the wrap-up down
    tray()._click('wrap-up:end');
    expect(t.core.agent.view().status).toBe('available');
    expect(ports.ticks).toBe(0);
    tray()._click('do-not-disturb');
    expect(t.core.agent.view().doNotDisturb).toBe(true);
    tray()._click('window');
    expect(win.toggle).toHaveBeenCalledOnce();
    tray()._emit('click');
    expect(win.toggle).toHaveBeenCalledTimes(2);
    tray()._click('quit');
    expect(ports.quit).toHaveBeenCalledOnce();
  });

  it('closing to the tray tells the agent once, ever', () => {
    shell.closedToTray();
    shell.closedToTray();
    expect(notifications.map((n) => n.options.title)).toEqual(['Agent Console is still running']);
  });

  it('exports diagnostics through desktop:export-diagnostics and shows the file', async () => {
    expect(await t.ui.invoke('desktop:show-diagnostics')).toMatchObject({ ok: false, code: 'not-found' });
    const r = await t.ui.invoke('desktop:export-diagnostics');
    expect(r).toMatchObject({ ok: true, value: { path: expect.stringContaining(join(dir, 'exports')), entries: expect.arrayContaining(['settings.json', 'state.json', 'sip-trace.txt']) } });
    const path = (r as { value: { path: string } }).value.path;
    expect(existsSync(path)).toBe(true);
    expect(await t.ui.invoke('desktop:show-diagnostics')).toEqual({ ok: true, value: null });
    expect(ports.reveal).toHaveBeenCalledWith(path);
  });

  it('dispose unregisters the hotkeys, removes the tray, closes notifications and detaches from the core', async () => {
    tel.ring('a');
    shell.dispose();
    expect(shortcuts._registered.size).toBe(0);
    expect(tray().destroyed).toBe(true);
    expect(notifications[0]!.closed).toBe(true);
    expect(await t.ui.invoke('desktop:state')).toMatchObject({ ok: false, code: 'unavailable' });
    tel.ring('b');
    expect(notifications).toHaveLength(1);
  });
});

describe('the desktop shell and the history\u2019s recording', () => {
  it('the tray says calls are not being recorded while the history waits for its storage, and stops saying it when it writes again', () => {
    shell.dispose();
    trays.length = 0;
    let status: { state: 'recording' | 'waiting' } = { state: 'recording' };
    const listeners = new Set<(s: typeof status) => void>();
    const recording = {
      status: () => status as ReturnType<TestCore['core']['recording']['status']>,
      onChange: (l: (s: typeof status) => void) => (listeners.add(l), () => void listeners.delete(l)),
    };
    const set = (state: 'recording' | 'waiting') => {
      status = { state };
      for (const l of [...listeners]) l(status);
    };
    shell = startDesktopShell({
      core: Object.assign(Object.create(t.core) as typeof t.core, { recording }),
      window: { view: () => ({ focused: win.focused, visible: win.visible }), show: win.show, toggle: win.toggle },
      tray: (initial, on) => createElectronTray({ iconDir: '/res/tray', onCommand: on.command, onClick: on.click, initial }),
      notifier: electronNotifier('darwin'),
      shortcuts: electronShortcuts(),
      autoStart: ports.autoStart,
      diagnostics: { dir: () => join(dir, 'exports'), reveal: ports.reveal, logDir: null, versions: { app: '0.1.0' }, sipTrace: () => '' },
      closeHint: { shown: () => ports.hint, remember: () => (ports.hint = true) },
      quit: ports.quit,
      now: Date.now,
      every: () => () => {},
      log: silentLogger,
    });
    expect(tray().tooltip).not.toContain('calls not being recorded');
    set('waiting');
    expect(tray().tooltip).toContain('calls not being recorded');
    set('recording');
    expect(tray().tooltip).not.toContain('calls not being recorded');
    shell.dispose();
    expect(listeners.size).toBe(0);
  });
});
