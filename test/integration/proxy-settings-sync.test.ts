/**
 * Audio and hold-music preferences reach the media host (fake, recording):
 * at start, after a host restart (hello), and when a preferred device comes
 * back; the agent is told by name when a selected device disappears.
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../main/logging/logger';
import { createMediaClient } from '../../main/media/proxy';
import type { ToHost } from '../../main/media/protocol';
import { syncMediaSettings, type MediaSettingsSync } from '../../main/media/settings-sync';
import { FakeMediaHost } from './proxy-fake-host';

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};
const prefs = {
  audio: { inputDeviceId: 'default', outputDeviceId: 'headset-1', ringerDeviceId: 'default', echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  holdMusic: { track: 'builtin:classic', volume: 0.3 },
};
const rpcs = (host: FakeMediaHost, op: string) =>
  host.received.filter((m): m is Extract<ToHost, { kind: 'rpc' }> => m.kind === 'rpc' && m.request.op === op).map((m) => m.request);

let sync: MediaSettingsSync | null = null;
afterEach(() => sync?.dispose());

function setup(files: Record<string, Uint8Array> = {}) {
  const host = new FakeMediaHost();
  const client = createMediaClient(host.link);
  const notices: string[] = [];
  let current = structuredClone(prefs);
  sync = syncMediaSettings({
    client,
    preferences: () => current,
    readFile: async (path) => {
      const bytes = files[path];
      if (!bytes) throw new Error(`ENOENT: ${path}`);
      return bytes;
    },
    notice: (_level, message) => notices.push(message),
    log: silentLogger,
  });
  return { host, client, notices, set: (next: typeof prefs) => (current = next) };
}

it('applies devices and music at start and re-applies both when a new host says hello', async () => {
  const { host } = setup();
  await settle();
  expect(rpcs(host, 'audio.configure')).toEqual([{ op: 'audio.configure', inputDeviceId: 'default', outputDeviceId: 'headset-1', ringerDeviceId: 'default' }]);
  expect(rpcs(host, 'music.configure')).toEqual([{ op: 'music.configure', source: { builtin: 'classic' }, name: 'Classic', volume: 0.3 }]);
  host.send({ kind: 'hello', protocol: 1 });
  await settle();
  expect(rpcs(host, 'audio.configure')).toHaveLength(2);
  expect(rpcs(host, 'music.configure')).toHaveLength(2);
});

it('sends the agent’s own file as bytes, and falls back to Lounge with a notice when it cannot be read', async () => {
  const { host, notices, set } = setup({ '/music/mine.ogg': new Uint8Array([1, 2, 3]) });
  await settle();
  set({ ...prefs, holdMusic: { track: 'file:/music/mine.ogg', volume: 0.5 } });
  await sync!.apply();
  expect(rpcs(host, 'music.configure').at(-1)).toEqual({ op: 'music.configure', source: { file: 'mine', base64: 'AQID' }, name: 'mine', volume: 0.5 });
  set({ ...prefs, holdMusic: { track: 'file:/music/missing.ogg', volume: 0.5 } });
  await sync!.apply();
  expect(rpcs(host, 'music.configure').at(-1)).toMatchObject({ source: { builtin: 'lounge' }, name: 'Lounge' });
  expect(notices).toEqual([expect.stringContaining('The hold music could not be loaded (ENOENT: /music/missing.ogg)')]);
});

it('names a hot-unplugged device in the notice and re-selects it when it comes back', async () => {
  const { host, notices } = setup();
  await settle();
  const list = (withHeadset: boolean) => ({
    inputs: [{ deviceId: 'default', groupId: 'g', label: 'Default' }],
    outputs: [
      { deviceId: 'default', groupId: 'g', label: 'Default' },
      ...(withHeadset ? [{ deviceId: 'headset-1', groupId: 'h', label: 'Jabra Evolve 40' }] : []),
    ],
  });
  host.send({ kind: 'devices', devices: list(true), fallbacks: [] });
  await settle();
  const applied = rpcs(host, 'audio.configure').length;
  host.send({ kind: 'devices', devices: list(false), fallbacks: [{ role: 'output', lostDeviceId: 'headset-1' }] });
  await settle();
  expect(notices).toEqual(['The speaker/headset “Jabra Evolve 40” is not available; the console now uses the default speaker/headset.']);
  host.send({ kind: 'devices', devices: list(true), fallbacks: [] });
  await settle();
  expect(rpcs(host, 'audio.configure').length).toBeGreaterThan(applied);
  expect(rpcs(host, 'audio.configure').at(-1)).toMatchObject({ outputDeviceId: 'headset-1' });
});
