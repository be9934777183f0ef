/**
 * `npm run harness`: the console in a visible Chromium window, without
 * Electron, against a throw-away data folder. Click through the app; Ctrl+C
 * stops everything this started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness } from './index';
import { demoExtension } from './demo';
import { mediaHostExtension } from './media-host';

const keep = process.argv.includes('--keep');
const headless = process.argv.includes('--headless');
const dataDir = mkdtempSync(join(tmpdir(), 'agent-console-harness-'));
// The hidden media host too, or the line never starts and no call can be made. A visible run uses
// the developer's real microphone and speakers; --headless (or --fake-audio) uses Chromium's fake devices.
const realDevices = !headless && !process.argv.includes('--fake-audio');
// --demo: straight into the built-in demo (docs/demo.md) — its switchboard, queue and colleagues.
const demo = process.argv.includes('--demo');
const harness = await startHarness({ dataDir, headless, extensions: [mediaHostExtension({ realDevices }), ...(demo ? [demoExtension()] : [])] });
if (demo) {
  try {
    await harness.core.demo.start('steady');
  } catch (e) {
    console.error(`The demo did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
}

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
