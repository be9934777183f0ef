/**
 * The hold-music file dialog (main/desktop/music-dialog.ts): modal to the
 * console window when there is one, audio filters taken from the same list
 * main validates against, null when the agent cancels.
 */
import type { BrowserWindow, OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createMusicFileChooser, musicDialogOptions } from '../../../main/desktop/music-dialog';
import { musicExtensions } from '../../../main/media/music-file';

const answer = (value: OpenDialogReturnValue) =>
  vi.fn(async (..._args: [BrowserWindow, OpenDialogOptions] | [OpenDialogOptions]) => value);

describe('createMusicFileChooser', () => {
  it('opens a dialog modal to the console window and returns the chosen path', async () => {
    const window = { isDestroyed: () => false } as BrowserWindow;
    const show = answer({ canceled: false, filePaths: ['/home/dana/Music/hold.ogg'] });
    const choose = createMusicFileChooser(show as never, () => window);
    expect(await choose()).toBe('/home/dana/Music/hold.ogg');
    expect(show).toHaveBeenCalledWith(window, musicDialogOptions);
  });

  it('returns null when the agent cancels, and opens a free dialog when the window is gone', async () => {
    const show = answer({ canceled: true, filePaths: [] });
    const choose = createMusicFileChooser(show as never, () => ({ isDestroyed: () => true }) as BrowserWindow);
    expect(await choose()).toBeNull();
    expect(show).toHaveBeenCalledWith(musicDialogOptions);
  });

  it('offers exactly the audio extensions main accepts, one file only', () => {
    expect(musicDialogOptions.properties).toEqual(['openFile']);
    expect(musicDialogOptions.filters?.[0]?.extensions).toEqual(musicExtensions.map((e) => e.slice(1)));
  });
});
