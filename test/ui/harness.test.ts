/**
 * The harness itself: extensions can add pages and core ports, the sender a
 * page reports is honest (a page registered as the media host is refused by
 * the router), and stop() leaves no Chromium or http server behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type HarnessExtension } from '../harness/index';
import { uiUnbuilt } from '../harness/built';

/** Skipped LOUDLY when the pages are not built (test/harness/built.ts). */
const unbuilt = uiUnbuilt();
const status = (url: string) =>
  new Promise<number | string>((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    req.end();
  });

describe.skipIf(unbuilt)('headless harness', () => {
  let h: Harness | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'harness-'));
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs extensions, refuses their non-UI pages, serves only the renderer folder, and stops everything', async () => {
    let extensionStopped = false;
    let mediaPage: Page | undefined;
    const fakeMedia: HarnessExtension = {
      name: 'fake-media',
      async start(ctx) {
        mediaPage = await ctx.context.newPage();
        ctx.registerPage(mediaPage, 'media');
        ctx.onStop(() => {
          extensionStopped = true;
        });
        return { pages: { media: mediaPage } };
      },
    };
    h = await startHarness({ dataDir: dir, extensions: [fakeMedia] });
    expect(h.mediaPage).toBe(mediaPage);

    // The media page loads a page from our own origin, yet is not the UI window: refused.
    await mediaPage!.goto(`${h.origin}/media/index.html`).catch(() => {});
    const fromMedia = await mediaPage!.evaluate(() =>
      (window as unknown as { __harnessInvoke: (c: string, p: unknown) => Promise<unknown> }).__harnessInvoke('settings:get', undefined),
    );
    expect(fromMedia).toMatchObject({ ok: false, code: 'untrusted-sender' });
    // The UI page is trusted.
    expect(await h.ui.evaluate(() => window.consoleApi.app.info())).toMatchObject({ ok: true, value: { electron: null, dataDir: dir } });

    expect(await status(`${h.origin}/ui/index.html`)).toBe(200);
    expect(await status(`${h.origin}/../../package.json`)).not.toBe(200);
    // URL parsing already resolves ../ and %2e%2e; an encoded slash is caught by the server itself.
    expect(await status(`${h.origin}/%2e%2e/%2e%2e/package.json`)).toBe(404);
    expect(await status(`${h.origin}/..%2f..%2fpackage.json`)).toBe(403);
    expect(await status(`${h.origin}/nope.js`)).toBe(404);

    const { origin, browser } = h;
    await h.stop();
    await h.stop();
    h = undefined;
    expect(extensionStopped).toBe(true);
    expect(browser.isConnected()).toBe(false);
    expect(await status(`${origin}/ui/index.html`)).toBe('ECONNREFUSED');
  });

  it('cleans up what it started when start fails', async () => {
    let browser: Browser | undefined;
    let origin = '';
    const failing: HarnessExtension = {
      name: 'broken',
      async start(ctx) {
        browser = ctx.browser;
        origin = ctx.origin;
        throw new Error('extension failed on purpose');
      },
    };
    await expect(startHarness({ dataDir: dir, extensions: [failing] })).rejects.toThrow(/on purpose/);
    expect(browser?.isConnected()).toBe(false);
    expect(await status(`${origin}/ui/index.html`)).toBe('ECONNREFUSED');
  });
});
