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
};

export class BrowserWindow {}
export const session = { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } };
export const shell = { openExternal: vi.fn() };
export const contextBridge = { exposeInMainWorld: vi.fn() };
export const ipcRenderer = { invoke: vi.fn(), on: vi.fn(), once: vi.fn(), removeListener: vi.fn() };

export default { ipcMain, safeStorage, app, BrowserWindow, session, shell, contextBridge, ipcRenderer };
