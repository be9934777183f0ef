/**
 * Bundles a harness page-side script (e.g. ui-shim.ts) into one classic IIFE
 * for addInitScript, with esbuild — as the lab's pages are. (vite's build API
 * did the same job but kept ~265 MB in every harness process for the rest of
 * the run: BENCHMARKS.md, "Footprint".) Cached per process: the shim does not
 * change while tests run.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

export function bundleForPage(entry: string): Promise<string> {
  const file = resolve(entry);
  let pending = cache.get(file);
  if (!pending) {
    pending = (async () => {
      const result = await build({
        entryPoints: [file],
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        target: 'chrome120',
        logLevel: 'silent',
      });
      const code = result.outputFiles[0]?.text;
      if (!code) throw new Error(`bundling ${file} produced no script`);
      return code;
    })();
    cache.set(file, pending);
    pending.catch(() => cache.delete(file));
  }
  return pending;
}
