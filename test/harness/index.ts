/**
 * The headless harness: the whole console minus the thin Electron shell.
 *
 *   Node (this process)                     Debian Chromium (playwright-core)
 *   ───────────────────                     ─────────────────────────────────
 *   REAL startCore (main/core/index.ts) ◀─binding─ UI page: built out/renderer/ui over http
 *     router checks sender + payload          window.consoleApi = REAL createUiApi
 *     settings.json in dataDir   ─WebSocket▶ (ui-shim.ts, injected before page scripts)
 *
 * The harness UiTransport fills IpcSender honestly from playwright's binding
 * source (which page, which frame, that frame's URL), so the router's trust
 * check runs exactly as in Electron. Pushes go over a WebSocket on 127.0.0.1
 * (about as fast as webContents.send; a CDP evaluate per push cost ~10 ms),
 * see startPushSocket below. Extensions (the media-host page,
 * test/harness/media-host.ts) start after the browser and before the core and may
 * contribute core ports and pages.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { startCore, type ConsoleCore, type CorePorts } from '../../main/core/index';
import { isTrustedSender, type IpcSender, type UiTransport } from '../../main/ipc/router';
import { createLogger, type Logger } from '../../main/logging/logger';
import type { SecretStore } from '../../main/settings/secrets';
import type { Result } from '../../preload/contract';
import { WebSocket, WebSocketServer } from 'ws';
import { bundleForPage } from './bundle';
import { baseChromiumFlags, CHROMIUM } from './chromium';
import { harnessSecretStore } from './secrets';
import { rendererOutDir, repoRoot, serveDirectory } from './static-server';

export { repoRoot } from './static-server';
export { CHROMIUM } from './chromium';
/** The harness's own flags; WebRTC/loopback and fake-media flags are added by the media extension. */
export const chromiumFlags = baseChromiumFlags;

/** What an extension gets to work with while the harness starts. */
export interface HarnessContext {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** http://127.0.0.1:<port> serving out/renderer (e.g. `${origin}/media/index.html`). */
  readonly origin: string;
  readonly dataDir: string;
  readonly log: Logger;
  /** Registers cleanup; run in reverse order by stop(), also when start fails. */
  onStop(cleanup: () => Promise<void> | void): void;
  /** Classifies binding callers: an extension names the pages it owns (e.g. the media host). */
  registerPage(page: Page, window: IpcSender['window']): void;
}

/** A part of the app the harness can add, e.g. the hidden media-host page. */
export interface HarnessExtension {
  readonly name: string;
  /** Extra Chromium flags this extension needs (e.g. fake audio capture). */
  readonly chromiumArgs?: readonly string[];
  start(ctx: HarnessContext): Promise<{ ports?: Partial<CorePorts>; pages?: Record<string, Page> }>;
}

export interface HarnessOptions {
  /** Settings, logs and history live here (the app's userData). */
  dataDir: string;
  headless?: boolean;
  /** Built renderer to serve; default out/renderer (run `npx electron-vite build` first). */
  rendererDir?: string;
  viewport?: { width: number; height: number };
  secrets?: SecretStore;
  log?: Logger;
  extensions?: readonly HarnessExtension[];
  chromiumArgs?: readonly string[];
  /** Slow every playwright action down (ms), for watching a visible run. */
  slowMo?: number;
}

