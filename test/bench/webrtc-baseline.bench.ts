/**
 * What WebRTC costs a Chromium renderer by itself, with no console in it: a
 * blank page in Chromium's headless shell (the footprint benchmark's stand-in
 * for Electron) and in full Chromium makes one RTCPeerConnection with an audio
 * transceiver, sets its offer and closes it; then three more. The renderer's
 * own pages are read after a gc each time (./processes.ts). The console's
 * media host pays the first step on its first call, so the footprint's "first
 * call" figure is read against it (BENCHMARKS.md, "Footprint").
 *
 *   npm run bench -- webrtc-baseline
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_HEADLESS_SHELL } from '../harness/chromium';
import { CHROMIUM_PATH } from '../support/prerequisites.mjs';
import { chromiumKind, processTree, setMemory } from './processes';

const mb = (b: number) => `${(b / (1024 * 1024)).toFixed(1)} MB`;
const signed = (b: number) => `${b < 0 ? '−' : '+'}${mb(Math.abs(b))}`;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Strings, not functions: tsx would wrap named helpers in __name(), which the page lacks.
const ONE = `(async () => { const pc = new RTCPeerConnection(); pc.addTransceiver('audio'); await pc.setLocalDescription(await pc.createOffer()); await new Promise((r) => setTimeout(r, 500)); pc.close(); })()`;
const THREE = `(async () => { const pcs = []; for (let i = 0; i < 3; i++) { const pc = new RTCPeerConnection(); pc.addTransceiver('audio'); await pc.setLocalDescription(await pc.createOffer()); pcs.push(pc); } await new Promise((r) => setTimeout(r, 500)); for (const pc of pcs) pc.close(); })()`;

async function measure(executablePath: string): Promise<string[]> {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.goto('data:text/html,<p>a page</p>');
    const cdp = await page.context().newCDPSession(page);
    const { processInfo } = (await (await browser.newBrowserCDPSession()).send('SystemInfo.getProcessInfo')) as { processInfo: Array<{ type: string; id: number }> };
    const root = processInfo.find((p) => p.type === 'browser')?.id;
    if (root === undefined) throw new Error('webrtc-baseline: no browser process');
    const renderer = async () => {
      await settle(3000);
      await cdp.send('HeapProfiler.collectGarbage');
      const pids = processTree(root);
      const set = setMemory(pids);
      return pids.filter((p) => chromiumKind(p) === 'renderer').reduce((n, p) => n + (set.perPid.get(p) ?? 0), 0);
    };
    const idle = await renderer();
    await page.evaluate(ONE);
    const one = await renderer();
    await page.evaluate(THREE);
    const four = await renderer();
    return [
      `${executablePath} (${browser.version()}): its renderer processes with a blank page (full Chromium also runs two for its own UI) ${mb(idle)}`,
      `  one RTCPeerConnection made (audio offer set) and closed: ${mb(one)} (${signed(one - idle)}, kept after close)`,
      `  three more made and closed: ${mb(four)} (${signed(four - one)})`,
    ];
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  for (const exe of [CHROMIUM_HEADLESS_SHELL, CHROMIUM_PATH]) {
    if (!existsSync(exe)) {
      console.warn(`\n!!! ${exe} is missing: not measured (apt-get install chromium-headless-shell / chromium)\n`);
      continue;
    }
    for (const line of await measure(exe)) console.log(line);
  }
  console.log('command: npm run bench -- webrtc-baseline');
}
