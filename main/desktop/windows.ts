/**
 * The two windows and their security posture (Electron security checklist,
 * https://www.electronjs.org/docs/latest/tutorial/security):
 * - both are sandboxed with contextIsolation and no Node integration, and
 *   `app.enableSandbox()` makes that the rule for every renderer we ever create;
 * - navigation, redirects, new windows and <webview> are refused everywhere;
 * - a CSP response header backs up each page's own CSP meta tag;
 * - only the media host may use the microphone (audio, never video), and only
 *   from its own page; every other permission is denied.
 */
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Page = 'ui' | 'media';

const rendererUrl = (page: Page): string => {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  // electron-vite serves the renderer in dev; the built app loads files from out/renderer.
  if (!app.isPackaged && dev) return `${dev}/${page}/index.html`;
  return pathToFileURL(join(import.meta.dirname, `../renderer/${page}/index.html`)).href;
};

export const uiUrl = () => rendererUrl('ui');
export const mediaUrl = () => rendererUrl('media');

/**
 * True when `actual` is the page at `expected`: same file for file:// (any
 * query/hash), same origin for http(s) (the electron-vite dev server).
 */
export function isPage(actual: string, expected: string): boolean {
  let a: URL;
  let e: URL;
  try {
    a = new URL(actual);
    e = new URL(expected);
  } catch {
    return false;
  }
  if (a.protocol !== e.protocol) return false;
  if (e.protocol === 'file:') return a.pathname === e.pathname;
  return a.origin === e.origin;
}

/**
 * Sent as a response header on every document our session loads. It holds
 * what no page of ours may relax: scripts only from the app itself (no inline
 * script, no eval), no plugins, no <base> rewriting, no form posts, and no
 * framing — `frame-ancestors` works only as a header, never in a meta tag.
 * Each page's meta tag (renderer/{ui,media}/index.html) adds its own resource
 * rules; browsers enforce both policies, so the stricter one always wins.
 */
export const baselineCsp =
  "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function installContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = { ...details.responseHeaders };
    const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-security-policy');
    const existing = key ? (headers[key] ?? []) : [];
    if (key) delete headers[key];
    headers['Content-Security-Policy'] = [...existing, baselineCsp];
    callback({ responseHeaders: headers });
  });
}

/** What a permission request looks like once Electron's arguments are read. */
export interface PermissionAsk {
  permission: string;
  /** The request comes from the media host's web contents. */
  fromMediaHost: boolean;
  /** The request comes from the UI window's web contents. */
  fromUi: boolean;
  /** URL of the requesting document, when Electron says. */
  requestingUrl: string | undefined;
  /** Media kinds asked for (`getUserMedia`): any 'video' is refused. */
  mediaTypes: readonly string[];
}

/**
 * The whole permission policy, pure so tests can enumerate it:
 * - `media` (microphone) only for the media host's own page, audio only;
 * - `speaker-selection` (choosing the headset as output, `setSinkId`) only for the media host;
 * - `clipboard-sanitized-write` for the UI (copying a number or call id);
 * - everything else — notifications (main shows them), geolocation, camera,
 *   display capture, HID/USB/serial, openExternal… — denied.
 */
export function decidePermission(ask: PermissionAsk, pages: { media: string }): boolean {
  switch (ask.permission) {
    case 'media':
      return (
        ask.fromMediaHost &&
        ask.requestingUrl !== undefined &&
        isPage(ask.requestingUrl, pages.media) &&
        ask.mediaTypes.every((t) => t === 'audio')
      );
    case 'speaker-selection':
      return ask.fromMediaHost;
    case 'clipboard-sanitized-write':
      return ask.fromUi;
    default:
      return false;
  }
}

export function installPermissionPolicy(windows: {
  ui: () => WebContents | null;
  media: () => WebContents | null;
}): void {
  const is = (contents: WebContents | null, which: () => WebContents | null) => {
    const target = which();
    return contents !== null && target !== null && !target.isDestroyed() && contents === target;
  };
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(
      decidePermission(
        {
          permission,
          fromMediaHost: is(contents, windows.media),
          fromUi: is(contents, windows.ui),
          requestingUrl: details.requestingUrl ?? contents.getURL(),
          // A getUserMedia request with no stated kinds is treated as asking for everything.
          mediaTypes: permission === 'media' && mediaTypes.length === 0 ? ['audio', 'video'] : mediaTypes,
        },
        { media: mediaUrl() },
      ),
    );
  });
  session.defaultSession.setPermissionCheckHandler((contents, permission, _origin, details) =>
    decidePermission(
      {
        permission,
        fromMediaHost: is(contents, windows.media),
        fromUi: is(contents, windows.ui),
        // Checks may come without a URL (e.g. enumerateDevices): the asking contents' page then.
        requestingUrl: details.requestingUrl ?? contents?.getURL(),
        mediaTypes: details.mediaType && details.mediaType !== 'unknown' ? [details.mediaType] : [],
      },
      { media: mediaUrl() },
    ),
  );
  // No WebHID/WebUSB/Web Serial device is ever ours to hand out.
  session.defaultSession.setDevicePermissionHandler(() => false);
}

const lockedDown = new WeakSet<WebContents>();

/** Refuses navigation, redirects, webviews and new windows for one web contents. */
export function lockDown(contents: WebContents): void {
  if (lockedDown.has(contents)) return;
  lockedDown.add(contents);
  contents.on('will-navigate', (event) => event.preventDefault());
  // Also fired for sub-frames (will-navigate is main-frame only); loadURL from main fires neither.
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links the agent clicks (help, CRM) open in the system browser, never inside the console.
    if (isHttps(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

const isHttps = (url: string): boolean => {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * Process-wide rules, called once before `app.whenReady()`: every renderer is
 * sandboxed whatever its webPreferences say, and every web contents that ever
 * appears (devtools, a future dialog) gets the same lock-down as our windows.
 */
export function applyProcessWideSecurity(): void {
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
}

export function createUiWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Agent Console',
    // Spelled out in each window (not spread from a shared object) so reviewers and the
    // security scan (test/security/electronegativity.mjs) can read them where they apply.
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/ui.cjs'),
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
      // Middle-click would otherwise try to open links in a new window (refused anyway, see lockDown).
      disableBlinkFeatures: 'Auxclick',
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
    // Never shown, never in the taskbar: it has no UI.
    skipTaskbar: true,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/media.cjs'),
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
      // Calls must keep their timers and audio while the console is minimised or hidden.
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  lockDown(win.webContents);
  void win.loadURL(mediaUrl());
  return win;
}
