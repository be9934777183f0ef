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
/**
 * Resident memory by what is mapped: the executable's own code and data (Node: V8, ICU, OpenSSL,
 * libuv and Node's C++ in one file), each shared library and native module, and anonymous memory
 * (V8's heap, malloc, stacks) — to say which part Electron's browser process would already hold.
 */
function residentByMapping(): Array<{ what: string; bytes: number }> {
  const by = new Map<string, number>();
  let name = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = header[1]!.trim();
      name = path === '' ? 'anonymous (V8 heap, malloc, stacks)' : path === process.execPath ? `the executable (${path})` : path.startsWith('[') ? path : path.replace(/^.*\//, '');
    } else if (line.startsWith('Rss:')) by.set(name, (by.get(name) ?? 0) + Number(/(\d+)/.exec(line)![1]) * 1024);
  }
  return [...by].map(([what, bytes]) => ({ what, bytes })).sort((a, b) => b.bytes - a.bytes);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counting = false;
// Every timer, by the code that created it (from the start: a keep-alive interval is made early); firings counted in the window.
const origin = new Map<number, string>();
const fired = new Map<string, number>();
const created = new Map<string, number>();
// The frames outside Node's own timers, joined by ' | ': everything is one bundle here, so the
// parent maps them back to sources and names the first that is not this file.
const where = () =>
  (new Error().stack ?? '')
    .split('\n')
    .slice(3)
    .filter((f) => !f.includes('node:'))
    .slice(0, 8)
    .map((f) => f.trim().replace(/^at /, ''))
    .join(' | ') || '?';
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
const memory = { pss: pss(), own: setMemory([process.pid]).total, ...process.memoryUsage(), byMapping: residentByMapping() };

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
