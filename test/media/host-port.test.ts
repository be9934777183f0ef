/**
 * The Electron transport path of the media host page, without Electron: the
 * built page loaded from file:// (as the packaged app loads it), with the
 * BUILT media preload (out/preload/media.cjs, the very file Electron runs)
 * executed before the page's scripts. Only `require('electron')` is played by
 * the test: its ipcRenderer hands the preload the MessagePort the way main
 * sends it (an event whose `ports` hold the port). The page then says hello
 * and answers an RPC over that port.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, rendererOutDir, repoRoot } from '../harness/media-host';
import { mediaHostPortChannel } from '../../preload/contract/media-port';

const builtPreload = join(repoRoot, 'out/preload/media.cjs');

/**
 * Runs the built CommonJS preload with a stand-in for Electron's ipcRenderer:
 * `window.__main.send(channel, event)` is main sending on a channel. Every
 * module the preload requires is recorded (a sandboxed preload may only
 * require Electron built-ins).
 */
function preloadScript(): string {
  const code = readFileSync(builtPreload, 'utf8');
  return `(() => {
    const listeners = new Map();
    const required = [];
    window.__main = {
      required,
      channels: () => [...listeners.keys()],
      send(channel, event) {
        const once = listeners.get(channel) || [];
        listeners.delete(channel);
        for (const listener of once) listener(event);
        return once.length;
      },
    };
    const ipcRenderer = { once(channel, listener) { listeners.set(channel, [...(listeners.get(channel) || []), listener]); } };
    const require = (name) => {
      required.push(name);
      if (name !== 'electron') throw new Error('the media preload requires ' + name);
      return { ipcRenderer };
    };
    const module = { exports: {} };
    (function (require, module, exports) {
${code}
    })(require, module, module.exports);
  })();`;
}

let browser: Browser;
beforeAll(async () => {
  // Electron loads module scripts from file:// (its file: scheme is privileged); plain Chromium
  // needs this flag to do the same, otherwise CORS blocks the page's module script.
  browser = await launchChromium(undefined, ['--allow-file-access-from-files']);
});
afterAll(async () => {
  await browser?.close();
});

it('serves the protocol over a real MessagePort handed over by the built media preload', async () => {
  const page = await browser.newPage();
  await page.addInitScript({ content: preloadScript() });
  await page.goto(pathToFileURL(join(rendererOutDir, 'media/index.html')).href);
  // The preload listens on the handshake channel only, and needs nothing but Electron.
  expect(await page.evaluate('window.__main.channels()')).toEqual([mediaHostPortChannel]);
  expect(await page.evaluate('window.__main.required')).toEqual(['electron']);

  const result = await page.evaluate(`new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    const got = [];
    port2.onmessage = (e) => {
      got.push(e.data);
      if (e.data.kind === 'reply') resolve({ got, delivered });
    };
    // A deadline, not a wait: without a reply the test fails with what did arrive.
    setTimeout(() => resolve({ got, delivered, noReply: true }), 10000);
    // Main sends the port; the preload forwards it to the page.
    const delivered = window.__main.send(${JSON.stringify(mediaHostPortChannel)}, { ports: [port1] });
    port2.postMessage({ kind: 'rpc', id: 7, request: { op: 'host.stats' } });
  })`);
  const { got, delivered, noReply } = result as { got: { kind: string; id?: number; result?: unknown }[]; delivered: number; noReply?: boolean };
  expect(delivered).toBe(1);
  expect(noReply, `no reply over the port; received ${JSON.stringify(got)}`).toBeUndefined();
  expect(got[0]).toEqual({ kind: 'hello', protocol: 1 });
  expect(got.find((m) => m.kind === 'reply')).toEqual({
    kind: 'reply',
    id: 7,
    ok: true,
    result: { connections: 0, streams: 0, audioElements: 0 },
  });
  // ipcRenderer.once: a second port from main is not forwarded.
  expect(await page.evaluate(`window.__main.send(${JSON.stringify(mediaHostPortChannel)}, { ports: [new MessageChannel().port1] })`)).toBe(0);
  await page.close();
});
