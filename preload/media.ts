/**
 * Preload of the hidden media host (sandboxed; built as CommonJS). It only
 * hands the page the MessagePort main sends; all media traffic then flows over
 * that one ordered port, never through ipcRenderer.
 */
import { ipcRenderer } from 'electron';
import { mediaHostPortChannel } from './contract/media-port';

ipcRenderer.once(mediaHostPortChannel, (event) => {
  const [port] = event.ports;
  if (port) window.postMessage(mediaHostPortChannel, window.location.origin, [port]);
});
