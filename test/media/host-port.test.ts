/**
 * The Electron transport path of the media host page, without Electron: the
 * built page loaded from file:// (as the packaged app loads it) receives a
 * real MessagePort through window.postMessage exactly as preload/media.ts
 * forwards it, says hello, and answers an RPC over the port.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, rendererOutDir } from '../harness/media-host';
import { mediaHostPortChannel } from '../../preload/contract/media-port';

let browser: Browser;
beforeAll(async () => {
  // Electron loads module scripts from file:// (its file: scheme is privileged); plain Chromium
  // needs this flag to do the same, otherwise CORS blocks the page's module script.
  browser = await launchChromium(undefined, ['--allow-file-access-from-files']);
});
afterAll(async () => {
  await browser?.close();
});

it('serves the protocol over a real MessagePort handed over the way the media preload does', async () => {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(rendererOutDir, 'media/index.html')).href);
  const result = await page.evaluate(`(async () => {
    const { port1, port2 } = new MessageChannel();
    const got = [];
    port2.onmessage = (e) => got.push(e.data);
    // What preload/media.ts does with the port main sends.
    window.postMessage(${JSON.stringify(mediaHostPortChannel)}, '*', [port1]);
    port2.postMessage({ kind: 'rpc', id: 7, request: { op: 'host.stats' } });
    const until = Date.now() + 5000;
    while (!got.some((m) => m.kind === 'reply') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return got;
  })()`);
  const messages = result as { kind: string; id?: number; result?: unknown }[];
  expect(messages[0]).toEqual({ kind: 'hello', protocol: 1 });
  expect(messages.find((m) => m.kind === 'reply')).toEqual({
    kind: 'reply',
    id: 7,
    ok: true,
    result: { connections: 0, streams: 0, audioElements: 0 },
  });
  await page.close();
});
