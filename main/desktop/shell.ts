/**
 * The installed app's shell around the core: tray, call notifications,
 * global hotkeys, click-to-dial, start at login and the diagnostics export,
 * plugged into the core (`attachDesktop`: the desktop:* channels and the call
 * alerts). Plain TypeScript over ports — the window, the tray, the system's
 * notifications and shortcuts, the login item, the file manager — so all of
 * it runs in Node under test; main/index.ts hands it the Electron adapters.
 *
 * Hotkeys, notification buttons and the tray act through the core's services
 * (call service, transfer service, agent status), never through the UI. The
 * UI is told only what it shows: desktop:changed, a dial request to pre-fill,
 * the transfer picker to open.
 */
import {
  ConsoleError,
  contract,
  type DesktopState,
  type DialRequest,
  type DiagnosticsWritten,
  type HotkeyAction,
} from '../../preload/contract';
import type { ConsoleCore } from '../core/index';
import type { Logger } from '../logging/logger';
import type { AutoStartState } from './autostart';
import { writeDiagnostics, type DiagnosticsSources } from './diagnostics';
import { commandFor, type HotkeyCommand } from './hotkey-map';
import { createHotkeys, type GlobalShortcuts } from './hotkeys';
import type { LaunchItem } from './launch-links';
import type { WindowView } from './notification-policy';
import { createCallNotifications, type Notifier } from './notifications';
import type { TrayView } from './tray';
import { trayModel, type TrayCommand, type TrayModel } from './tray-model';

/** The console window as the shell needs it. */
export interface ShellWindow {
  view(): WindowView;
  show(): void;
  /** Shown → hidden, hidden → shown (the tray's click). */
  toggle(): void;
}

export type ShellCore = Pick<
  ConsoleCore,
  'router' | 'telephony' | 'transfers' | 'agent' | 'settings' | 'notice' | 'onPreferencesChanged' | 'attachDesktop'
> & { readonly history?: ConsoleCore['history']; readonly recording?: ConsoleCore['recording'] };

export interface ShellPorts {
  core: ShellCore;
  window: ShellWindow;
  /** Builds the tray with its first model; null where the system has none. */
  tray: ((initial: TrayModel, on: { command(c: TrayCommand): void; click(): void }) => TrayView) | null;
  notifier: Notifier;
  shortcuts: GlobalShortcuts;
  autoStart: (on: boolean) => Promise<AutoStartState>;
  diagnostics: Omit<DiagnosticsSources, 'settings' | 'state' | 'now'> & {
    /** Where the zip goes. */
    dir: () => string;
    /** Shows the file in the system's file manager. */
    reveal(path: string): void;
  };
  /** The "still running in the tray" hint was shown once already (kept across runs). */
  closeHint: { shown(): boolean; remember(): void };
  quit: () => void;
  now: () => number;
  /** Refreshes the tray's wrap-up time left; injected so tests need no real timers. */
  every: (ms: number, fn: () => void) => () => void;
  log: Logger;
}

export interface DesktopShell {
  /** Launch arguments or an opened link (second instance, macOS open-url, first start). */
  dial(items: readonly LaunchItem[]): void;
  /** The window was shown or hidden (the tray's menu says which it offers). */
  windowChanged(): void;
  /** The window was closed to the tray: the first time ever, the agent is told it still runs. */
  closedToTray(): void;
  state(): DesktopState;
  /** Runs a hotkey's action now (also what a registered accelerator does). */
  runHotkey(action: HotkeyAction): HotkeyCommand;
  /** Unregisters hotkeys, closes notifications, removes the tray, detaches from the core. Safe twice. */
  dispose(): void;
}

/** A dial request waits this long for a UI that was still starting. */
const DIAL_REQUEST_TTL_MS = 2 * 60 * 1000;

