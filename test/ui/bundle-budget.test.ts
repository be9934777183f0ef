/**
 * The bundle budget: what the UI window loads at start (index.html's script
 * and stylesheet and every chunk they import statically) stays within 80 KB
 * gzip. Views the agent does not need at start (history, settings) are chunks
 * loaded on first use, and German is a chunk loaded when it is chosen (English,
 * the fallback of every key, stays at start); source maps are never built into
 * the pages. Reads
 * out/renderer, so it needs `npx electron-vite build` (npm test builds first);
 * without a build the suite is skipped with a loud warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { de } from '../../renderer/ui/i18n/de';
import { en } from '../../renderer/ui/i18n/en';
import { allAssets, kb, START_BUDGET_GZIP, startFiles, staticImports, totalGzip } from '../bench/start-bundle';
import { uiUnbuilt } from '../harness/built';
import { rendererOutDir } from '../harness/static-server';

describe('finding what a page loads at start', () => {
  it('follows static imports and exports, never dynamic import()', () => {
    const code = 'import{a as b}from"./shared-1.js";import"./side.js";export{c}from"./re.js";const v=()=>import("./HistoryView-2.js");';
    expect(staticImports(code)).toEqual(['./shared-1.js', './side.js', './re.js']);
  });
});

describe.skipIf(uiUnbuilt())('the UI bundle loaded at start', () => {
  const files = uiUnbuilt() ? [] : startFiles();
  const listing = () => files.map((f) => `${f.file} ${kb(f.gzip)} gzip (${kb(f.bytes)} raw)`).join('; ');

  it(`is at most ${kb(START_BUDGET_GZIP)} gzip, the 80 KB target`, () => {
    expect(START_BUDGET_GZIP).toBe(80 * 1024);
    expect(files.some((f) => f.file.endsWith('.js'))).toBe(true);
    expect(totalGzip(files), `start files: ${listing()}`).toBeLessThanOrEqual(START_BUDGET_GZIP);
  });

  it('leaves the history and settings views to chunks loaded on first use', () => {
    const lazy = allAssets().filter((f) => /^assets\/(HistoryView|SettingsView)-.*\.js$/.test(f.file));
    expect(lazy.map((f) => f.file.replace(/-[\w-]+\.js$/, ''))).toEqual(expect.arrayContaining(['assets/HistoryView', 'assets/SettingsView']));
    for (const f of lazy) expect(files.map((s) => s.file)).not.toContain(f.file);
  });

  it('carries English, and leaves German to a chunk imported when it is chosen', () => {
    // A sentence of each catalogue, as the minifier leaves it (a string literal, escapes aside).
    const holds = (file: string, text: string) => readFileSync(join(rendererOutDir, file), 'utf8').includes(text);
    const startScripts = files.filter((f) => f.file.endsWith('.js')).map((f) => f.file);
    expect(startScripts.some((f) => holds(f, en['common.noAnswer']))).toBe(true);
    expect(startScripts.filter((f) => holds(f, de['common.noAnswer']))).toEqual([]);
    const german = allAssets().filter((f) => f.file.endsWith('.js') && holds(f.file, de['common.noAnswer']));
    expect(german).toHaveLength(1);
    // Reached only through a dynamic import() of the start script: never a static import of it.
    const chunk = german[0]!.file.replace(/^assets\//, '');
    const dynamicImport = new RegExp(`import\\((["'\`])\\./${chunk.replace(/[.-]/g, '\\$&')}\\1\\)`);
    expect(startScripts.some((f) => dynamicImport.test(readFileSync(join(rendererOutDir, f), 'utf8')))).toBe(true);
  });

  it('ships no source maps and points to none', () => {
    expect(allAssets().filter((f) => f.file.endsWith('.map'))).toEqual([]);
    for (const f of files) expect(readFileSync(join(rendererOutDir, f.file), 'utf8')).not.toMatch(/sourceMappingURL=/);
  });
});
