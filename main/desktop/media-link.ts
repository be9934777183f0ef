/**
 * MediaHostLink over Electron: a MessageChannelMain per media-host page load.
 * port1 goes to the hidden media window on `mediaHostPortChannel`
 * (preload/media.ts hands it to the page); main keeps port2. Messages posted
 * before the page is up wait in the channel like in any MessagePort.
 *
 * `gone` fires when the host renderer dies (render-process-gone), its page
 * fails to load, or the window is destroyed. If the window is loaded again
 * (a reload after a crash), a fresh channel is posted and the host's `hello`
 * tells the media client it is back.
 */
import { MessageChannelMain, type MessagePortMain } from 'electron';
import { mediaHostPortChannel } from '../../preload/contract/media-port';
import { Listeners, type MediaHostLink } from '../media/link';

/** The part of WebContents the link uses (kept structural so tests can drive it). */
export interface MediaHostContents {
  postMessage(channel: string, message: unknown, transfer: MessagePortMain[]): void;
  on(event: 'did-start-loading' | 'did-finish-load', listener: () => void): unknown;
  on(event: 'did-fail-load', listener: (event: unknown, code: number, description: string, url: string, isMainFrame: boolean) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  on(event: 'destroyed', listener: () => void): unknown;
  isLoading(): boolean;
  isDestroyed(): boolean;
}

export interface ElectronMediaLink extends MediaHostLink {
  /** Close the current channel (app quit). */
  dispose(): void;
}

export function createElectronMediaLink(
  contents: MediaHostContents,
  createChannel: () => { port1: MessagePortMain; port2: MessagePortMain } = () => new MessageChannelMain(),
): ElectronMediaLink {
  const messages = new Listeners<[unknown]>();
  const goneListeners = new Listeners<[string]>();
  let port: MessagePortMain | null = null;
  let pendingPort: MessagePortMain | null = null;
  let alive = true;
  let disposed = false;
  // The page's preload takes exactly one port per load (ipcRenderer.once): never hand two to one load.
  let handedThisLoad = false;

  const open = () => {
    const channel = createChannel();
    channel.port2.on('message', (event) => messages.emit(event.data));
    channel.port2.start();
    port = channel.port2;
    pendingPort = channel.port1;
  };

  const handOver = () => {
    if (disposed || contents.isDestroyed() || handedThisLoad) return;
    handedThisLoad = true;
    // A new page load (first start, or a reload after a crash) gets a fresh channel.
    if (!pendingPort) {
      port?.close();
      open();
    }
    const give = pendingPort!;
    pendingPort = null;
    alive = true;
    contents.postMessage(mediaHostPortChannel, null, [give]);
  };

  const gone = (reason: string) => {
    if (!alive) return;
    alive = false;
    port?.close();
    port = null;
    pendingPort = null;
    goneListeners.emit(reason);
  };

  open();
  contents.on('did-start-loading', () => {
    handedThisLoad = false;
  });
  contents.on('did-finish-load', handOver);
  contents.on('did-fail-load', (_e, code, description, _url, isMainFrame) => {
    if (isMainFrame) gone(`the media host page failed to load (${description || code})`);
  });
  contents.on('render-process-gone', (_e, details) => gone(`the media host process ended (${details.reason}, exit code ${details.exitCode})`));
  contents.on('destroyed', () => gone('the media host window was destroyed'));
  if (!contents.isLoading() && !contents.isDestroyed()) handOver();

  return {
    post(message) {
      if (!alive || disposed || !port) return;
      port.postMessage(message);
    },
    onMessage: (listener) => messages.add(listener),
    onGone: (listener) => goneListeners.add(listener),
    dispose() {
      disposed = true;
      port?.close();
      pendingPort?.close();
      port = null;
      pendingPort = null;
      messages.clear();
      goneListeners.clear();
    },
  };
}
