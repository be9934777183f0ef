/**
 * Keeps the media host in line with the agent's audio and hold-music
 * preferences: applied at start, whenever a (restarted) host says hello, when
 * settings change, and again when a preferred device comes back after a
 * hot-unplug. A selected device that vanished falls back to the default in
 * the host (renderer/media/host.ts); here the agent is told, by name.
 */
import type { Preferences } from '../../preload/contract/settings';
import type { Logger } from '../logging/logger';
import type { DeviceRole, DeviceList } from './protocol';
import { musicSourceFromSetting, type DeviceFallback, type MediaClient } from './proxy';

export interface MediaSettingsSyncOptions {
  client: MediaClient;
  preferences: () => Pick<Preferences, 'audio' | 'holdMusic'>;
  /** Reads the agent's own hold-music file (main has the file system; the host does not). */
  readFile: (path: string) => Promise<Uint8Array>;
  notice: (level: 'info' | 'warning', message: string) => void;
  log: Logger;
}

export interface MediaSettingsSync {
  /** Apply the current preferences now (call on settings:changed). */
  apply(): Promise<void>;
  dispose(): void;
}

const roleName: Record<DeviceRole, string> = { input: 'microphone', output: 'speaker/headset', ringer: 'ringer device' };

export function syncMediaSettings(o: MediaSettingsSyncOptions): MediaSettingsSync {
  const labels = new Map<string, string>();
  const remember = (list: DeviceList) => {
    for (const d of [...list.inputs, ...list.outputs]) if (d.label) labels.set(d.deviceId, d.label);
  };
  const tell = (fallbacks: DeviceFallback[]) => {
    for (const f of fallbacks) {
      const name = labels.get(f.lostDeviceId);
      o.notice(
        'warning',
        `The ${roleName[f.role]}${name ? ` “${name}”` : ''} is not available; the console now uses the default ${roleName[f.role]}.`,
      );
    }
  };
  let lastMusic = '';
  let disposed = false;

  const apply = async () => {
    if (disposed || !o.client.available) return;
    const { audio, holdMusic } = o.preferences();
    try {
      tell(await o.client.configureAudio({ inputDeviceId: audio.inputDeviceId, outputDeviceId: audio.outputDeviceId, ringerDeviceId: audio.ringerDeviceId }));
    } catch (error) {
      o.log.warn('media: could not apply audio devices', { error: String(error) });
    }
    const musicKey = `${holdMusic.track}|${holdMusic.volume}`;
    if (musicKey === lastMusic) return;
    try {
      const { source, name } = await musicSourceFromSetting(holdMusic.track, o.readFile);
      await o.client.configureMusic({ source, name, volume: holdMusic.volume });
      lastMusic = musicKey;
    } catch (error) {
      o.log.warn('media: could not load hold music', { track: holdMusic.track, error: String(error) });
      o.notice('warning', `The hold music could not be loaded (${error instanceof Error ? error.message : String(error)}); callers on hold hear the built-in “Lounge”.`);
      lastMusic = musicKey; // told once, not on every settings change
      await o.client.configureMusic({ source: { builtin: 'lounge' }, name: 'Lounge', volume: holdMusic.volume }).catch(() => undefined);
    }
  };

  const offDevices = o.client.onDevices((list, fallbacks) => {
    tell(fallbacks);
    remember(list);
    // A preferred device is (back) in the list: select it again (the host fell back to the default when it left).
    const { audio } = o.preferences();
    const wanted = [audio.inputDeviceId, audio.outputDeviceId, audio.ringerDeviceId].filter((id) => id !== 'default');
    const present = new Set([...list.inputs, ...list.outputs].map((d) => d.deviceId));
    if (fallbacks.length === 0 && wanted.some((id) => present.has(id))) void apply();
  });
  const offReady = o.client.onReady(() => {
    lastMusic = ''; // a new host knows nothing yet
    void apply();
  });
  void apply();

  return {
    apply,
    dispose() {
      disposed = true;
      offDevices();
      offReady();
    },
  };
}
