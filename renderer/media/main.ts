/**
 * The hidden media host: owns every RTCPeerConnection, the microphone, output
 * devices, ringtone and hold music (host.ts). The transport is injectable:
 * - in Electron, preload/media.ts forwards the one MessagePort main sends;
 * - in the headless harness (test/harness/media-host.ts) an init script
 *   defines `window.__agentConsoleMediaPort`, a port-like object over
 *   playwright bindings, before this script runs.
 */
import { mediaHostPortChannel } from '../../preload/contract/media-port';
import { serveMediaHost, type HostPort } from './host';

declare global {
  interface Window {
    __agentConsoleMediaPort?: HostPort;
  }
}

const injected = window.__agentConsoleMediaPort;
if (injected) {
  serveMediaHost(injected);
} else {
  let served = false;
  window.addEventListener('message', (event) => {
    if (served || event.source !== window || event.data !== mediaHostPortChannel) return;
    const [port] = event.ports;
    if (!port) return;
    served = true;
    serveMediaHost({
      postMessage: (message) => port.postMessage(message),
      setListener: (listener) => {
        port.onmessage = (message) => listener(message.data);
      },
    });
    port.start();
  });
}
