/**
 * Node-side driver of ./bare-jssip-page.ts: bundles it with esbuild once per
 * content hash (under .lab/bench/, as the lab's peer page is bundled), serves
 * it on 127.0.0.1, opens it in its own browser context of a given Chromium
 * (the console's, so both pages share one browser and its compositor), installs
 * the paint marks and registers its UA at the lab.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { serveDirectory } from '../harness/static-server';
import type { Lab } from '../lab/lab';
import { LAB_CACHE } from '../lab/peer';
import { installPaintMarks, pageMark, ROOT, type PageMark } from './lab-tools';

export interface BarePage {
  readonly page: Page;
  readonly user: string;
  /**
   * Waits for the next incoming call (placed after `after`, page epoch ms) to be painted, refuses it
   * (486) and returns when the INVITE reached the page, its card was in the DOM and painted — all
   * page epoch ms, so their differences need no clock offset.
   */
  ringing(after: number): Promise<{ id: string; invite: number; dom: number; painted: number }>;
  /** The page's clock now (epoch ms), to pass as `after`. */
  now(): Promise<number>;
  stop(): Promise<void>;
}

async function bundle(): Promise<{ dir: string; file: string }> {
  const dir = join(LAB_CACHE, 'bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(import.meta.dirname, 'bare-jssip-page.ts');
  const jssipVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules/jssip/package.json'), 'utf8')) as { version: string }).version;
  const hash = createHash('sha1').update(readFileSync(entry)).update(jssipVersion).digest('hex').slice(0, 12);
  const file = `bare-jssip-${hash}.js`;
  const out = join(dir, file);
  if (!existsSync(out)) {
    // Built aside and renamed: a concurrent run never reads a half-written bundle.
    const tmp = `${out}.${process.pid}.tmp.js`;
    await build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', outfile: tmp, logLevel: 'warning' });
    renameSync(tmp, out);
  }
  return { dir, file };
}

export async function startBarePage(lab: Lab, browser: Browser, user: string): Promise<BarePage> {
  const { dir, file } = await bundle();
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>bare JsSIP</title><body><main id="calls"></main><script src="/${file}"></script></body></html>`;
  const server = await serveDirectory(dir, { pages: { '/': html } });
  const context = await browser.newContext({ viewport: { width: 1024, height: 640 } });
  try {
    const page = await context.newPage();
    await page.goto(`${server.origin}/`, { waitUntil: 'load' });
    await installPaintMarks(page);
    await page.evaluate((o) => window.bare.start(o), { wsUrl: lab.wsUrl, domain: lab.domain, user });
    const mark = (kind: PageMark['kind'], id: string, after: number) => pageMark(page, kind, 'ringing', id, after);
    return {
      page,
      user,
      now: () => page.evaluate(() => performance.timeOrigin + performance.now()),
      async ringing(after) {
        const painted = await mark('painted', '', after);
        const dom = await mark('dom', painted.id, after);
        const invite = await mark('invite', painted.id, after);
        await page.evaluate((id) => window.bare.decline(id), painted.id);
        return { id: painted.id, invite: invite.t, dom: dom.t, painted: painted.t };
      },
      async stop() {
        await page.evaluate(() => window.bare.stop()).catch(() => {});
        await context.close();
        await server.close();
      },
    };
  } catch (e) {
    await context.close().catch(() => {});
    await server.close();
    throw e;
  }
}
