/**
 * UiTransport over Electron's ipcMain. It only translates: the trust decision
 * and payload validation live in main/ipc/router.ts, which gets from here an
 * honest description of who sent each message.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { IpcSender, UiTransport } from '../ipc/router';

type WindowRef = () => BrowserWindow | null;

const contentsOf = (ref: WindowRef): WebContents | null => {
  const win = ref();
  return win && !win.isDestroyed() ? win.webContents : null;
};

/**
 * Which of our windows sent the message, whether it came from that window's
 * top frame, and that frame's URL. `senderFrame` is null when the frame has
 * navigated away or been destroyed since it sent: such a message counts as
 * coming from no frame at all (and the router refuses it).
 */
export function describeSender(event: IpcMainInvokeEvent, windows: { ui: WindowRef; media: WindowRef }): IpcSender {
  const frame = event.senderFrame;
  const window =
    event.sender === contentsOf(windows.ui) ? 'ui' : event.sender === contentsOf(windows.media) ? 'media' : 'unknown';
  // The top frame has no parent; comparing ids (not wrapper objects) with the
  // contents' main frame rules out a child frame of another page.
  const main = event.sender.mainFrame;
  const isMainFrame =
    frame !== null && frame.parent === null && frame.processId === main.processId && frame.routingId === main.routingId;
  return { window, isMainFrame, frameUrl: frame?.url ?? '' };
}

export function createElectronUiTransport(windows: { ui: WindowRef; media: WindowRef }): UiTransport {
  return {
    handle(channel, listener) {
      ipcMain.handle(channel, (event, payload: unknown) => listener(describeSender(event, windows), payload));
      return () => ipcMain.removeHandler(channel);
    },
    push(channel, payload) {
      // A closed (hidden) UI re-reads state when it opens; nothing queues here.
      contentsOf(windows.ui)?.send(channel, payload);
    },
  };
}
