/**
 * The headless harness: the whole console minus the thin Electron shell.
 *
 *   Node (this process)                     Debian Chromium (playwright-core)
 *   ───────────────────                     ─────────────────────────────────
 *   REAL startCore (main/core/index.ts) ◀─binding─ UI page: built out/renderer/ui over http
 *     router checks sender + payload          window.consoleApi = REAL createUiApi
 *     settings.json in dataDir     ─evaluate▶ (ui-shim.ts, injected before page scripts)
 *
 * The harness UiTransport fills IpcSender honestly from playwright's binding
 * source (which page, which frame, that frame's URL), so the router's trust
 * check runs exactly as in Electron. Extensions (the media-host page,
 * test/harness/media-host.ts) start after the browser and before the core and may
 * contribute core ports and pages.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { startCore, type ConsoleCore, type CorePorts } from '../../main/core/index';
import type { IpcSender, UiTransport } from '../../main/ipc/router';
import { createLogger, type Logger } from '../../main/logging/logger';
import type { SecretStore } from '../../main/settings/secrets';
import type { Result } from '../../preload/contract';
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
    const shim = await bundleForPage(join(import.meta.dirname, 'ui-shim.ts'));

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

    let ui: Page | null = null;
    const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>>();
    const transport: UiTransport = {
      handle(channel, listener) {
        handlers.set(channel, listener);
        return () => handlers.delete(channel);
      },
      push(channel, payload) {
        const page = ui;
        if (!page || page.isClosed()) return;
        // Like webContents.send: fire and forget, in order; dropped while the page is (re)loading.
        void page
          .evaluate(([c, p]) => window.__harnessDeliver?.(c, p), [channel, payload] as const)
          .catch((e: unknown) => log.debug('harness: push dropped', { channel, error: String(e) }));
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
    await page.addInitScript({ content: shim });
    ui = page;
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
