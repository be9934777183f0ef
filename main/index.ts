/**
 * Composition root of the Electron app: the only place, with main/desktop/,
 * that knows Electron. It creates the windows, adapts them to the core's
 * ports, starts the core, and puts the desktop shell around it — tray, call
 * notifications, global hotkeys, click-to-dial, start at login, diagnostics
 * (main/desktop/shell.ts, docs/desktop.md).
 */
import { app, dialog, globalShortcut, shell as electronShell, type BrowserWindow } from 'electron';
import { existsSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { startCore, type ConsoleCore } from './core/index';
import { applyAutoStart, electronAutoStartEnv } from './desktop/autostart';
import { electronShortcuts } from './desktop/electron-shortcuts';
import { createElectronUiTransport } from './desktop/ipc';
import { launchItems, parseDialLink, type LaunchItem } from './desktop/launch-links';
import { createElectronMediaLink } from './desktop/media-link';
import { openDemoPartiesWindow } from './desktop/demo-window';
import { createMusicFileChooser } from './desktop/music-dialog';
import { electronNotifier } from './desktop/electron-notifier';
import { quitQuestion } from './desktop/quit-guard';
import { electronSecretStore } from './desktop/secrets';
import { startDesktopShell, type DesktopShell } from './desktop/shell';
import { SipTrace, tracedSocket } from './desktop/sip-trace';
import { createElectronTray } from './desktop/tray';
import {
  applyProcessWideSecurity,
  createMediaHostWindow,
  createUiWindow,
  installContentSecurityPolicy,
  installPermissionPolicy,
  uiUrl,
} from './desktop/windows';
import { createLogger } from './logging/logger';

/** electron-builder.yml `appId`: Windows shows notifications only for an app with its user model id. */
const APP_ID = 'dev.agentconsole.desktop';

if (!app.requestSingleInstanceLock()) {
  // A second launch (e.g. a tel: link) hands its arguments to the running console (second-instance) and leaves.
  app.quit();
} else {
  applyProcessWideSecurity();
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  let ui: BrowserWindow | null = null;
  let media: BrowserWindow | null = null;
  let core: ConsoleCore | null = null;
  let desktop: DesktopShell | null = null;
  let quitting = false;
  /** The quit question is on screen: a second quit (tray, dock) does not ask twice. */
  let asking = false;
  /** Links and launch arguments that arrive before the shell is up (the link that started the console). */
  let pendingLaunch: LaunchItem[] = launchItems(process.argv);

  const shown = () => !!ui && !ui.isDestroyed() && ui.isVisible() && !ui.isMinimized();
  const showUi = () => {
    if (!ui || ui.isDestroyed()) {
      ui = createUiWindow();
      ui.on('close', (event) => {
        // Closing the window hides it: the console keeps the line registered and calls up.
        if (!quitting) {
          event.preventDefault();
          ui?.hide();
          desktop?.closedToTray();
        }
      });
      for (const change of ['show', 'hide', 'focus', 'blur', 'minimize', 'restore'] as const) {
        ui.on(change as 'show', () => desktop?.windowChanged());
      }
    }
    if (ui.isMinimized()) ui.restore();
    ui.show();
    ui.focus();
  };

  const launch = (items: LaunchItem[]) => {
    if (desktop) desktop.dial(items);
    else pendingLaunch = [...pendingLaunch, ...items];
  };

  // Before ready there is no window to show yet; startup shows it anyway.
  app.on('second-instance', (_event, argv) => {
    const items = launchItems(Array.isArray(argv) ? argv : []);
    if (items.length > 0) launch(items);
    else if (core) showUi();
  });
  // macOS hands links over as open-url, also before ready (the link that started the console).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    launch([{ source: 'link', result: parseDialLink(typeof url === 'string' ? url : '') }]);
  });
  // macOS: clicking the dock icon brings the hidden console back.
  app.on('activate', () => {
    if (core) showUi();
  });

  const stopAndQuit = () => {
    quitting = true;
    desktop?.dispose();
    desktop = null;
    const stopping = core;
    core = null;
    void (stopping ? stopping.stop() : Promise.resolve()).finally(() => app.quit());
  };

  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    // Unregister and close the database before the process goes — and never drop a call unasked.
    event.preventDefault();
    if (asking) return;
    const question = quitQuestion(core.telephony.calls.list());
    if (!question) return stopAndQuit();
    asking = true;
    if (ui && !ui.isDestroyed()) showUi();
    const options = {
      type: 'warning' as const,
      message: question.message,
      detail: question.detail,
      buttons: [...question.buttons],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    void (ui && !ui.isDestroyed() ? dialog.showMessageBox(ui, options) : dialog.showMessageBox(options))
      .then(({ response }) => {
        if (response === 1) stopAndQuit();
      })
      .catch(() => {
        // No answer is no consent: the calls stay up.
      })
      .finally(() => {
        asking = false;
      });
  });

  app.on('will-quit', () => {
    // Belt and braces: the shell unregistered its own on the way out.
    globalShortcut.unregisterAll();
  });

  void app.whenReady().then(async () => {
    const dataDir = app.getPath('userData');
    const logDir = app.getPath('logs');
    const log = createLogger({ dir: logDir, consoleLevel: app.isPackaged ? 'warn' : 'info' });
    installContentSecurityPolicy();
    installPermissionPolicy({
      ui: () => (ui && !ui.isDestroyed() ? ui.webContents : null),
      media: () => (media && !media.isDestroyed() ? media.webContents : null),
    });
    media = createMediaHostWindow();
    // One ordered MessagePort to the media host (main/desktop/media-link.ts); its `gone` ends the calls.
    const mediaLink = createElectronMediaLink(media.webContents);
    let mediaCrashes = 0;
    media.webContents.on('render-process-gone', (_e, details) => {
      log.error('media host gone', { reason: details.reason });
      // Calls on the dead host were ended with a reason; a fresh host (new port, `hello`) serves the next
      // calls. Bounded, so a host that cannot start does not spin.
      if (!quitting && media && !media.isDestroyed() && ++mediaCrashes <= 3) media.webContents.reload();
    });
    // The last SIP messages, for the diagnostics export only (main/desktop/sip-trace.ts).
    const sipTrace = new SipTrace();
    const info = {
      name: app.getName(),
      version: app.getVersion(),
      platform: process.platform,
      electron: process.versions.electron ?? null,
    };
    core = await startCore({
      ui: createElectronUiTransport({ ui: () => ui, media: () => media }),
      media: mediaLink,
      uiUrl,
      secrets: electronSecretStore,
      chooseMusicFile: createMusicFileChooser((...args: Parameters<typeof dialog.showOpenDialog>) => dialog.showOpenDialog(...args), () => ui),
      dataDir,
      log,
      app: info,
      sip: { socket: tracedSocket(sipTrace) },
      // The built-in demo's people live in a hidden window while the demo runs (docs/demo.md).
      demoParties: openDemoPartiesWindow,
    });
    showUi();

    // Packaged: resources/ sits beside the app as real files (electron-builder.yml extraResources).
    const resources = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
    const hintFile = join(dataDir, '.tray-hint-shown');
    desktop = startDesktopShell({
      core,
      window: {
        view: () => ({ focused: !!ui && !ui.isDestroyed() && ui.isFocused(), visible: shown() }),
        show: showUi,
        toggle: () => (shown() ? ui?.hide() : showUi()),
      },
      tray: (initial, on) => createElectronTray({ iconDir: join(resources, 'tray'), onCommand: on.command, onClick: on.click, initial }),
      notifier: electronNotifier(process.platform, join(resources, 'icons/128x128.png')),
      shortcuts: electronShortcuts(),
      autoStart: (on) => applyAutoStart(on, electronAutoStartEnv()),
      diagnostics: {
        dir: () => {
          try {
            return app.getPath('downloads');
          } catch {
            return join(dataDir, 'diagnostics');
          }
        },
        reveal: (path) => electronShell.showItemInFolder(path),
        logDir,
        versions: { ...info, chrome: process.versions.chrome, node: process.versions.node, v8: process.versions.v8, arch: process.arch, os: release() },
        sipTrace: () => sipTrace.text(),
      },
      closeHint: {
        shown: () => existsSync(hintFile),
        remember: () => {
          try {
            writeFileSync(hintFile, '');
          } catch (e) {
            log.warn('desktop: tray hint mark not written', { error: String(e) });
          }
        },
      },
      quit: () => app.quit(),
      now: Date.now,
      every: (ms, fn) => {
        const t = setInterval(fn, ms);
        t.unref?.();
        return () => clearInterval(t);
      },
      log: log.scope('desktop'),
    });
    const launched = pendingLaunch;
    pendingLaunch = [];
    if (launched.length > 0) desktop.dial(launched);
  });

  app.on('window-all-closed', () => {
    // The media host is never closed while running; nothing to do here — the tray keeps the app alive.
  });
}
