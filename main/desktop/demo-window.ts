/**
 * The built-in demo's parties page (renderer/demo/, docs/demo.md) in the
 * installed app: a hidden window, sandboxed like every window of ours, that
 * exists only while the demo runs. It has no preload and asks for no
 * permission — the parties' voices are synthesised, there is no microphone —
 * and talks only to the demo switchboard on 127.0.0.1, whose control-channel
 * address main puts in its query. The core's `demoParties` port.
 */
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockDown } from './windows';

const demoPageUrl = (): string => {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  // electron-vite serves the renderer in dev; the built app loads files from out/renderer.
  if (!app.isPackaged && dev) return `${dev}/demo/index.html`;
  return pathToFileURL(join(import.meta.dirname, '../renderer/demo/index.html')).href;
};

/** Opens the hidden parties page with `query` (`?director=…`); resolves with its close once it loaded. */
export async function openDemoPartiesWindow(query: string): Promise<() => Promise<void>> {
  // The web preferences are spelled out here, as at every BrowserWindow, rather than shared with the
  // media host's through a helper: the Electron security scan (npm run lint) reads them only as a
  // literal at the constructor, and would otherwise flag this window as unsandboxed.
  const win = new BrowserWindow({
    show: false,
    // Never shown, never in the taskbar: the parties have no UI.
    skipTaskbar: true,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      // The parties keep talking while the console is minimised or hidden.
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  lockDown(win.webContents);
  try {
    await win.loadURL(`${demoPageUrl()}${query}`);
  } catch (e) {
    win.destroy();
    throw e;
  }
  return async () => {
    if (!win.isDestroyed()) win.destroy();
  };
}
