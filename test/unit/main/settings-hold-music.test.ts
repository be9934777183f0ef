/**
 * The agent's own hold-music file: `holdMusic.track = file:<absolute path>`
 * is checked in main before it is saved (exists, readable, ≤ 20 MB, audio
 * extension) and refused with a message under the `holdMusic.track` field.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleCore } from '../../../main/core/index';
import { checkHoldMusicTrack, type MusicFileSystem } from '../../../main/media/music-file';
import { startTestCore } from '../../support/core';
import { fieldRefusal } from '../../support/refusal';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hold-music-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = async (track: string, fs?: MusicFileSystem) =>
  (await fieldRefusal(checkHoldMusicTrack(track, fs), 'holdMusic.track')).fields!['holdMusic.track'];

describe('checkHoldMusicTrack', () => {
  it('accepts the built-in tracks and a readable audio file of the agent', async () => {
    const file = join(dir, 'Hold Me.MP3');
    writeFileSync(file, Buffer.alloc(1024, 1));
    await expect(checkHoldMusicTrack('builtin:lounge')).resolves.toBeUndefined();
    await expect(checkHoldMusicTrack('builtin:classic')).resolves.toBeUndefined();
    await expect(checkHoldMusicTrack(`file:${file}`)).resolves.toBeUndefined();
  });

  it('refuses unknown names, relative paths, missing files, folders, empty files and non-audio extensions', async () => {
    expect(await refusal('builtin:disco')).toMatch(/Unknown hold music “builtin:disco”/);
    expect(await refusal('file:')).toMatch(/full path/);
    expect(await refusal('file:music/hold.mp3')).toMatch(/full path/);
    expect(await refusal(`file:${join(dir, 'missing.mp3')}`)).toBe('No file at this path.');
    mkdirSync(join(dir, 'album.ogg'));
    expect(await refusal(`file:${join(dir, 'album.ogg')}`)).toMatch(/folder/);
    writeFileSync(join(dir, 'empty.wav'), '');
    expect(await refusal(`file:${join(dir, 'empty.wav')}`)).toMatch(/empty/);
    writeFileSync(join(dir, 'notes.txt'), 'la la');
    expect(await refusal(`file:${join(dir, 'notes.txt')}`)).toMatch(/not an audio file.*\.mp3/);
  });

  it('refuses a file over 20 MB (sparse, so the test writes nothing big) and says how big it is', async () => {
    const file = join(dir, 'long.flac');
    writeFileSync(file, '');
    truncateSync(file, 20 * 1024 * 1024 + 1);
    expect(await refusal(`file:${file}`)).toMatch(/20\.0 MB.*limited to 20 MB/);
    truncateSync(file, 20 * 1024 * 1024);
    await expect(checkHoldMusicTrack(`file:${file}`)).resolves.toBeUndefined();
  });

  it('refuses a file this process may not read', async () => {
    const unreadable: MusicFileSystem = {
      stat: async () => ({ isFile: () => true, size: 10 }),
      readable: async () => {
        throw new Error('EACCES');
      },
    };
    expect(await refusal('file:/srv/music/hold.ogg', unreadable)).toMatch(/not allowed to read/);
    // Also for real when not root (root reads everything, so only the fake proves it there).
    if (process.getuid?.() !== 0) {
      const file = join(dir, 'locked.ogg');
      writeFileSync(file, 'x');
      chmodSync(file, 0o000);
      expect(await refusal(`file:${file}`)).toMatch(/not allowed to read/);
    }
  });
});

describe('settings:update with a hold-music file, through the core', () => {
  let core: ConsoleCore | null = null;
  afterEach(async () => {
    await core?.stop();
    core = null;
  });

  async function start(chooseMusicFile?: () => Promise<string | null>) {
    const started = await startTestCore({
      secrets: { isAvailable: () => true, seal: (p) => p, open: (s) => s },
      dataDir: dir,
      ...(chooseMusicFile && { chooseMusicFile }),
    });
    core = started.core;
    const choose = () => started.ui.invoke('audio:choose-music-file', undefined);
    const update = (patch: unknown) => started.ui.invoke('settings:update', patch);
    const saved = () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).preferences.holdMusic;
    const pushed = () => started.ui.pushes.map((p) => p.channel);
    return { update, saved, pushed, choose };
  }

  it('refuses a missing file with a field error and leaves the saved music and volume untouched', async () => {
    const { update, saved, pushed } = await start();
    expect(await update({ holdMusic: { volume: 0.3 } })).toMatchObject({ ok: true });
    const before = pushed().filter((c) => c === 'settings:changed').length;
    const r = await update({ holdMusic: { track: `file:${join(dir, 'gone.mp3')}`, volume: 0.9 } });
    expect(r).toEqual({
      ok: false,
      code: 'invalid-request',
      message: 'No file at this path.',
      fields: { 'holdMusic.track': 'No file at this path.' },
    });
    expect(saved()).toEqual({ track: 'builtin:lounge', volume: 0.3 });
    expect(pushed().filter((c) => c === 'settings:changed').length).toBe(before);
  });

  it('answers audio:choose-music-file from the dialog port: a path, null when cancelled, `unavailable` without one', async () => {
    const answers = ['/home/dana/Music/hold.ogg', null];
    const { choose } = await start(async () => answers.shift() ?? null);
    expect(await choose()).toEqual({ ok: true, value: '/home/dana/Music/hold.ogg' });
    expect(await choose()).toEqual({ ok: true, value: null });
    await core!.stop();
    const harnessLike = await start();
    expect(await harnessLike.choose()).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringMatching(/type the full path/) });
  });

  it('saves an existing audio file as the track', async () => {
    const { update, saved } = await start();
    const file = join(dir, 'our-jingle.ogg');
    writeFileSync(file, Buffer.alloc(2048, 7));
    const r = await update({ holdMusic: { track: `file:${file}` } });
    expect(r).toMatchObject({ ok: true, value: { preferences: { holdMusic: { track: `file:${file}`, volume: 0.5 } } } });
    expect(saved()).toEqual({ track: `file:${file}`, volume: 0.5 });
  });
});
