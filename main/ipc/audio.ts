/**
 * IPC for audio devices and hold-music preview (preload/contract/audio.ts),
 * served by the media client. Returns the unsubscribe of the device relay.
 */
import { contract } from '../../preload/contract';
import { ConsoleError } from '../../preload/contract/result';
import type { Router } from './router';
import type { DeviceList } from '../media/protocol';
import type { MediaClient } from '../media/proxy';

const noHost = () => new ConsoleError('unavailable', 'The media host is not running: audio devices cannot be used right now.');

// The UI gets exactly the contract's fields (id, group, label), nothing else the host may add.
const strip = (devices: DeviceList) => ({
  inputs: devices.inputs.map(({ deviceId, groupId, label }) => ({ deviceId, groupId, label })),
  outputs: devices.outputs.map(({ deviceId, groupId, label }) => ({ deviceId, groupId, label })),
});

export function registerAudioHandlers(router: Router, client: MediaClient | null): () => void {
  router.handle(contract.audio.devices, async () => {
    if (!client) throw noHost();
    return strip(await client.listDevices());
  });
  router.handle(contract.audio.previewMusic, async ({ on }) => {
    if (!client) throw noHost();
    await client.previewMusic(on);
    return null;
  });
  if (!client) return () => {};
  return client.onDevices((devices) => router.push(contract.audio.devicesChanged, strip(devices)));
}