export function startDesktopShell(p: ShellPorts): DesktopShell {
  const { core, log } = p;
  const calls = core.telephony.calls;
  let autoStart: AutoStartState = { state: 'off', message: null };
  let appliedOpenAtLogin: boolean | null = null;
  let pendingDial: DialRequest | null = null;
  let dialSeq = 0;
  let lastExport: string | null = null;
  let disposed = false;
  let lastState = '';

  const state = (): DesktopState => ({
    hotkeys: hotkeys.statuses(),
    autoStart,
    notifications: { supported: p.notifier.supported, actions: p.notifier.actions },
  });
  const publishState = () => {
    const s = state();
    const key = JSON.stringify(s);
    if (key === lastState || disposed) return;
    lastState = key;
    core.router.push(contract.desktop.changed, s);
  };

  // ── hotkeys ──
  const execute = (command: HotkeyCommand) => {
    switch (command.kind) {
      case 'call':
        return calls[command.action](command.callId);
      case 'transfer':
        return void core.transfers.service.intent(command.callId, command.intent);
      case 'picker':
        p.window.show();
        return core.router.push(contract.desktop.openPicker, { callId: command.callId });
      case 'show-window':
        return p.window.show();
      case 'none':
        return;
    }
  };
  const runHotkey = (action: HotkeyAction): HotkeyCommand => {
    const command = commandFor(action, calls.list(), core.transfers.service.list());
    log.info('hotkeys: pressed', { action, command: command.kind, ...(command.kind === 'none' && { why: command.why }) });
    try {
      execute(command);
    } catch (e) {
      // Refused by the service (the call moved on between the press and now): the call card shows why.
      log.warn('hotkeys: action refused', { action, error: String(e) });
    }
    return command;
  };
  const hotkeys = createHotkeys({
    shortcuts: p.shortcuts,
    hotkeys: () => core.settings.file().preferences.desktop.hotkeys,
    run: (action) => void runHotkey(action),
    onChange: publishState,
    log,
  });

  // ── notifications ──
  const notifications = createCallNotifications({
    notifier: p.notifier,
    window: () => p.window.view(),
    quiet: () => core.agent.view().quiet,
    answer: (callId) => calls.answer(callId),
    decline: (callId) => calls.decline(callId),
    showConsole: () => p.window.show(),
    log,
  });

  // ── tray ──
  const model = () =>
    trayModel({
      line: core.telephony.lineStatus().state,
      calls: calls.list(),
      agent: core.agent.view(),
      windowVisible: p.window.view().visible,
      missed: unseenMissed(),
      notRecording: core.recording?.status().state === 'waiting',
      now: p.now(),
    });
  /** The history's count of missed calls not yet seen; none when the history could not be opened. */
  const unseenMissed = () => {
    try {
      return core.history?.missedCalls().unseen ?? 0;
    } catch {
      return 0;
    }
  };
  const onTrayCommand = (command: TrayCommand) => {
    try {
      switch (command) {
        case 'status:available':
          return void core.agent.set('available');
        case 'status:away':
          return void core.agent.set('away');
        case 'status:wrap-up':
          return void core.agent.set('wrap-up');
        case 'wrap-up:extend':
          return void core.agent.extendWrapUp();
        case 'wrap-up:end':
          return void core.agent.endWrapUp();
        case 'do-not-disturb':
          return void core.agent.setDoNotDisturb(!core.agent.view().doNotDisturb);
        case 'window':
          return p.window.toggle();
        case 'missed':
          // The History tab carries the count; the window opens on the agent's last view.
          return p.window.show();
        case 'quit':
          return p.quit();
      }
    } catch (e) {
      log.warn('tray: command refused', { command, error: String(e) });
    } finally {
      // A radio item Electron ticked by itself is put back to what is true.
      refreshTray();
    }
  };
  let tray: TrayView | null = null;
  try {
    tray = p.tray?.(model(), { command: onTrayCommand, click: () => p.window.toggle() }) ?? null;
  } catch (e) {
    log.warn('tray: not created', { error: String(e) });
  }
  let stopTicking: (() => void) | null = null;
  function refreshTray() {
    if (disposed) return;
    const m = model();
    tray?.update(m);
    // The tooltip counts the wrap-up down; nothing ticks outside one.
    const wrapping = core.agent.view().status === 'wrap-up';
    if (wrapping && !stopTicking) stopTicking = p.every(5000, () => tray?.update(model()));
    if (!wrapping && stopTicking) {
      stopTicking();
      stopTicking = null;
    }
  }

  // ── start at login ──
  const applyAutoStart = async () => {
    const on = core.settings.file().preferences.desktop.openAtLogin;
    if (on === appliedOpenAtLogin) return;
    appliedOpenAtLogin = on;
    autoStart = await p.autoStart(on);
    if (autoStart.state === 'failed') log.warn('desktop: start at login', { message: autoStart.message });
    publishState();
  };

  // ── wiring ──
  let offHistory: (() => void) | null = null;
  const followHistory = () => {
    if (!offHistory && core.history) offHistory = core.history.onChange(() => refreshTray());
  };
  followHistory();
  const offs = [
    core.telephony.onLineStatus(() => refreshTray()),
    calls.onFact(() => refreshTray()),
    core.agent.onChange(() => refreshTray()),
    () => offHistory?.(),
    // Calls not recorded show in the tray too; and a history that could not be opened at start is
    // followed from the moment it can be (its missed-call count joins the tray then).
    core.recording?.onChange(() => {
      followHistory();
      refreshTray();
    }) ?? (() => {}),
    core.onPreferencesChanged(() => {
      hotkeys.apply();
      void applyAutoStart();
    }),
  ];
  const detach = core.attachDesktop({
    alerts: notifications,
    handlers: {
      state,
      takeDialRequest() {
        const request = pendingDial;
        pendingDial = null;
        return request && p.now() - request.at <= DIAL_REQUEST_TTL_MS ? request : null;
      },
      async exportDiagnostics(): Promise<DiagnosticsWritten> {
        try {
          const written = await writeDiagnostics(p.diagnostics.dir(), {
            ...p.diagnostics,
            settings: () => core.settings.view(),
            state: () => ({
              line: core.telephony.lineStatus(),
              calls: calls.list(),
              transfers: core.transfers.service.list(),
              agent: core.agent.view(),
              desktop: state(),
            }),
            now: p.now,
          });
          lastExport = written.path;
          log.info('desktop: diagnostics written', { path: written.path, bytes: written.bytes });
          return written;
        } catch (e) {
          log.error('desktop: diagnostics not written', { error: String(e) });
          throw new ConsoleError('storage', `The diagnostics could not be written: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
      showDiagnostics() {
        if (!lastExport) throw new ConsoleError('not-found', 'No diagnostics were exported since the console started.');
        p.diagnostics.reveal(lastExport);
      },
    },
  });
  hotkeys.apply();
  void applyAutoStart();
  refreshTray();

  return {
    dial(items) {
      if (disposed) return;
      for (const item of items) {
        if (!item.result.ok) {
          log.warn('desktop: dial request refused', { source: item.source });
          core.notice('warning', item.result.message);
        }
      }
      // Several at once (a launcher passing more than one link): the last one is what the agent clicked last.
      const last = [...items].reverse().find((i) => i.result.ok);
      if (!last || !last.result.ok) return;
      pendingDial = { id: `dial-${++dialSeq}`, number: last.result.number, source: last.source, at: p.now() };
      p.window.show();
      core.router.push(contract.desktop.dialRequest, pendingDial);
    },
    windowChanged: () => refreshTray(),
    closedToTray() {
      refreshTray();
      if (p.closeHint.shown()) return;
      p.closeHint.remember();
      if (!p.notifier.supported) return;
      try {
        p.notifier.show(
          {
            title: 'Agent Console is still running',
            body: 'Calls still ring and your line stays registered. Open it again from the tray icon; quit from the tray menu.',
            actions: [],
            silent: true,
            sticky: false,
          },
          { click: () => p.window.show(), action: () => {}, closed: () => {} },
        );
      } catch (e) {
        log.warn('desktop: tray hint not shown', { error: String(e) });
      }
    },
    state,
    runHotkey,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const off of offs) off();
      detach();
      stopTicking?.();
      stopTicking = null;
      hotkeys.dispose();
      notifications.dispose();
      tray?.dispose();
      tray = null;
    },
  };
}
