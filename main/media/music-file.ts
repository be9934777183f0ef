/**
 * Checks a hold-music choice (`preferences.holdMusic.track`) before it is
 * saved, so the agent learns at once — under the field — that a file will
 * not play, instead of from a notice on the next hold. Values:
 *   builtin:lounge | builtin:classic   the synthesised tracks the media host ships
 *   file:<absolute path>               the agent's own file, read by main (musicSourceFromSetting)
 * The file must exist, be a readable regular file, at most 20 MB (its bytes
 * cross the media port base64-encoded) and carry an audio extension Chromium
 * decodes (decodeAudioData).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import { ConsoleError } from '../../preload/contract/result';

export const builtinTracks = ['builtin:lounge', 'builtin:classic'] as const;
export const maxMusicFileBytes = 20 * 1024 * 1024;
export const musicExtensions = ['.mp3', '.ogg', '.oga', '.opus', '.wav', '.flac', '.m4a', '.aac', '.webm'] as const;

/** The file-system calls the check needs (tests replace them). */
export interface MusicFileSystem {
  stat(path: string): Promise<{ isFile(): boolean; size: number }>;
  /** Rejects when the file cannot be read by this process. */
  readable(path: string): Promise<void>;
}

export const nodeMusicFileSystem: MusicFileSystem = {
  stat: (path) => stat(path),
  readable: (path) => access(path, constants.R_OK),
};

const fieldError = (message: string) => new ConsoleError('invalid-request', message, { 'holdMusic.track': message });

/** Resolves when `track` can be played; throws a ConsoleError with a `holdMusic.track` field message otherwise. */
export async function checkHoldMusicTrack(track: string, fs: MusicFileSystem = nodeMusicFileSystem): Promise<void> {
  if ((builtinTracks as readonly string[]).includes(track)) return;
  if (!track.startsWith('file:')) {
    throw fieldError(`Unknown hold music “${track}”: choose Lounge, Classic or a file of your own.`);
  }
  const path = track.slice('file:'.length);
  if (path.trim() === '') throw fieldError('Enter the full path of an audio file.');
  if (!isAbsolute(path)) throw fieldError('Enter the full path of the file (for example /home/you/Music/hold.mp3).');
  const extension = extname(path).toLowerCase();
  if (!(musicExtensions as readonly string[]).includes(extension)) {
    throw fieldError(`This is not an audio file the console can play; use ${musicExtensions.join(', ')}.`);
  }
  let info: { isFile(): boolean; size: number };
  try {
    info = await fs.stat(path);
  } catch {
    throw fieldError('No file at this path.');
  }
  if (!info.isFile()) throw fieldError('This path is a folder, not a file.');
  if (info.size === 0) throw fieldError('This file is empty.');
  if (info.size > maxMusicFileBytes) {
    throw fieldError(`This file is ${(info.size / 1024 / 1024).toFixed(1)} MB; hold music files are limited to 20 MB.`);
  }
  try {
    await fs.readable(path);
  } catch {
    throw fieldError('The console is not allowed to read this file.');
  }
}
