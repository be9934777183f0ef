/**
 * Preload of the hidden media host (sandboxed; built as CommonJS). It only
 * hands the page the MessagePort main sends; all media traffic then flows over
 * that one ordered port, never through ipcRenderer.
 */
import { ipcRenderer } from 'electron';
import { mediaHostPortChannel } from './contract/media-port';

ipcRenderer.once(mediaHostPortChannel, (event) => {
  const [port] = event.ports;
  // '*' and not location.origin: the built app loads the host from file://, whose origin Chromium
  // serialises as "file://" — a postMessage to that target origin is silently dropped (measured in
  // Debian Chromium). The message goes to this same window only (navigation is blocked) and the page
  // checks event.source === window.
  if (port) window.postMessage(mediaHostPortChannel, '*', [port]);
});
