/**
 * The hidden media host: owns every RTCPeerConnection, the microphone, output
 * devices, ringtone and hold music. It waits for the one MessagePort main sends
 * (through preload/media.ts) and serves the media port protocol over it.
 */
import { mediaHostPortChannel } from '../../preload/contract/media-port';

window.addEventListener('message', (event) => {
  if (event.source !== window || event.data !== mediaHostPortChannel) return;
  const [port] = event.ports;
  if (!port) return;
  port.onmessage = (message) => {
    if ((message.data as { type?: string } | null)?.type === 'ping') port.postMessage({ type: 'pong' });
  };
  port.start();
});
