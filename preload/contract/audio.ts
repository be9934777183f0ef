/**
 * Audio devices and hold-music preview, for the device pickers and the hold
 * music setting. The media host enumerates devices; main relays the list
 * (and every hot-plug change) here. The chosen ids themselves are
 * preferences (settings.ts → audio), so picking a device is `settings:update`.
 */
import { z } from 'zod';
import { event, noInput, request } from './define';

export const audioDeviceSchema = z.strictObject({
  deviceId: z.string().max(512),
  groupId: z.string().max(512),
  label: z.string().max(512),
});
export const audioDevicesSchema = z.strictObject({
  inputs: z.array(audioDeviceSchema).max(256),
  outputs: z.array(audioDeviceSchema).max(256),
});
export type AudioDevice = z.infer<typeof audioDeviceSchema>;
export type AudioDevices = z.infer<typeof audioDevicesSchema>;

export const audio = {
  /** Fails with `unavailable` while the media host is down. */
  devices: request('audio:devices', noInput, audioDevicesSchema),
  /** Plays (or stops) the chosen hold music on the agent's own output device. */
  previewMusic: request('audio:preview-music', z.strictObject({ on: z.boolean() }), z.null()),
  /**
   * Asks the agent for their own hold-music file with the system's file dialog; the
   * absolute path, or null when cancelled. Fails with `unavailable` where there is no
   * dialog (the headless harness): the path can always be typed instead.
   */
  chooseMusicFile: request('audio:choose-music-file', noInput, z.string().max(1000).nullable()),
  devicesChanged: event('audio:devices-changed', audioDevicesSchema),
} as const;
