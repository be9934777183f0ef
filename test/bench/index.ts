/**
 * `npm run bench`: runs every benchmark module in this folder (each exports
 * `run(): Promise<void>` and prints its own figures with the command that
 * produced them). A name on the command line runs just that one:
 * `npm run bench -- history`.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const only = process.argv.slice(2);
const dir = import.meta.dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${only.join(', ') || '(none in test/bench)'}`);
  process.exit(1);
}
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { run: () => Promise<void> };
  await mod.run();
}
