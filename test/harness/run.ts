/**
 * `npm run harness`: the console in a visible Chromium window, without
 * Electron, against a throw-away data folder. Click through the app; Ctrl+C
 * stops everything this started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness } from './index';

const keep = process.argv.includes('--keep');
const dataDir = mkdtempSync(join(tmpdir(), 'agent-console-harness-'));
const harness = await startHarness({ dataDir, headless: process.argv.includes('--headless') });

console.log(`Agent Console harness running.
  UI page:   ${harness.uiUrl}  (only works in the harness window: the API is injected there)
  Data dir:  ${dataDir}${keep ? '' : '  (deleted on exit; pass --keep to keep it)'}
Press Ctrl+C to stop.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  try {
    await harness.stop();
  } finally {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// Closing the browser window ends the session too.
harness.browser.on('disconnected', () => void shutdown('browser closed'));
