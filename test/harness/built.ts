/**
 * Whether the built pages the UI tier loads exist (out/renderer, made by
 * `npx electron-vite build`). For vitest: `describe.skipIf(uiUnbuilt())(…)`.
 * A missing build skips the suite — and says so LOUDLY on the console, every
 * time, not only under CI: a silently skipped UI suite would look green.
 * (`npm test` builds first, and under CI or in the namespace a skipped suite
 * fails the run: test/run.mjs.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rendererOutDir } from './static-server';

export type BuiltPage = 'ui' | 'media' | 'demo';

const warned = new Set<string>();

/** True (skip) when a page the suite needs is not built; warns once per missing set. */
export function uiUnbuilt(pages: readonly BuiltPage[] = ['ui']): boolean {
  const missing = pages.map((p) => join(rendererOutDir, p, 'index.html')).filter((f) => !existsSync(f));
  if (missing.length > 0 && !warned.has(missing.join())) {
    warned.add(missing.join());
    const bar = '!'.repeat(78);
    console.warn(`\n${bar}\n!! UI TESTS SKIPPED: the built pages are missing (${missing.join(', ')}).\n!! Run \`npx electron-vite build\` (npm test does it first).\n${bar}\n`);
  }
  return missing.length > 0;
}
