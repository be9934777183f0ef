/**
 * audio:* IPC (device pickers, hold-music preview) through the real router,
 * served by the media client over the recording fake host.
 */
import { expect, it } from 'vitest';
import { createRouter, type IpcSender, type UiTransport } from '../../main/ipc/router';
import { silentLogger } from '../../main/logging/logger';
import { registerAudioHandlers } from '../../main/media/ipc';
import { createMediaClient } from '../../main/media/proxy';
import { contract } from '../../preload/contract';
import { FakeMediaHost } from './proxy-fake-host';

const uiUrl = 'http://127.0.0.1:5173/ui/index.html';
const ui: IpcSender = { window: 'ui', isMainFrame: true, frameUrl: uiUrl };

function setup(withHost = true) {
  const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<unknown>>();
  const pushed: { channel: string; payload: unknown }[] = [];
  const transport: UiTransport = {
    handle(channel, listener) {
      handlers.set(channel, listener as never);
      return () => handlers.delete(channel);
    },
    push: (channel, payload) => pushed.push({ channel, payload }),
  };
  const router = createRouter(transport, { uiUrl: () => uiUrl, log: silentLogger });
  const host = new FakeMediaHost();
  const client = withHost ? createMediaClient(host.link) : null;
  const off = registerAudioHandlers(router, client);
  const invoke = (channel: string, payload?: unknown) => handlers.get(channel)!(ui, payload);
  return { host, client, pushed, invoke, off };
}

it('lists devices, relays hot-plug pushes in the contract shape, previews music', async () => {
  const { host, pushed, invoke, off } = setup();
  expect(await invoke('audio:devices')).toEqual({ ok: true, value: { inputs: [{ deviceId: 'default', groupId: 'g', label: 'Mic' }], outputs: [] } });
  host.send({
    kind: 'devices',
    devices: { inputs: [], outputs: [{ deviceId: 'hs', groupId: 'g', label: 'Headset', extra: 'not for the UI' }] },
    fallbacks: [],
  });
  await new Promise((r) => setTimeout(r, 10));
  expect(pushed).toEqual([{ channel: 'audio:devices-changed', payload: { inputs: [], outputs: [{ deviceId: 'hs', groupId: 'g', label: 'Headset' }] } }]);
  expect(contract.audio.devicesChanged.payload.safeParse(pushed[0]!.payload).success).toBe(true);
  expect(await invoke('audio:preview-music', { on: true })).toEqual({ ok: true, value: null });
  expect(host.received.at(-1)).toMatchObject({ kind: 'rpc', request: { op: 'music.preview', on: true } });
  expect(await invoke('audio:preview-music', { on: 'yes' })).toMatchObject({ ok: false, code: 'invalid-request' });
  off();
});

it('says the media host is unavailable when there is none, or when it died', async () => {
  const none = setup(false);
  expect(await none.invoke('audio:devices')).toMatchObject({ ok: false, code: 'unavailable' });
  const dead = setup();
  dead.host.die('crashed');
  expect(await dead.invoke('audio:devices')).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringContaining('crashed') });
});
