/**
 * Stand-in for the `electron` module in unit tests: the binary may not exist
 * here, and unit tests must never start it. Only what main/desktop touches at
 * import time is modelled; tests that exercise an adapter spy on these.
 */
import { vi } from 'vitest';
import { testDecrypt, testEncrypt } from '../support/test-cipher';

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

// Real encryption with a test key (AES-256-GCM), as the OS keyring would do: bytes that do not
// contain or reveal the plain text, and that fail to open when altered.
export const safeStorage = {
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((plain: string) => testEncrypt(plain)),
  decryptString: vi.fn((sealed: Buffer) => testDecrypt(sealed)),
};

export const app = {
  isPackaged: false,
  getPath: vi.fn((_name?: string) => '/tmp/agent-console-test'),
  getAppPath: vi.fn(() => '/tmp/agent-console-app'),
  getName: vi.fn(() => 'Agent Console'),
  getVersion: vi.fn(() => '0.0.0-test'),
  requestSingleInstanceLock: vi.fn(() => true),
  on: vi.fn(),
  whenReady: vi.fn(() => new Promise(() => {})),
  quit: vi.fn(),
  enableSandbox: vi.fn(),
  setAppUserModelId: vi.fn(),
  /** Login items as macOS/Windows keep them: what was set is what is read back. */
  _loginItem: { openAtLogin: false },
  setLoginItemSettings: vi.fn((settings: { openAtLogin?: boolean }) => {
    app._loginItem.openAtLogin = settings.openAtLogin ?? false;
  }),
  getLoginItemSettings: vi.fn(() => ({ ...app._loginItem })),
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
  visible = false;
  focused = false;
  readonly show = vi.fn(() => {
    this.visible = true;
  });
  readonly hide = vi.fn(() => {
    this.visible = false;
    this.focused = false;
  });
  readonly focus = vi.fn(() => {
    this.focused = this.visible;
  });
  isVisible() {
    return this.visible;
  }
  isFocused() {
    return this.focused;
  }
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
export const shell = { openExternal: vi.fn(), showItemInFolder: vi.fn() };

/** dialog: message boxes answer what a test set in `_answer` (default: the first button). */
export const dialog = {
  _answer: 0,
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: dialog._answer, checkboxChecked: false })),
  showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
};

/** globalShortcut: registrations kept by accelerator; `_taken` lists combinations "another program" holds. */
export const globalShortcut = {
  _taken: new Set<string>(),
  _registered: new Map<string, () => void>(),
  register: vi.fn((accelerator: string, fn: () => void) => {
    if (globalShortcut._taken.has(accelerator) || globalShortcut._registered.has(accelerator)) return false;
    globalShortcut._registered.set(accelerator, fn);
    return true;
  }),
  unregister: vi.fn((accelerator: string) => {
    globalShortcut._registered.delete(accelerator);
  }),
  unregisterAll: vi.fn(() => globalShortcut._registered.clear()),
  isRegistered: vi.fn((accelerator: string) => globalShortcut._registered.has(accelerator)),
  /** Test helper: the OS delivers a key press. */
  _press(accelerator: string) {
    globalShortcut._registered.get(accelerator)?.();
  },
};

export const nativeImage = {
  createFromPath: vi.fn((path: string) => ({ path, isEmpty: () => false })),
};

/** A native notification that records its options and what happened to it. */
export class Notification {
  static readonly created: Notification[] = [];
  static supported = true;
  static isSupported = vi.fn(() => Notification.supported);
  readonly listeners = new Map<string, Listener[]>();
  shown = false;
  closed = false;
  constructor(readonly options: Record<string, unknown> & { title?: string; body?: string; actions?: { type: string; text?: string }[] }) {
    Notification.created.push(this);
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  readonly show = vi.fn(() => {
    this.shown = true;
  });
  readonly close = vi.fn(() => {
    if (this.closed) return;
    this.closed = true;
    this._emit('close');
  });
  /** Test helper: the OS reports a click ('click') or a button ('action', index). */
  _emit(event: string, ...args: unknown[]) {
    for (const l of this.listeners.get(event) ?? []) l({}, ...args);
  }
}

/** A menu built from a template: items keep their options (click included) so tests can press them. */
export const Menu = {
  buildFromTemplate: vi.fn((template: Array<Record<string, unknown>>) => ({ items: template })),
};

export class Tray {
  static readonly created: Tray[] = [];
  readonly listeners = new Map<string, Listener[]>();
  image: unknown;
  tooltip = '';
  menu: { items: Array<Record<string, unknown>> } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    this.image = image;
    Tray.created.push(this);
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  readonly setImage = vi.fn((image: unknown) => {
    this.image = image;
  });
  readonly setToolTip = vi.fn((text: string) => {
    this.tooltip = text;
  });
  readonly setContextMenu = vi.fn((menu: { items: Array<Record<string, unknown>> }) => {
    this.menu = menu;
  });
  isDestroyed() {
    return this.destroyed;
  }
  readonly destroy = vi.fn(() => {
    this.destroyed = true;
  });
  /** Test helper: the agent clicks the menu item with this id. */
  _click(id: string) {
    const item = this.menu?.items.find((i) => i['id'] === id);
    if (!item) throw new Error(`no tray menu item ${id}`);
    (item['click'] as () => void)();
  }
  _emit(event: string) {
    for (const l of this.listeners.get(event) ?? []) l({});
  }
}
export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), once: vi.fn(), removeListener: vi.fn() };

export default {
  ipcMain,
  safeStorage,
  app,
  BrowserWindow,
  MessageChannelMain,
  session,
  shell,
  dialog,
  globalShortcut,
  nativeImage,
  Notification,
  Menu,
  Tray,
  contextBridge,
  ipcRenderer,
};
