/**
 * A data folder the console cannot write never stops it: settings live in
 * memory, one notice names the folder and what it needs, and the first save
 * after the folder is fixed writes the file. A file in the folder's place
 * makes the folder unusable even for root (ENOTDIR), so this runs anywhere;
 * read-only mounts are in test/integration/storage-faults.test.ts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/logging/logger';
import { openSettingsStore } from '../../../main/settings/store';
import { harnessSecretStore } from '../../harness/secrets';
import { startTestCore } from '../../support/core';
import { tempDir } from './history-fixtures';

describe('settings in a data folder that cannot be written', () => {
  let tmp: ReturnType<typeof tempDir>;
  let blocker: string;
  let dataDir: string;
  beforeEach(() => {
    tmp = tempDir('settings-unwritable-');
    blocker = join(tmp.dir, 'profile');
    writeFileSync(blocker, 'a file where the data folder should be');
    dataDir = join(blocker, 'Agent Console');
  });
  afterEach(() => tmp.remove());

  it('starts from defaults in memory, says which folder needs what, and saves once the folder can be written', () => {
    const store = openSettingsStore(dataDir, harnessSecretStore(), silentLogger);
    expect(store.memoryOnly).toMatch(/ENOTDIR|EEXIST/);
    expect(store.problem).toMatchObject({ reason: 'unwritable' });
    expect(store.problem?.notice).toContain(`Give your user account permission to write to ${dataDir}`);
    expect(store.problem?.notice).toMatch(/in memory only: changes are lost when it closes/);

    // A save works for this session, in memory.
    expect(store.updatePreferences({ calls: { dtmf: 'rfc2833' } }).preferences.calls.dtmf).toBe('rfc2833');
    expect(store.file().preferences.calls.dtmf).toBe('rfc2833');

    // The folder is fixed: the next save writes the file, and no temp file is left.
    rmSync(blocker);
    store.updatePreferences({ calls: { declineWith: 'decline' } });
    expect(store.memoryOnly).toBeNull();
    const saved = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { preferences: { calls: unknown } };
    expect(saved.preferences.calls).toEqual({ dtmf: 'rfc2833', declineWith: 'decline' });
    expect(existsSync(join(dataDir, `settings.json.tmp-${process.pid}`))).toBe(false);
  });

  it('the whole console starts there: the notice, settings that save, and the history saying it cannot record', async () => {
    const { core, ui } = await startTestCore({ dataDir });
    try {
      const notices = (await ui.invoke('app:notices')) as { ok: true; value: Array<{ level: string; message: string }> };
      expect(notices.value).toEqual([expect.objectContaining({ level: 'warning', message: expect.stringContaining(dataDir) })]);
      expect(await ui.invoke('settings:update', { calls: { dtmf: 'rfc2833' } })).toMatchObject({ ok: true });
      expect(await ui.invoke('history:recording')).toMatchObject({
        ok: true,
        value: { state: 'waiting', problem: 'cannot-open', folder: dataDir, message: expect.stringContaining(dataDir) },
      });
      expect(await ui.invoke('history:page', {})).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringContaining(dataDir) });
    } finally {
      await core.stop();
    }
  });
});
