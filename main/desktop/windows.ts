/**
 * The two windows and their security posture. Both are sandboxed with
 * contextIsolation and no Node integration; navigation, new windows and
 * webviews are refused; only the media host may use the microphone.
 */
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const rendererUrl = (page: 'ui' | 'media'): string => {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  // electron-vite serves the renderer in dev; the built app loads files from out/renderer.
  if (!app.isPackaged && dev) return `${dev}/${page}/index.html`;
  return pathToFileURL(join(import.meta.dirname, `../renderer/${page}/index.html`)).href;
};

export const uiUrl = () => rendererUrl('ui');
export const mediaUrl = () => rendererUrl('media');

const lockDown = (contents: WebContents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links the agent clicks (help, CRM) open in the system browser, never inside the console.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
};

export function installPermissionPolicy(mediaContents: () => WebContents | null): void {
  const allowed = (contents: WebContents | null, permission: string, mediaTypes?: string[]) =>
    permission === 'media' &&
    contents !== null &&
    contents === mediaContents() &&
    (mediaTypes ?? ['audio']).every((t) => t === 'audio');
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(allowed(contents, permission, 'mediaTypes' in details ? details.mediaTypes : undefined));
  });
  session.defaultSession.setPermissionCheckHandler((contents, permission) =>
    permission === 'media' ? contents !== null && contents === mediaContents() : false,
  );
}

export function createUiWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Agent Console',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/ui.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
    },
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(uiUrl());
  return win;
}

export function createMediaHostWindow(): BrowserWindow {
  const win = new BrowserWindow({
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/media.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      // Calls must keep their timers and audio while the console is minimised or hidden.
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  lockDown(win.webContents);
  void win.loadURL(mediaUrl());
  return win;
}
