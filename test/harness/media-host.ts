/**
 * The REAL media host page (out/renderer/media/index.html, built by
 * `npx electron-vite build`) in headless Debian Chromium, with a
 * MediaHostLink over playwright bindings instead of Electron's MessagePort.
 *
 * The page's transport is injectable (renderer/media/main.ts): an init script
 * defines `window.__agentConsoleMediaPort` before the page's own script runs;
 * host → main messages go through an exposed binding, main → host messages
 * are batched into ordered `page.evaluate` calls. Nothing in the page is
 * test-only apart from that port object.
 *
 * The UI harness (test/harness/index.ts) composes with this: pass its `baseUrl` (it serves
 * out/renderer too) and, if it has one, its `browser` — but note the fake
 * microphone file is per Chromium process, so a distinct tone needs its own.
 */
import { baseChromiumFlags, CHROMIUM, fakeAudioFileFlag, fakeMediaFlags, webrtcLoopbackFlags } from './chromium';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Listeners, type MediaHostLink } from '../../main/media/link';
import type { HarnessContext, HarnessExtension } from './index';
import { rendererOutDir, serveDirectory } from './static-server';

export { repoRoot, rendererOutDir } from './static-server';

/** The media host's Chromium: loopback WebRTC, fake devices, no network chatter (test/harness/chromium.ts). */
export function chromiumArgs(fakeAudioFile?: string): string[] {
  return [
    '--headless',
    ...baseChromiumFlags,
    ...webrtcLoopbackFlags,
    ...fakeMediaFlags,
    ...(fakeAudioFile ? [fakeAudioFileFlag(fakeAudioFile)] : []),
  ];
}

export function launchChromium(fakeAudioFile?: string, extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...chromiumArgs(fakeAudioFile), ...extraArgs] });
}

/**
 * Serve a directory (default out/renderer) on 127.0.0.1 only (./static-server.ts).
 * `/blank.html` is an empty secure-context page for plain test peers.
 */
export async function serveStatic(root = rendererOutDir): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = await serveDirectory(root, { pages: { '/blank.html': '<!doctype html><html><head><title>peer</title></head><body></body></html>' } });
  return { baseUrl: server.origin, close: () => server.close() };
}

export interface MediaHostHarness {
  link: MediaHostLink;
  page: Page;
  browser: Browser;
  /** Crash the media host's renderer (chrome://crash): the link reports `gone`. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMediaHostOptions {
  /** Where out/renderer is served; default: a server started (and stopped) here. */
  baseUrl?: string;
  /** Reuse a browser (its fake microphone applies); default: launch one, stopped by stop(). */
  browser?: Browser;
  /** WAV fed to the fake microphone when launching our own browser. */
  fakeAudioFile?: string;
  /** Receives the page's console errors (diagnostics). */
  onConsole?: (text: string) => void;
}

const toMainBinding = '__agentConsoleMediaToMain';
// Flags the UI harness already passes (and --headless, which playwright adds itself).
const baseFlags = new Set(['--headless', ...baseChromiumFlags]);

