/**
 * UiTransport over Electron's ipcMain. It only translates: the trust decision
 * and payload validation live in main/ipc/router.ts.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { IpcSender, UiTransport } from '../ipc/router';

export function createElectronUiTransport(windows: {
  ui: () => BrowserWindow | null;
  media: () => BrowserWindow | null;
}): UiTransport {
  const describe = (event: IpcMainInvokeEvent): IpcSender => {
    const ui = windows.ui();
    const media = windows.media();
    const frame = event.senderFrame;
    const window =
      ui && !ui.isDestroyed() && event.sender === ui.webContents
        ? 'ui'
        : media && !media.isDestroyed() && event.sender === media.webContents
          ? 'media'
          : 'unknown';
    return {
      window,
      isMainFrame: frame !== null && frame === event.sender.mainFrame,
      frameUrl: frame?.url ?? '',
    };
  };
  return {
    handle(channel, listener) {
      ipcMain.handle(channel, (event, payload: unknown) => listener(describe(event), payload));
      return () => ipcMain.removeHandler(channel);
    },
    push(channel, payload) {
      const ui = windows.ui();
      if (ui && !ui.isDestroyed()) ui.webContents.send(channel, payload);
    },
  };
}
