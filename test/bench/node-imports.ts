/**
 * What a Node process of the test harness holds, piece by piece: run by the
 * footprint benchmark as `node --import tsx node-imports.ts <module>…`, it
 * imports each module in turn (cumulatively) and prints the process's RSS and
 * V8 heap after each, as JSON lines. `shim-build` runs the harness's page-shim
 * build (test/harness/bundle.ts) instead of only importing it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rss = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
const report = (step: string) => {
  gc();
  const m = process.memoryUsage();
  console.log(JSON.stringify({ step, rss: rss(), heapUsed: m.heapUsed, external: m.external }));
};

report('node + tsx');
for (const step of process.argv.slice(2)) {
  if (step === 'shim-build') {
    const { bundleForPage } = await import('../harness/bundle');
    await bundleForPage(join(import.meta.dirname, '../harness/ui-shim.ts'));
  } else {
    await import(step);
  }
  report(step);
}
