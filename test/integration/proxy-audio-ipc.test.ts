/**
 * audio:* IPC (device pickers, hold-music preview) through the real router,
 * served by the media client over the recording fake host.
 */
import { expect, it } from 'vitest';
import { createRouter } from '../../main/ipc/router';
import { silentLogger } from '../../main/logging/logger';
import { registerAudioHandlers } from '../../main/ipc/audio';
import { createMediaClient } from '../../main/media/proxy';
import { contract } from '../../preload/contract';
import { fakeUiTransport, UI_URL } from '../support/ui-transport';
import { FakeMediaHost } from './proxy-fake-host';
import { until } from '../support/until';

function setup(withHost = true) {
  const ui = fakeUiTransport();
  const router = createRouter(ui.transport, { uiUrl: () => UI_URL, log: silentLogger });
  const host = new FakeMediaHost();
  const client = withHost ? createMediaClient(host.link) : null;
  const off = registerAudioHandlers(router, client);
  return { host, client, pushed: ui.pushes, invoke: ui.invoke, off };
}

it('lists devices, relays hot-plug pushes in the contract shape, previews music', async () => {
  const { host, pushed, invoke, off } = setup();
  expect(await invoke('audio:devices')).toEqual({ ok: true, value: { inputs: [{ deviceId: 'default', groupId: 'g', label: 'Mic' }], outputs: [] } });
  host.send({
    kind: 'devices',
    devices: { inputs: [], outputs: [{ deviceId: 'hs', groupId: 'g', label: 'Headset', extra: 'not for the UI' }] },
    fallbacks: [],
  });
  await until(() => pushed.length > 0, { timeoutMs: 2000, what: 'the devices push' });
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
