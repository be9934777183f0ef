/**
 * The console's core alone in a process of its own, for the footprint
 * benchmark: the real startCore (settings, history, the SIP line registered
 * at the lab's Kamailio, the call and transfer services) over an in-memory UI
 * transport and a media link that never answers (no call is made here), in
 * plain Node — footprint.bench.ts bundles this file with esbuild first, as
 * the app's main process is one bundled file, so neither tsx nor the test
 * tooling is in the figure.
 *
 * After the line registered and a settle time: PSS, the process's own pages
 * counted once (./processes.ts setMemory), V8 heap; then an idle
 * window: CPU time, and every timer that fired, grouped by the code that
 * created it (async_hooks), so a timer firing more often than once a second
 * is found. Prints one JSON line.
 *
 *   node <bundle> <wsUrl> <sipUri> <idleSeconds>
 */
import { createHook } from 'node:async_hooks';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LineStatus } from '../../preload/contract';
import { silentMediaHost, startTestCore } from '../support/core';
import { setMemory } from './processes';

const [wsUrl, sipUri, idleArg] = process.argv.slice(2);
if (!wsUrl || !sipUri) throw new Error('usage: footprint-core <wsUrl> <sipUri> [idleSeconds]');
const idleMs = Number(idleArg ?? 60) * 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const pss = () => Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))![1]) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counting = false;
// Every timer, by the code that created it (from the start: a keep-alive interval is made early); firings counted in the window.
const origin = new Map<number, string>();
const fired = new Map<string, number>();
const created = new Map<string, number>();
const where = () => {
  const frames = (new Error().stack ?? '').split('\n').slice(3);
  // The first frame outside Node's own timers and this hook: who asked for the timer.
  const frame = frames.find((f) => !f.includes('node:') && !f.includes('footprint-core')) ?? frames[0] ?? '?';
  return frame.trim().replace(/^at /, '');
};
const hook = createHook({
  init(id, type) {
    if (type !== 'Timeout') return;
    const w = where();
    origin.set(id, w);
    if (counting) created.set(w, (created.get(w) ?? 0) + 1);
  },
  before(id) {
    const w = origin.get(id);
    if (counting && w !== undefined) fired.set(w, (fired.get(w) ?? 0) + 1);
  },
  destroy(id) {
    origin.delete(id);
  },
});
hook.enable();

const dataDir = mkdtempSync(join(tmpdir(), 'footprint-core-'));
const { core, ui } = await startTestCore({ dataDir, media: silentMediaHost() });
core.settings.saveAccount({ wsUrl, sipUri, password: 'lab-unused' });
await core.telephony.accountChanged();
await ui.until(() => ui.pushed<LineStatus>('line:changed').some((s) => s.state === 'registered'), { timeoutMs: 15_000, what: 'registered' });
await sleep(3000);
gc();
const memory = { pss: pss(), own: setMemory([process.pid]).total, ...process.memoryUsage() };

const cpu0 = process.cpuUsage();
const t0 = performance.now();
counting = true;
await sleep(idleMs);
counting = false;
hook.disable();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const timers = [...new Set([...created.keys(), ...fired.keys()])]
  .map((w) => ({ where: w, created: created.get(w) ?? 0, fired: fired.get(w) ?? 0, perSecond: (fired.get(w) ?? 0) / seconds }))
  .sort((a, b) => b.fired - a.fired);
await core.stop();
rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ memory, idle: { seconds, cpuMs: (cpu.user + cpu.system) / 1000, timers } }));
