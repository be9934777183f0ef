/**
 * Composition root of the Electron app: the only place, with main/desktop/,
 * that knows Electron. It creates the windows, adapts them to the core's
 * ports, and starts the core.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import { startCore, type ConsoleCore } from './core/index';
import { createElectronUiTransport } from './desktop/ipc';
import { createElectronMediaLink } from './desktop/media-link';
import { createMusicFileChooser } from './desktop/music-dialog';
import { electronSecretStore } from './desktop/secrets';
import {
  applyProcessWideSecurity,
  createMediaHostWindow,
  createUiWindow,
  installContentSecurityPolicy,
  installPermissionPolicy,
  uiUrl,
} from './desktop/windows';
import { createLogger } from './logging/logger';

if (!app.requestSingleInstanceLock()) {
  // A second launch (e.g. a tel: link) hands over to the running console and leaves.
  app.quit();
} else {
  applyProcessWideSecurity();
  let ui: BrowserWindow | null = null;
  let media: BrowserWindow | null = null;
  let core: ConsoleCore | null = null;
  let quitting = false;

  const showUi = () => {
    if (!ui || ui.isDestroyed()) {
      ui = createUiWindow();
      ui.on('close', (event) => {
        // Closing the window hides it: the console keeps the line registered and calls up.
        if (!quitting) {
          event.preventDefault();
          ui?.hide();
        }
      });
    }
    if (ui.isMinimized()) ui.restore();
    ui.show();
    ui.focus();
  };

  // Before ready there is no window to show yet; startup shows it anyway.
  app.on('second-instance', () => {
    if (core) showUi();
  });
  // macOS: clicking the dock icon brings the hidden console back.
  app.on('activate', () => {
    if (core) showUi();
  });

  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    // Unregister and close the database before the process goes.
    event.preventDefault();
    quitting = true;
    const stopping = core;
    core = null;
    void stopping.stop().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    const dataDir = app.getPath('userData');
    const log = createLogger({ dir: app.getPath('logs'), consoleLevel: app.isPackaged ? 'warn' : 'info' });
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
    core = await startCore({
      ui: createElectronUiTransport({ ui: () => ui, media: () => media }),
      media: mediaLink,
      uiUrl,
      secrets: electronSecretStore,
      chooseMusicFile: createMusicFileChooser((...args: Parameters<typeof dialog.showOpenDialog>) => dialog.showOpenDialog(...args), () => ui),
      dataDir,
      log,
      app: {
        name: app.getName(),
        version: app.getVersion(),
        platform: process.platform,
        electron: process.versions.electron ?? null,
      },
    });
    showUi();
  });

  app.on('window-all-closed', () => {
    // The media host is never closed while running; nothing to do here — the tray keeps the app alive.
  });
}
