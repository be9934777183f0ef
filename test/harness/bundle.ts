/**
 * Bundles a harness page-side script (e.g. ui-shim.ts) into one classic IIFE
 * for addInitScript, with vite's build API (the same toolchain as the app).
 * Cached per process: the shim does not change while tests run.
 */
import { resolve } from 'node:path';
import { build, type Rolldown } from 'vite';

const cache = new Map<string, Promise<string>>();

export function bundleForPage(entry: string): Promise<string> {
  const file = resolve(entry);
  let pending = cache.get(file);
  if (!pending) {
    pending = (async () => {
      const result = await build({
        configFile: false,
        logLevel: 'silent',
        root: import.meta.dirname,
        build: {
          write: false,
          minify: false,
          target: 'chrome120',
          emptyOutDir: false,
          lib: { entry: file, formats: ['iife'], name: 'harnessShim', fileName: () => 'shim.js' },
        },
      });
      const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
      const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk');
      if (!chunk || chunk.type !== 'chunk') throw new Error(`bundling ${file} produced no script`);
      return chunk.code;
    })();
    cache.set(file, pending);
    pending.catch(() => cache.delete(file));
  }
  return pending;
}
