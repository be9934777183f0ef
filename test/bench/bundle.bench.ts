/**
 * What the UI window loads at start, and what it is made of.
 *
 *   npm run bench -- bundle        (builds first; reads out/renderer)
 *
 * Part 1, from the build in out/renderer: the files index.html loads at start
 * (./start-bundle.ts: its script and stylesheet and every chunk they import
 * statically), gzip -9 each, against the 80 KB budget the UI test holds
 * (test/ui/bundle-budget.test.ts), and the chunks loaded later (the history and
 * settings views on first use, each language but English when chosen).
 * Part 2, where the start bytes come from: the UI page is built again into a
 * temp folder with source maps (same sources, same Svelte plugin, minified),
 * and every minified character of the start chunks is attributed to the
 * source file its mapping names; grouped by area, with each group's bytes
 * gzipped on their own (a rough share: gzip finds less to share in a part).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { build } from 'vite';
import { allAssets, kb, START_BUDGET_GZIP, startFiles, totalGzip } from './start-bundle';
import { ROOT } from './lab-tools';

/** Groups a source path: svelte's runtime, each message catalogue, components and state by folder. */
function area(source: string | null): string {
  if (!source) return '(no mapping: Svelte templates, glue)';
  const path = relative(ROOT, resolve(ROOT, source.replace(/^(\.\.\/)+/, '/').replace(/^\/+/, '/'))).replace(/^.*?(node_modules|renderer|preload)\//, '$1/');
  if (path.startsWith('node_modules/')) return path.split('/').slice(0, path.startsWith('node_modules/@') ? 3 : 2).join('/');
  const m = /^renderer\/ui\/(i18n\/\w+|components\/\w+|state\/[\w.-]+)/.exec(path);
  return m ? `renderer/ui/${m[1]}` : path.split('/').slice(0, 3).join('/');
}

export async function run(): Promise<void> {
  const start = startFiles();
  const total = totalGzip(start);
  console.log(`UI page at start (out/renderer/ui/index.html): ${kb(total)} gzip, budget ${kb(START_BUDGET_GZIP)}: ${total <= START_BUDGET_GZIP ? 'within' : 'OVER'}`);
  for (const f of start) console.log(`  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);
  const startNames = new Set(start.map((f) => f.file));
  const later = allAssets().filter((f) => !startNames.has(f.file) && !/\/(media|demo)-/.test(f.file));
  console.log('loaded later (on first use):');
  for (const f of later) console.log(`  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)} raw ${kb(f.gzip).padStart(10)} gzip`);

  const out = mkdtempSync(join(tmpdir(), 'bundle-bench-'));
  try {
    await build({
      configFile: false,
      // Relative asset paths, as electron-vite builds the pages (they load from file:// in the app).
      base: './',
      root: join(ROOT, 'renderer'),
      plugins: [svelte()],
      logLevel: 'error',
      build: { outDir: out, emptyOutDir: true, minify: true, sourcemap: true, target: 'chrome140', rollupOptions: { input: { ui: join(ROOT, 'renderer/ui/index.html') } } },
    });
    const html = readFileSync(join(out, 'ui/index.html'), 'utf8');
    const entry = /src="[^"]*assets\/([^"]+\.js)"/.exec(html)?.[1];
    if (!entry) throw new Error(`no module script in the rebuilt page: ${html}`);
    const groups = new Map<string, string[]>();
    for (const file of readdirSync(join(out, 'assets')).filter((f) => f === entry)) {
      const code = readFileSync(join(out, 'assets', file), 'utf8');
      const lines = code.split('\n');
      const mappings: Array<{ line: number; column: number; source: string | null }> = [];
      new SourceMapConsumer(JSON.parse(readFileSync(join(out, 'assets', `${file}.map`), 'utf8')) as RawSourceMap).eachMapping((m) =>
        mappings.push({ line: m.generatedLine, column: m.generatedColumn, source: m.source }),
      );
      mappings.sort((a, b) => a.line - b.line || a.column - b.column);
      mappings.forEach((m, i) => {
        const next = mappings[i + 1];
        const text = lines[m.line - 1]!.slice(m.column, next && next.line === m.line ? next.column : undefined);
        const key = area(m.source);
        (groups.get(key) ?? groups.set(key, []).get(key)!).push(text);
      });
      console.log(`\nwhere the start script's bytes come from (${file} rebuilt with source maps; minified bytes, and gzip of each part alone):`);
      const rows = [...groups].map(([k, parts]) => {
        const text = parts.join('');
        return { k, raw: text.length, gz: gzipSync(text, { level: 9 }).length };
      });
      rows.sort((a, b) => b.raw - a.raw);
      for (const r of rows.slice(0, 25)) console.log(`  ${r.k.padEnd(52)} ${kb(r.raw).padStart(10)} ${kb(r.gz).padStart(10)}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log('\ncommand: npm run bench -- bundle');
}
