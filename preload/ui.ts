/**
 * Preload of the UI window (sandboxed, contextIsolation; built as CommonJS).
 * Exposes `window.consoleApi` and nothing else — no ipcRenderer, no generic invoke.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Result } from './contract';
import { createUiApi } from './ui-api';

const api = createUiApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<Result<unknown>>,
  subscribe(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('consoleApi', api);
