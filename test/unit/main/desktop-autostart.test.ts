/**
 * Start at login: the system's login item on macOS and Windows (read back to
 * confirm), the freedesktop autostart entry on Linux (quoted as the Desktop
 * Entry spec asks), never for a console run from its sources, and a failure
 * reported with its reason rather than thrown.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyAutoStart, autostartEntry, autostartFile, electronAutoStartEnv, execArgument, type AutoStartEnv } from '../../../main/desktop/autostart';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'autostart-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function env(platform: NodeJS.Platform, over: Partial<AutoStartEnv> = {}): AutoStartEnv & { item: { on: boolean } } {
  const item = { on: false };
  const real = electronAutoStartEnv();
  return {
    ...real,
    platform,
    packaged: true,
    executable: '/opt/Agent Console/agent-console',
    configHome: dir,
    loginItems: { set: (on) => (item.on = on), get: () => item.on },
    item,
    ...over,
  };
}

describe('start at login', () => {
  it.each(['darwin', 'win32'] as const)('%s: sets the login item and reads it back', async (platform) => {
    const e = env(platform);
    expect(await applyAutoStart(true, e)).toEqual({ state: 'on', message: null });
    expect(e.item.on).toBe(true);
    expect(await applyAutoStart(false, e)).toEqual({ state: 'off', message: null });
    expect(e.item.on).toBe(false);
  });

  it('says so when the system did not keep the login item', async () => {
    const e = env('darwin', { loginItems: { set: vi.fn(), get: () => false } });
    expect(await applyAutoStart(true, e)).toEqual({ state: 'failed', message: 'The system did not add the login item.' });
  });

  it('linux: writes and removes the autostart entry', async () => {
    const e = env('linux');
    expect(await applyAutoStart(true, e)).toEqual({ state: 'on', message: null });
    const file = autostartFile(dir);
    expect(file).toBe(join(dir, 'autostart', 'agent-console.desktop'));
    expect(readFileSync(file, 'utf8')).toBe(autostartEntry('/opt/Agent Console/agent-console'));
    expect(readFileSync(file, 'utf8')).toContain('Exec="/opt/Agent Console/agent-console"\n');
    expect(await applyAutoStart(false, e)).toEqual({ state: 'off', message: null });
    expect(existsSync(file)).toBe(false);
    expect(await applyAutoStart(false, e)).toEqual({ state: 'off', message: null }); // nothing to remove: fine
  });

  it('never registers a console run from its sources (it would start a bare Electron)', async () => {
    const e = env('linux', { packaged: false });
    expect(await applyAutoStart(true, e)).toMatchObject({ state: 'unsupported' });
    expect(existsSync(autostartFile(dir))).toBe(false);
  });

  it('reports a failure with its reason', async () => {
    const e = env('linux', { files: { write: async () => Promise.reject(new Error('EACCES: permission denied')), remove: async () => {} } });
    expect(await applyAutoStart(true, e)).toEqual({ state: 'failed', message: 'Start at login could not be set up: EACCES: permission denied' });
    expect(await applyAutoStart(true, env('freebsd'))).toMatchObject({ state: 'unsupported' });
  });

  it('quotes Exec arguments as the Desktop Entry spec asks', () => {
    expect(execArgument('/usr/bin/agent-console')).toBe('/usr/bin/agent-console');
    expect(execArgument('/home/ada/My Apps/Agent.AppImage')).toBe('"/home/ada/My Apps/Agent.AppImage"');
    expect(execArgument('/tmp/a"b$c`d\\e')).toBe('"/tmp/a\\"b\\$c\\`d\\\\e"');
    expect(autostartEntry('/tmp/100%/app')).toContain('Exec="/tmp/100%%/app"');
  });
});
