/**
 * The harness's stand-in for webContents.send (test/harness/index.ts): main's
 * pushes reach the UI page over a WebSocket on 127.0.0.1 — refused without the
 * harness's token, delivered only to the socket the UI page attached, in
 * order, dropped while no UI document is attached, and back after a reload.
 * The lab's timings rely on this hop (test/bench/console-lab.bench.ts), so it
 * is tested on its own; it needs no Kamailio, only the built UI page.
 *
 *   npx electron-vite build && npx vitest run --project ui test/ui/harness-push.test.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract, type LineStatus } from '../../preload/contract';
import { uiUnbuilt } from '../harness/built';
import { startHarness, type Harness } from '../harness/index';

interface PushWindow {
  __seen?: number[];
  __stopListening?: () => void;
}

/** The HTTP status a handshake to `url` ends with (101 when it opened), and the messages it got meanwhile. */
function handshake(url: string, listenMs = 300): Promise<{ status: number; messages: string[] }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, messages });
      ws.terminate();
    });
    ws.on('error', () => resolve({ status: -1, messages }));
    ws.on('message', (m: Buffer) => messages.push(m.toString('utf8')));
    ws.on('open', () =>
      setTimeout(() => {
        ws.close();
        resolve({ status: 101, messages });
      }, listenMs),
    );
  });
}

describe.skipIf(uiUnbuilt())('harness pushes (main → UI page over a WebSocket)', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'harness-push-'));
  const push = (since: number) => h.core.router.push(contract.line.changed, { state: 'unconfigured', aor: null, reason: null, since } satisfies LineStatus);
  /** Every line:changed the UI page's consoleApi got since `listen()`, by its `since`. */
  const listen = () =>
    h.ui.evaluate(() => {
      const w = window as unknown as PushWindow;
      w.__stopListening?.();
      const got: number[] = (w.__seen = []);
      w.__stopListening = window.consoleApi.line.onChanged((s) => got.push(s.since));
    });
  const seen = () => h.ui.evaluate(() => (window as unknown as PushWindow).__seen ?? []);

  beforeAll(async () => {
    h = await startHarness({ dataDir: dir });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses connections without the token, and pushes nothing to a socket the UI page did not attach', async () => {
    const bare = h.pushUrl.replace(/\?.*$/, '');
    expect((await handshake(bare)).status).toBe(403);
    expect((await handshake(`${bare}?token=guessed`)).status).toBe(403);

    await listen();
    // A socket with the token (as if another page got the script) is given an attach id, and nothing else.
    const outsider = handshake(h.pushUrl, 600);
    await new Promise((r) => setTimeout(r, 150));
    push(1);
    const got = await outsider;
    expect(got.status).toBe(101);
    expect(got.messages).toHaveLength(1);
    expect(JSON.parse(got.messages[0]!)).toEqual({ attach: expect.any(String) });
    await expect.poll(seen).toEqual([1]);
  });

  it('delivers a burst in order', async () => {
    await listen();
    const sent = Array.from({ length: 200 }, (_, i) => 1000 + i);
    for (const n of sent) push(n);
    await expect.poll(seen).toEqual(sent);
  });

  it('drops pushes while no UI document is attached, and attaches again after a navigation or reload', async () => {
    // The shim runs in any document of the UI window; about:blank's attach is refused like its invokes.
    await h.ui.goto('about:blank');
    expect(await h.ui.evaluate(() => window.consoleApi.app.info())).toMatchObject({ ok: false, code: 'untrusted-sender' });
    await listen();
    push(2001);
    // Were it delivered, it would be here well before the next round trip through main and back.
    await new Promise((r) => setTimeout(r, 200));
    await h.ui.evaluate(() => window.consoleApi.app.info());
    expect(await seen()).toEqual([]);
    await h.ui.goto(h.uiUrl, { waitUntil: 'load' });
    // Once an invoke answered, this document is attached: every later push reaches it.
    await h.ui.evaluate(() => window.consoleApi.app.info());
    await listen();
    push(2002);
    await expect.poll(seen).toEqual([2002]);

    await h.ui.reload({ waitUntil: 'load' });
    await h.ui.evaluate(() => window.consoleApi.app.info());
    await listen();
    push(2003);
    await expect.poll(seen).toEqual([2003]);
  });
});
