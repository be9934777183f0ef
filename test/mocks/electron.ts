/**
 * Stand-in for the `electron` module in unit tests: the binary may not exist
 * here, and unit tests must never start it. Only what main/desktop touches at
 * import time is modelled; tests that exercise an adapter spy on these.
 */
import { vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;
const handlers = new Map<string, Handler>();

export const ipcMain = {
  handle: vi.fn((channel: string, fn: Handler) => {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, fn);
  }),
  removeHandler: vi.fn((channel: string) => {
    handlers.delete(channel);
  }),
  /** Test helper: the handler registered for a channel. */
  _handler: (channel: string) => handlers.get(channel),
  _reset: () => handlers.clear(),
};

export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((plain: string) => Buffer.from(`sealed:${plain}`)),
  decryptString: vi.fn((sealed: Buffer) => sealed.toString().replace(/^sealed:/, '')),
};

export const app = {
  isPackaged: false,
  getPath: vi.fn(() => '/tmp/agent-console-test'),
  getName: vi.fn(() => 'Agent Console'),
  getVersion: vi.fn(() => '0.0.0-test'),
  requestSingleInstanceLock: vi.fn(() => true),
  on: vi.fn(),
  whenReady: vi.fn(() => new Promise(() => {})),
  quit: vi.fn(),
  enableSandbox: vi.fn(),
};

type Listener = (...args: unknown[]) => unknown;

/** A web contents: records listeners and the window-open handler so tests can fire them. */
export class FakeWebContents {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  url = '';
  destroyed = false;
  readonly mainFrame = { processId: 1, routingId: this.id, parent: null, url: '' };
  readonly send = vi.fn();
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.url;
  }
  /** Ports posted to the page (the media host's MessagePort handover). */
  readonly postMessage = vi.fn();
  isLoading() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** Test helper: fires an event at every listener, returning whether one called preventDefault(). */
  _emit(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true), isMainFrame: true };
    for (const l of this.listeners.get(event) ?? []) l(e, ...args);
    return prevented;
  }
}

/** A BrowserWindow that never opens: it keeps its options and what was loaded. */
export class BrowserWindow {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (url: string) => {
    this.webContents.url = url;
    this.webContents.mainFrame.url = url;
  });
  readonly show = vi.fn();
  readonly hide = vi.fn();
  readonly focus = vi.fn();
  readonly onceListeners = new Map<string, Listener>();
  destroyed = false;
  constructor(readonly options: Record<string, unknown> & { webPreferences?: Record<string, unknown> } = {}) {
    BrowserWindow.created.push(this);
  }
  once(event: string, listener: Listener) {
    this.onceListeners.set(event, listener);
    return this;
  }
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  readonly restore = vi.fn();
  /** Test helper: fires a window event, returning whether a listener called preventDefault(). */
  _emit(event: string): boolean {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    for (const l of this.listeners.get(event) ?? []) l(e);
    return prevented;
  }
}

/** MessageChannelMain (media host link): ports that record what is posted; nothing is delivered. */
class FakeMessagePortMain {
  readonly postMessage = vi.fn();
  readonly start = vi.fn();
  readonly close = vi.fn();
  on() {
    return this;
  }
}
export class MessageChannelMain {
  readonly port1 = new FakeMessagePortMain();
  readonly port2 = new FakeMessagePortMain();
}

export const session = {
  defaultSession: {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  },
};
export const shell = { openExternal: vi.fn() };
export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), once: vi.fn(), removeListener: vi.fn() };

export default { ipcMain, safeStorage, app, BrowserWindow, MessageChannelMain, session, shell, contextBridge, ipcRenderer };
