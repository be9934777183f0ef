/**
 * What the UI window loads at start, read from the built page
 * (out/renderer/ui/index.html, `npx electron-vite build`): the module script,
 * the stylesheets and module preloads the page names, and every chunk those
 * scripts import statically — not the chunks imported on demand (`import()`),
 * which load when a view first needs them. Sizes raw and gzip -9, each file on
 * its own, as a server would send it. Used by the bundle budget test
 * (test/ui/bundle-budget.test.ts) and `npm run bench -- bundle`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rendererOutDir } from '../harness/static-server';

/**
 * What the UI window may load at start (gzip), in bytes: the 80 KB target of BENCHMARKS.md, held
 * by the budget test. Languages other than English are not part of it: each is a chunk loaded when
 * chosen (renderer/ui/i18n/locale.svelte.ts), like the history and settings views.
 */
export const START_BUDGET_GZIP = 80 * 1024;

export interface BuiltFile {
  /** Path under out/renderer, e.g. assets/ui-abc123.js. */
  file: string;
  bytes: number;
  gzip: number;
}

export class UiNotBuiltError extends Error {
  override readonly name = 'UiNotBuiltError';
}

const sizeOf = (root: string, path: string): BuiltFile => {
  const data = readFileSync(path);
  return { file: relative(root, path), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
};

/** Static imports of an ES module: `import … from "x"`, `import "x"`, `export … from "x"` — never `import("x")`. */
export function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(["'])([^"']+)\1/g;
  for (const m of code.matchAll(re)) out.push(m[2]!);
  return out;
}

/** The files index.html loads at start, in load order (throws UiNotBuiltError without a build). */
export function startFiles(root = rendererOutDir): BuiltFile[] {
  const html = join(root, 'ui', 'index.html');
  if (!existsSync(html)) throw new UiNotBuiltError(`${html} is missing: run \`npx electron-vite build\` first`);
  const page = readFileSync(html, 'utf8');
  const named = [
    ...[...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
    ...[...page.matchAll(/<link\b[^>]*\brel="(?:stylesheet|modulepreload)"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!),
    ...[...page.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="(?:stylesheet|modulepreload)"/g)].map((m) => m[1]!),
  ];
  const seen = new Set<string>();
  const queue = named.map((u) => resolve(dirname(html), u));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!path.endsWith('.js')) continue;
    for (const spec of staticImports(readFileSync(path, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(resolve(dirname(path), spec));
    }
  }
  return [...seen].map((p) => sizeOf(root, p));
}

/** Every built asset of the renderer (all pages), for the report. */
export function allAssets(root = rendererOutDir): BuiltFile[] {
  const dir = join(root, 'assets');
  return existsSync(dir) ? readdirSync(dir).map((f) => sizeOf(root, join(dir, f))) : [];
}

export const totalGzip = (files: readonly BuiltFile[]) => files.reduce((n, f) => n + f.gzip, 0);
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
