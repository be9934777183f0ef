/// <reference types="vite/client" />
import type { ConsoleApi } from '../../preload/ui-api';

declare global {
  interface Window {
    /** Exposed by preload/ui.ts (or the headless harness); the UI's only way to main. */
    consoleApi: ConsoleApi;
  }
}
export {};
