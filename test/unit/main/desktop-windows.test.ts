/**
 * The windows' security posture, read from what main/desktop/windows.ts hands
 * to the (mocked) Electron APIs: webPreferences, navigation and window-open
 * handling, the CSP response header and the process-wide sandbox.
 */
import { BrowserWindow, app, session, shell } from 'electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  applyProcessWideSecurity,
  baselineCsp,
  createMediaHostWindow,
  createUiWindow,
  installContentSecurityPolicy,
  isPage,
  lockDown,
  mediaUrl,
  uiUrl,
} from '../../../main/desktop/windows';

type FakeWindow = InstanceType<typeof BrowserWindow> & {
  options: { webPreferences: Record<string, unknown>; show?: boolean };
  webContents: {
    _emit(event: string, ...args: unknown[]): boolean;
    windowOpenHandler: ((d: { url: string }) => { action: string }) | null;
  };
  loadURL: ReturnType<typeof vi.fn>;
};

const secure = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
};

beforeEach(() => {
  vi.clearAllMocks();
  delete process.env['ELECTRON_RENDERER_URL'];
});

describe('both windows', () => {
  it.each([
    ['UI', createUiWindow, 'preload/ui.cjs', 'renderer/ui/index.html'],
    ['media host', createMediaHostWindow, 'preload/media.cjs', 'renderer/media/index.html'],
  ] as const)('the %s window is sandboxed, isolated, without Node, and loads its built page', (_name, create, preload, page) => {
    const win = create() as unknown as FakeWindow;
    expect(win.options.webPreferences).toMatchObject(secure);
    expect(String(win.options.webPreferences['preload']).endsWith(preload)).toBe(true);
    const url = win.loadURL.mock.calls[0]?.[0] as string;
    expect(url.startsWith('file://')).toBe(true);
    expect(url.endsWith(page)).toBe(true);
  });

  it('the media host is never shown and keeps running in the background', () => {
    const win = createMediaHostWindow() as unknown as FakeWindow;
    expect(win.options.show).toBe(false);
    expect(win.options.webPreferences['backgroundThrottling']).toBe(false);
    // no ready-to-show → show wiring for the media host
    expect((win as unknown as { onceListeners: Map<string, unknown> }).onceListeners.has('ready-to-show')).toBe(false);
  });

  it('the UI window appears only once its page is ready (no white flash)', () => {
    const win = createUiWindow() as unknown as FakeWindow & { onceListeners: Map<string, () => void>; show: ReturnType<typeof vi.fn> };
    expect(win.options.show).toBe(false);
    win.onceListeners.get('ready-to-show')?.();
    expect(win.show).toHaveBeenCalledOnce();
  });

  it('in development the pages come from the electron-vite dev server', () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173';
    expect(uiUrl()).toBe('http://localhost:5173/ui/index.html');
    expect(mediaUrl()).toBe('http://localhost:5173/media/index.html');
  });

  it('a packaged app ignores ELECTRON_RENDERER_URL (no page can be swapped in through the environment)', () => {
    process.env['ELECTRON_RENDERER_URL'] = 'http://evil.example';
    (app as { isPackaged: boolean }).isPackaged = true;
    try {
      expect(uiUrl().startsWith('file://')).toBe(true);
    } finally {
      (app as { isPackaged: boolean }).isPackaged = false;
    }
  });
});

describe('lock-down of every web contents', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'])('%s is prevented', (event) => {
    const win = createUiWindow() as unknown as FakeWindow;
    expect(win.webContents._emit(event, 'https://example.com/')).toBe(true);
  });

  it('window.open is always denied; https links go to the system browser, other schemes nowhere', () => {
    const win = createUiWindow() as unknown as FakeWindow;
    const open = win.webContents.windowOpenHandler!;
    expect(open({ url: 'https://help.example.com/transfer' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://help.example.com/transfer');
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'not a url']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('locking the same contents twice registers its listeners once', () => {
    const win = createUiWindow() as unknown as FakeWindow & { webContents: { listeners: Map<string, unknown[]> } };
    lockDown(win.webContents as never);
    expect(win.webContents.listeners.get('will-navigate')).toHaveLength(1);
  });

  it('process-wide: every renderer is sandboxed and every new web contents locked down', () => {
    applyProcessWideSecurity();
    expect(app.enableSandbox).toHaveBeenCalledOnce();
    const call = (vi.mocked(app.on).mock.calls as unknown as Array<[string, unknown]>).find(([event]) => event === 'web-contents-created');
    expect(call).toBeDefined();
    const contents = new BrowserWindow({}).webContents as unknown as FakeWindow['webContents'];
    (call![1] as (e: unknown, c: unknown) => void)({}, contents);
    expect(contents._emit('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});

describe('Content-Security-Policy response header', () => {
  const install = () => {
    installContentSecurityPolicy();
    return vi.mocked(session.defaultSession.webRequest.onHeadersReceived).mock.calls[0]![0] as unknown as (
      details: { resourceType: string; responseHeaders?: Record<string, string[]> },
      callback: (r: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void;
  };

  it('is added to every document (main frame and sub-frame), keeping any policy already there', () => {
    const listener = install();
    for (const resourceType of ['mainFrame', 'subFrame']) {
      const callback = vi.fn();
      listener({ resourceType, responseHeaders: { 'content-security-policy': ["img-src 'self'"], 'x-other': ['1'] } }, callback);
      expect(callback).toHaveBeenCalledWith({
        responseHeaders: { 'Content-Security-Policy': ["img-src 'self'", baselineCsp], 'x-other': ['1'] },
      });
    }
  });

  it('leaves other responses untouched', () => {
    const listener = install();
    const callback = vi.fn();
    listener({ resourceType: 'script', responseHeaders: {} }, callback);
    expect(callback).toHaveBeenCalledWith({});
  });

  it('forbids inline script, eval, plugins, <base>, forms and framing', () => {
    const directives = new Map(baselineCsp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it.each(['renderer/ui/index.html', 'renderer/media/index.html'])('%s also carries its own CSP meta tag without unsafe script sources', (file) => {
    const html = readFileSync(join(import.meta.dirname, '../../..', file), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta, `${file} must declare a CSP meta tag`).not.toBeNull();
    const policy = meta![1]!;
    expect(policy).not.toMatch(/unsafe-eval/);
    const scriptSrc = /(?:^|;)\s*script-src([^;]*)/.exec(policy)?.[1] ?? /(?:^|;)\s*default-src([^;]*)/.exec(policy)?.[1] ?? '';
    expect(scriptSrc).not.toMatch(/unsafe-inline|\*|data:|http:/);
  });
});

describe('isPage', () => {
  it('matches the same file (ignoring query and hash) or the same http origin', () => {
    expect(isPage('file:///app/out/renderer/ui/index.html#/settings', 'file:///app/out/renderer/ui/index.html')).toBe(true);
    expect(isPage('file:///tmp/evil/index.html', 'file:///app/out/renderer/ui/index.html')).toBe(false);
    expect(isPage('http://localhost:5173/media/index.html', 'http://localhost:5173/ui/index.html')).toBe(true);
    expect(isPage('http://localhost:5174/ui/index.html', 'http://localhost:5173/ui/index.html')).toBe(false);
    expect(isPage('https://localhost:5173/ui/index.html', 'http://localhost:5173/ui/index.html')).toBe(false);
    expect(isPage('garbage', 'file:///x')).toBe(false);
  });
});
