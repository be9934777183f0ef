/**
 * The GlobalShortcuts port (hotkeys.ts) over Electron's globalShortcut — kept
 * apart so the hotkey registry and the shell run in plain Node.
 */
import { globalShortcut } from 'electron';
import type { GlobalShortcuts } from './hotkeys';

export const electronShortcuts = (): GlobalShortcuts => ({
  register: (accelerator, fn) => globalShortcut.register(accelerator, fn),
  unregister: (accelerator) => globalShortcut.unregister(accelerator),
});
