/**
 * The built-in demo in the headless harness: the core's `demoParties` port
 * opens the REAL parties page (out/renderer/demo/index.html, built by
 * `npx electron-vite build`) as a page of the harness's Chromium — what the
 * installed app does with a hidden window (main/desktop/demo-window.ts). The
 * page needs WebRTC on loopback and sound without a user gesture; the media
 * host extension (./media-host.ts) already gives the browser those flags.
 */
import type { Page } from 'playwright-core';
import type { DemoDeps } from '../../main/demo/index';
import type { HarnessContext, HarnessExtension } from './index';

export function demoExtension(options: { tuning?: DemoDeps['tuning']; onConsole?: (text: string) => void } = {}): HarnessExtension & {
  /** The parties page while the demo runs. */
  page: Page | null;
} {
  const extension = {
    name: 'demo',
    page: null as Page | null,
    async start(ctx: HarnessContext) {
      const open = async (query: string) => {
        const page = await ctx.context.newPage();
        extension.page = page;
        page.on('console', (m) => {
          options.onConsole?.(m.text());
        });
        page.on('pageerror', (e) => {
          ctx.log.error('harness: demo page error', { error: String(e) });
          options.onConsole?.(`[pageerror] ${e.stack ?? String(e)}`);
        });
        await page.goto(`${ctx.origin}/demo/index.html${query}`);
        // In a visible run the new tab would cover the console: the UI stays in front.
        await ctx.context
          .pages()
          .find((p) => p.url().includes('/ui/index.html'))
          ?.bringToFront()
          .catch(() => undefined);
        let closed = false;
        const close = async () => {
          if (closed) return;
          closed = true;
          if (extension.page === page) extension.page = null;
          await page.close().catch(() => undefined);
        };
        ctx.onStop(close);
        return close;
      };
      return { ports: { demoParties: open, ...(options.tuning && { demoTuning: options.tuning }) } };
    },
  };
  return extension;
}