export interface MediaPage {
  link: MediaHostLink;
  page: Page;
  /** Crash the media host's renderer (chrome://crash): the link reports `gone`. */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/** Open the built media host page in `context` (served at `baseUrl`) with a link over playwright bindings. */
export async function openMediaPage(context: BrowserContext, baseUrl: string, onConsole?: (text: string) => void): Promise<MediaPage> {
  const messages = new Listeners<[unknown]>();
  const goneListeners = new Listeners<[string]>();
  let gone = false;
  const markGone = (reason: string) => {
    if (gone) return;
    gone = true;
    goneListeners.emit(reason);
  };

  // Host → main: one task per message, in order (the MediaHostLink contract).
  const inbound: unknown[] = [];
  let draining = false;
  // Like a MessagePort before start(): messages wait until main listens (hello, first device list).
  const drain = () => {
    if (messages.size === 0) {
      draining = false;
      return;
    }
    const next = inbound.shift();
    if (next !== undefined) messages.emit(next);
    if (inbound.length > 0) setImmediate(drain);
    else draining = false;
  };

  const page = await context.newPage();
  try {
    if (onConsole) page.on('console', (m) => m.type() === 'error' && onConsole(m.text()));
    await page.exposeBinding(toMainBinding, (_source, message: unknown) => {
      if (gone) return;
      inbound.push(message);
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    });
    // A string, not a function: tsx/esbuild would inject helpers (`__name`) the page does not have.
    await page.addInitScript(`(() => {
      let listener = null;
      const early = [];
      window.__agentConsoleMediaPort = {
        postMessage: (m) => { void window[${JSON.stringify(toMainBinding)}](m); },
        setListener: (l) => { listener = l; for (const m of early.splice(0)) l(m); },
        deliver: (batch) => { for (const m of batch) { if (listener) listener(m); else early.push(m); } },
      };
    })();`);
    page.on('crash', () => markGone('media host crashed'));
    page.on('close', () => markGone('media host page closed'));
    context.browser()?.on('disconnected', () => markGone('media host browser exited'));

    // Main → host: batched, strictly ordered evaluate calls.
    let outbound: unknown[] = [];
    let flushing: Promise<void> | null = null;
    let loaded!: () => void;
    const pageLoaded = new Promise<void>((ok) => (loaded = ok));
    const flush = async () => {
      // Messages posted before the page is up wait, as they would in a MessagePort's queue.
      await pageLoaded;
      while (outbound.length > 0 && !gone) {
        const batch = outbound;
        outbound = [];
        try {
          await page.evaluate((b) => (window as unknown as { __agentConsoleMediaPort: { deliver(b: unknown[]): void } }).__agentConsoleMediaPort.deliver(b), batch);
        } catch (error) {
          markGone(`media host unreachable: ${String(error).split('\n')[0]}`);
        }
      }
      flushing = null;
    };

    const link: MediaHostLink = {
      post(message) {
        if (gone) return;
        outbound.push(message);
        flushing ??= Promise.resolve().then(flush);
      },
      onMessage: (listener) => {
        const off = messages.add(listener);
        if (inbound.length > 0 && !draining) {
          draining = true;
          setImmediate(drain);
        }
        return off;
      },
      onGone: (listener) => goneListeners.add(listener),
    };

    await page.goto(`${baseUrl}/media/index.html`);
    loaded();
    return {
      link,
      page,
      async crash() {
        await page.goto('chrome://crash').catch(() => undefined);
        markGone('media host crashed');
      },
      async close() {
        markGone('media host stopped');
        await page.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await page.close().catch(() => undefined);
    throw error;
  }
}

export async function startMediaHost(options: StartMediaHostOptions = {}): Promise<MediaHostHarness> {
  if (!options.baseUrl && !existsSync(join(rendererOutDir, 'media/index.html'))) {
    throw new Error('out/renderer/media/index.html is missing: run `npx electron-vite build` first');
  }
  const server = options.baseUrl ? null : await serveStatic();
  const baseUrl = options.baseUrl ?? server!.baseUrl;
  const ownBrowser = !options.browser;
  let browser: Browser | null = null;
  let context: BrowserContext | null = null;
  try {
    browser = options.browser ?? (await launchChromium(options.fakeAudioFile));
    context = await browser.newContext({ permissions: ['microphone'] });
    const media = await openMediaPage(context, baseUrl, options.onConsole);
    const b = browser;
    const c = context;
    return {
      link: media.link,
      page: media.page,
      browser: b,
      crash: () => media.crash(),
      async stop() {
        await media.close();
        await c.close().catch(() => undefined);
        if (ownBrowser) await b.close().catch(() => undefined);
        await server?.close();
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    if (ownBrowser) await browser?.close().catch(() => undefined);
    await server?.close();
    throw error;
  }
}

/**
 * The media host as an extension of the UI harness (test/harness/index.ts):
 * the page opens in the harness's browser context, is registered as our
 * `media` window, and its link becomes `CorePorts.media`. The fake
 * microphone file is per Chromium process, so it rides on the harness's
 * launch flags. `current` gives tests the page (crash() for host-death tests).
 */
/** Flags that replace the machine's microphone and speakers with Chromium's fake devices. */
const fakeDeviceFlags = new Set(fakeMediaFlags);

export function mediaHostExtension(
  options: {
    fakeAudioFile?: string;
    onConsole?: (text: string) => void;
    /** The developer's own microphone and speakers (`npm run harness`) instead of fake devices (tests). */
    realDevices?: boolean;
  } = {},
): HarnessExtension & {
  current: MediaPage | null;
} {
  const extension = {
    name: 'media',
    chromiumArgs: chromiumArgs(options.fakeAudioFile).filter(
      (flag) => !baseFlags.has(flag) && !(options.realDevices && fakeDeviceFlags.has(flag)),
    ),
    current: null as MediaPage | null,
    async start(ctx: HarnessContext) {
      const media = await openMediaPage(ctx.context, ctx.origin, options.onConsole);
      extension.current = media;
      ctx.registerPage(media.page, 'media');
      ctx.onStop(() => media.close());
      return { ports: { media: media.link }, pages: { media: media.page } };
    },
  };
  return extension;
}
