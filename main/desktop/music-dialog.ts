/**
 * The system's open-file dialog for the agent's own hold music
 * (audio:choose-music-file). Electron's dialog is passed in by the composition
 * root (main/index.ts) so this stays testable without Electron. The path it
 * returns is only a suggestion: settings:update checks the file before saving
 * (main/media/music-file.ts).
 */
import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import { musicExtensions } from '../media/music-file';

type ShowOpenDialog = (window: BrowserWindow, options: OpenDialogOptions) => Promise<OpenDialogReturnValue>;
type ShowOpenDialogDetached = (options: OpenDialogOptions) => Promise<OpenDialogReturnValue>;

export const musicDialogOptions: OpenDialogOptions = {
  title: 'Choose hold music',
  buttonLabel: 'Use as hold music',
  properties: ['openFile'],
  filters: [
    { name: 'Audio', extensions: musicExtensions.map((e) => e.slice(1)) },
    { name: 'All files', extensions: ['*'] },
  ],
};

/** Returns the chooser CorePorts.chooseMusicFile expects: an absolute path, or null when cancelled. */
export function createMusicFileChooser(
  showOpenDialog: ShowOpenDialog & ShowOpenDialogDetached,
  parent: () => BrowserWindow | null,
): () => Promise<string | null> {
  return async () => {
    const window = parent();
    // Modal to the console window when it is there, so the dialog cannot get lost behind it.
    const result = window && !window.isDestroyed() ? await showOpenDialog(window, musicDialogOptions) : await showOpenDialog(musicDialogOptions);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
}
