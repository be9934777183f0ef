/**
 * Runs INSIDE the harness's Chromium page, before the UI's own scripts
 * (injected with addInitScript). It plays the role of preload/ui.ts: builds
 * window.consoleApi with the REAL createUiApi, over two playwright bindings
 * instead of ipcRenderer. Bundled for the browser by test/harness/bundle.ts.
 */
import type { Result } from '../../preload/contract';
import { createUiApi } from '../../preload/ui-api';

declare global {
  interface Window {
    /** playwright binding (exposeBinding): main's router, told which frame called. */
    __harnessInvoke?: (channel: string, payload: unknown) => Promise<Result<unknown>>;
    /** Called by the harness (page.evaluate) to deliver a pushed event. */
    __harnessDeliver?: (channel: string, payload: unknown) => void;
  }
}

const listeners = new Map<string, Set<(payload: unknown) => void>>();

// Non-enumerable and fixed, like a preload's delivery path; the page's own code has no business here.
Object.defineProperty(window, '__harnessDeliver', {
  value: (channel: string, payload: unknown) => {
    for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
  },
  enumerable: false,
  writable: false,
  configurable: false,
});

const api = createUiApi({
  invoke(channel, payload) {
    const invoke = window.__harnessInvoke;
    if (!invoke) return Promise.reject(new Error('harness binding missing'));
    return invoke(channel, payload);
  },
  subscribe(channel, listener) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
});

Object.defineProperty(window, 'consoleApi', { value: api, enumerable: true, writable: false, configurable: false });
