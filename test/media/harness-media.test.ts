/**
 * The media host composed into the UI harness (test/harness/index.ts): the
 * real core gets the page's link as CorePorts.media, its telephony builds the
 * media client on it, and a host crash reaches the call service as `gone`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness/index';
import { mediaHostExtension } from '../harness/media-host';
import { until } from '../support/until';
import { toneWav } from './tools';

let harness: Harness;
const media = mediaHostExtension({ fakeAudioFile: toneWav(660) });

beforeAll(async () => {
  harness = await startHarness({ dataDir: mkdtempSync(join(tmpdir(), 'agent-console-harness-media-')), extensions: [media] });
});
afterAll(async () => {
  await harness?.stop();
});

it('the core talks to the real media host page through the extension', async () => {
  expect(harness.mediaPage).toBe(media.current!.page);
  const client = harness.core.telephony.media!;
  expect(client).not.toBeNull();
  const devices = await client.listDevices();
  expect(devices.inputs.length).toBeGreaterThan(0);
  const stream = await client.acquireMicrophone({ deviceId: 'default', echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  expect(await client.hostStats()).toMatchObject({ streams: 1 });
  client.releaseStream(stream);
  await until(async () => (await client.hostStats()).streams === 0, { timeoutMs: 3000, what: 'stream released' });
});

it("a crashed media host makes the core's media client unavailable with a reason", async () => {
  const client = harness.core.telephony.media!;
  const reasons: string[] = [];
  client.onGone((r) => reasons.push(r));
  await media.current!.crash();
  expect(reasons).toEqual(['media host crashed']);
  expect(client.available).toBe(false);
});
