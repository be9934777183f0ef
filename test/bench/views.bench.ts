/**
 * What loading the history and settings views on first use costs the agent:
 * the built UI as it is (out/renderer: the views are chunks of their own,
 * fetched when first shown or once the page is idle) against the same
 * sources built with both views in the start bundle, side by side in one
 * run, alternating — through the headless harness with the real core.
 *
 *  - page load → the first view painted (without an account the console
 *    opens on Settings, whose chunk the lazy build then fetches at once);
 *  - a click on the History tab → its first row painted, right after the
 *    page loaded (the chunk not there yet) and 3 s later (fetched ahead);
 *  - the start files' gzip size and the page's JS heap after load.
 *
 *   npm run bench -- views        (VIEWS_BENCH_RUNS=N, default 10)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { startHarness } from '../harness/index';
import { rendererOutDir } from '../harness/static-server';
import { seedHistory } from '../support/history-seed';
import { formatStats, stats } from '../lab/measure';
import { ROOT } from './lab-tools';
import { kb, startFiles, totalGzip } from './start-bundle';

/** The same App with the views imported directly (what the start bundle held before). */
const eagerViews: Plugin = {
  name: 'eager-views',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('renderer/ui/App.svelte')) return null;
    return code
      .replace("import HistoryView from './components/views/HistoryViewLoader.svelte';", "import HistoryView from './components/history/HistoryView.svelte';")
      .replace("import SettingsView from './components/views/SettingsViewLoader.svelte';", "import SettingsView from './components/settings/SettingsView.svelte';");
  },
};

async function timeLoad(ui: Page, url: string): Promise<number> {
  await ui.goto(url, { waitUntil: 'commit' });
  return ui.evaluate(async () => {
    while (!document.querySelector('[data-section="settings"] h2, [data-section="history"] [role=row]')) await new Promise((r) => requestAnimationFrame(r));
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now();
  });
}

async function timeHistoryOpen(ui: Page): Promise<number> {
  return ui.evaluate(async () => {
    const t0 = performance.now();
    const tab = [...document.querySelectorAll('nav button')].find((b) => b.textContent?.trim().startsWith('History'));
    (tab as HTMLButtonElement).click();
    while (!document.querySelector('[role=row][data-call-id]')) await new Promise((r) => requestAnimationFrame(r));
    await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    return performance.now() - t0;
  });
}

export async function run(): Promise<void> {
  const runs = Number(process.env.VIEWS_BENCH_RUNS ?? 10);
  const eagerDir = mkdtempSync(join(tmpdir(), 'views-eager-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'views-data-'));
  try {
    // The eager build: same sources, same options as electron-vite's renderer build.
    await build({
      configFile: false,
      // Relative asset paths, as electron-vite builds the pages (they load from file:// in the app).
      base: './',
      root: join(ROOT, 'renderer'),
      plugins: [eagerViews, svelte()],
      logLevel: 'error',
      build: { outDir: eagerDir, emptyOutDir: true, minify: true, target: 'chrome140', rollupOptions: { input: { ui: join(ROOT, 'renderer/ui/index.html'), media: join(ROOT, 'renderer/media/index.html') } } },
    });
    const sizes = { lazy: totalGzip(startFiles(rendererOutDir)), eager: totalGzip(startFiles(eagerDir)) };
    if (readFileSync(join(ROOT, 'renderer/ui/App.svelte'), 'utf8').includes('views/HistoryViewLoader.svelte') === false) {
      console.warn('!!! App.svelte does not load the views lazily: both builds below are the same');
    }
    for (const side of ['a', 'b']) seedHistory(join(dataDir, side), { calls: 2000 });
    const out = { lazy: { load: [] as number[], cold: [] as number[], warm: [] as number[], heap: [] as number[] }, eager: { load: [] as number[], cold: [] as number[], warm: [] as number[], heap: [] as number[] } };
    const lazy = await startHarness({ dataDir: join(dataDir, 'a'), rendererDir: rendererOutDir });
    const eager = await startHarness({ dataDir: join(dataDir, 'b'), rendererDir: eagerDir });
    try {
      const round = async (which: 'lazy' | 'eager') => {
        const h = which === 'lazy' ? lazy : eager;
        out[which].load.push(await timeLoad(h.ui, h.uiUrl));
        const cdp = await h.ui.context().newCDPSession(h.ui);
        await cdp.send('HeapProfiler.collectGarbage');
        out[which].heap.push(((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize);
        await cdp.detach();
        out[which].cold.push(await timeHistoryOpen(h.ui));
        await timeLoad(h.ui, h.uiUrl);
        await h.ui.waitForTimeout(3000);
        out[which].warm.push(await timeHistoryOpen(h.ui));
      };
      await round('lazy');
      await round('eager');
      for (const s of Object.values(out)) for (const v of Object.values(s)) v.length = 0;
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          await round('lazy');
          await round('eager');
        } else {
          await round('eager');
          await round('lazy');
        }
      }
    } finally {
      await lazy.stop();
      await eager.stop();
    }
    console.log(`start files gzip: lazy ${kb(sizes.lazy)}, eager ${kb(sizes.eager)}`);
    for (const which of ['lazy', 'eager'] as const) {
      console.log(formatStats(`${which}: page load → first view painted`, stats(out[which].load)));
      console.log(formatStats(`${which}: History click right after load → rows`, stats(out[which].cold)));
      console.log(formatStats(`${which}: History click 3 s after load → rows`, stats(out[which].warm)));
      console.log(`${which}: page JS heap after load and a gc: median ${(stats(out[which].heap).median / 1048576).toFixed(1)} MB`);
    }
    console.log(`command: npm run bench -- views   (n=${runs} each, alternating)`);
  } finally {
    rmSync(eagerDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
