/**
 * Runs INSIDE the harness's Chromium page, before the UI's own scripts
 * (injected with addInitScript). It plays the role of preload/ui.ts: builds
 * window.consoleApi with the REAL createUiApi over the harness's transports
 * instead of ipcRenderer. Bundled for the browser by test/harness/bundle.ts;
 * the harness wraps the bundle in a function that passes `__harnessPush`, so
 * the socket's address and token never become a page global.
 *
 *  - invokes (ipcRenderer.invoke): the playwright binding `__harnessInvoke`,
 *    which tells main which page and frame called (the router's sender check);
 *  - pushes (webContents.send): a WebSocket to the harness on 127.0.0.1 —
 *    in order, fire and forget, dropped while no page is attached. The harness
 *    sends an attach id as the socket's first message and only starts pushing
 *    once this page handed that id back through the `__harnessAttachPushes`
 *    binding (which, like an invoke, says which page and frame it came from).
 *
 * The first invoke waits for that attach: a snapshot the app reads at start is
 * then followed by every later push, never preceded by one that was lost.
 */
import type { Result } from '../../preload/contract';
import { createUiApi } from '../../preload/ui-api';

declare global {
  interface Window {
    /** playwright binding (exposeBinding): main's router, told which frame called. */
    __harnessInvoke?: (channel: string, payload: unknown) => Promise<Result<unknown>>;
    /** playwright binding: makes the socket that got this id the page's push socket; false when refused. */
    __harnessAttachPushes?: (id: string) => Promise<boolean>;
  }
}
/** Given by the harness's wrapper around this bundle (see the file comment). */
declare const __harnessPush: { url: string };

const listeners = new Map<string, Set<(payload: unknown) => void>>();

function deliver(channel: string, payload: unknown): void {
  for (const listener of [...(listeners.get(channel) ?? [])]) listener(payload);
}

/**
 * Settles once pushes reach this page, or once they never will (socket refused or closed, attach
 * refused): invokes then go on, and main's answers say the rest.
 */
function connectPushes(): Promise<void> {
  // Subframes get this script too; main pushes to the top document only, as to a window.
  if (window.top !== window) return Promise.resolve();
  return new Promise<void>((settle) => {
    // Opened from this init script, before the page's CSP meta is parsed: its connect-src 'self'
    // would refuse the harness's port later (the app's IPC is no network connection at all).
    let socket: WebSocket;
    try {
      socket = new WebSocket(__harnessPush.url);
    } catch (e) {
      console.error(`harness: no push socket: ${String(e)}`);
      settle();
      return;
    }
    let attached = false;
    socket.onmessage = (e: MessageEvent<string>) => {
      const message = JSON.parse(e.data) as [string, unknown] | { attach: string };
      // A push is [channel, payload]. The harness pushes only once attached, but the first one may
      // overtake the binding's answer (a socket and CDP are two roads): it is delivered all the same.
      if (Array.isArray(message)) {
        deliver(message[0], message[1]);
        return;
      }
      const { attach } = message;
      const attachPushes = window.__harnessAttachPushes;
      if (!attachPushes) {
        console.error('harness: push binding missing; this page gets no pushes');
        settle();
        return;
      }
      attachPushes(attach).then(
        (ok) => {
          attached = ok;
          if (!ok) console.warn(`harness: pushes refused for ${location.href}`);
          settle();
        },
        (e: unknown) => {
          console.error(`harness: attaching pushes failed: ${String(e)}`);
          settle();
        },
      );
    };
    socket.onclose = () => {
      // Closed by the harness (stopped, a newer socket attached) or never opened: nothing more comes.
      if (attached) console.warn('harness: push socket closed');
      settle();
    };
  });
}

const pushesReady = connectPushes();
let ready = false;
void pushesReady.then(() => (ready = true));

const api = createUiApi({
  invoke(channel, payload) {
    const call = () => {
      const invoke = window.__harnessInvoke;
      if (!invoke) return Promise.reject(new Error('harness binding missing'));
      return invoke(channel, payload);
    };
    // Only the first requests wait (for the attach); later ones go straight to the binding.
    return ready ? call() : pushesReady.then(call);
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