export interface Harness {
  readonly core: ConsoleCore;
  /** The UI page. */
  readonly ui: Page;
  readonly uiUrl: string;
  /** Where main's pushes are served (token included), for tests of the transport itself. */
  readonly pushUrl: string;
  readonly origin: string;
  readonly browser: Browser;
  /** Pages added by extensions, by name (e.g. `media`). */
  readonly pages: Readonly<Record<string, Page>>;
  readonly mediaPage: Page | undefined;
  /** Saves a PNG of the UI page to test-results/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Stops the core, Chromium and the http server. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const cleanups: Array<() => Promise<void> | void> = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'harness: cleanup failed');
  };

  try {
    mkdirSync(options.dataDir, { recursive: true });
    const log = options.log ?? createLogger({ dir: join(options.dataDir, 'logs'), id: `harness-${process.pid}-${Date.now()}`, consoleLevel: 'warn' });
    const rendererDir = options.rendererDir ?? rendererOutDir;
    const server = await serveDirectory(rendererDir);
    cleanups.push(() => server.close());
    const uiUrl = `${server.origin}/ui/index.html`;
    const pushSocket = await startPushSocket(log);
    cleanups.push(() => pushSocket.close());
    // The socket's address and token reach the shim as a parameter, never as a page global.
    const shim = `((__harnessPush) => {\n${await bundleForPage(join(import.meta.dirname, 'ui-shim.ts'))}\n})(${JSON.stringify({ url: pushSocket.url })});`;

    const extensions = options.extensions ?? [];
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: options.headless ?? true,
      args: [...chromiumFlags, ...(options.chromiumArgs ?? []), ...extensions.flatMap((e) => e.chromiumArgs ?? [])],
      ...(options.slowMo !== undefined && { slowMo: options.slowMo }),
    });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1024, height: 640 }, locale: 'en-US' });
    cleanups.push(() => context.close());

    // Which of "our windows" a page is, as main/desktop/ipc.ts decides from webContents.
    const windows = new Map<Page, IpcSender['window']>();
    const describe = (page: Page, frame: Frame): IpcSender => ({
      window: windows.get(page) ?? 'unknown',
      isMainFrame: frame === page.mainFrame(),
      frameUrl: frame.url(),
    });

    const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>>();
    const transport: UiTransport = {
      handle(channel, listener) {
        handlers.set(channel, listener);
        return () => handlers.delete(channel);
      },
      push(channel, payload) {
        pushSocket.send(channel, payload);
      },
    };
    // On the context, so every page (and frame) can call it — and the router must refuse the ones that are not the UI.
    await context.exposeBinding('__harnessInvoke', async (source, channel: unknown, payload: unknown) => {
      const handler = typeof channel === 'string' ? handlers.get(channel) : undefined;
      if (!handler) return { ok: false, code: 'invalid-request', message: `Unknown channel ${String(channel)}` };
      return handler(describe(source.page, source.frame), payload);
    });

    const ctx: HarnessContext = {
      browser,
      context,
      origin: server.origin,
      dataDir: options.dataDir,
      log,
      onStop: (cleanup) => cleanups.push(cleanup),
      registerPage: (page, window) => windows.set(page, window),
    };
    const pages: Record<string, Page> = {};
    let extraPorts: Partial<CorePorts> = {};
    for (const extension of extensions) {
      const added = await extension.start(ctx);
      extraPorts = { ...extraPorts, ...added.ports };
      Object.assign(pages, added.pages);
    }

    const core = await startCore({
      ...extraPorts,
      ui: transport,
      uiUrl: () => uiUrl,
      secrets: options.secrets ?? harnessSecretStore(),
      dataDir: options.dataDir,
      log,
      app: { name: 'Agent Console', version: process.env['npm_package_version'] ?? '0.0.0', platform: process.platform, electron: null },
    });
    cleanups.push(() => core.stop());

    const page = await context.newPage();
    windows.set(page, 'ui');
    // Only the UI window's top document, on the UI's own URL, gets main's pushes — the router's test for invokes.
    await page.exposeBinding('__harnessAttachPushes', (source, id: unknown) =>
      typeof id === 'string' && pushSocket.attach(id, isTrustedSender(describe(source.page, source.frame), uiUrl)),
    );
    await page.addInitScript({ content: shim });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => {
      pageErrors.push(String(e));
      log.error('harness: UI page error', { error: String(e) });
    });
    await page.goto(uiUrl, { waitUntil: 'load' });
    if (pageErrors.length) throw new Error(`UI page failed to start: ${pageErrors.join('; ')}`);

    return {
      core,
      ui: page,
      uiUrl,
      pushUrl: pushSocket.url,
      origin: server.origin,
      browser,
      pages,
      get mediaPage() {
        return pages['media'];
      },
      async screenshot(name) {
        if (!/^[\w.-]{1,80}$/.test(name)) throw new Error(`screenshot name must be a plain file name, got ${name}`);
        const dir = join(repoRoot, 'test-results/screenshots');
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${name}.png`);
        await page.screenshot({ path, fullPage: false, animations: 'disabled' });
        return path;
      },
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** main → UI page pushes: the harness's webContents.send. */
interface PushSocket {
  /** ws://127.0.0.1:<port>/?token=… — connections without the token are refused at the handshake. */
  readonly url: string;
  /**
   * Makes the connection that was given `id` THE push target (a previous one is closed) when the
   * caller is the UI document; otherwise closes it. False when refused or the id is unknown.
   */
  attach(id: string, trusted: boolean): boolean;
  /** In order, fire and forget; dropped while no page is attached (loading, reloading, closed). */
  send(channel: string, payload: unknown): void;
  close(): Promise<void>;
}

/**
 * A WebSocket server on 127.0.0.1 with a random per-harness token. Every connection gets an attach
 * id as its first message; it receives pushes only once the UI page handed that id back through a
 * binding (whose caller playwright names), so a socket opened by anything else — another page,
 * another process that guessed the port — never sees a push. JSON, not the structured clone
 * Electron uses: push payloads are schema-checked JSON data either way.
 */
async function startPushSocket(log: Logger): Promise<PushSocket> {
  const token = randomBytes(24).toString('base64url');
  const tokenOk = (given: string) => given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  // The page never sends anything: a tiny payload limit makes a chatty client a closed one.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 });
  const connecting = new Map<string, WebSocket>();
  let target: WebSocket | null = null;
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    let given = '';
    try {
      given = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token') ?? '';
    } catch {
      // refused below
    }
    if (!tokenOk(given)) {
      log.warn('harness: push socket refused a connection without the token');
      socket.once('finish', () => socket.destroy());
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = randomBytes(16).toString('base64url');
      connecting.set(id, ws);
      ws.on('close', () => {
        connecting.delete(id);
        if (target === ws) target = null;
      });
      ws.on('error', (e) => log.debug('harness: push socket error', { error: String(e) }));
      ws.send(JSON.stringify({ attach: id }));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/?token=${token}`,
    attach(id, trusted) {
      const ws = connecting.get(id);
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      connecting.delete(id);
      if (!trusted) {
        ws.close(1008, 'not the UI page');
        return false;
      }
      // A newer document of the UI window took over: the old one is gone or going.
      if (target && target !== ws) target.close(1000, 'replaced');
      target = ws;
      return true;
    },
    send(channel, payload) {
      const ws = target;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        log.debug('harness: push dropped (no UI page attached)', { channel });
        return;
      }
      ws.send(JSON.stringify([channel, payload]));
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
