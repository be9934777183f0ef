// Runs after `npm install` / `npm ci`. Deliberately does nothing that downloads:
// better-sqlite3 is built for Node by its own install step (tests run in Node);
// the Electron build of it is made by `npm run dist` (electron-builder install-app-deps),
// which needs Electron's headers and therefore a machine with internet.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let electronDir;
try {
  electronDir = dirname(require.resolve('electron/package.json'));
} catch {
  process.exit(0);
}
// Never require('electron') to probe: from 42 on that starts the lazy binary download.
const pathTxt = join(electronDir, 'path.txt');
const binary = existsSync(pathTxt) ? join(electronDir, 'dist', readFileSync(pathTxt, 'utf8').trim()) : null;
if (!binary || !existsSync(binary)) {
  console.log(
    '[agent-console] The Electron binary is not installed yet. On a machine with internet it is ' +
      'fetched on first start (`npm start`). Tests run without it; the Electron e2e suite reports itself skipped.',
  );
}
