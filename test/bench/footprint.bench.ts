/**
 * The console's footprint on an agent's machine: memory (PSS) of every
 * process idle, with 1 call and with 4 calls (3 held with music), idle CPU
 * over 60 s with a registered line, and the timers that fire while idle.
 *
 * Electron is not on this machine, so the console is measured in the parts
 * that together make what the app runs:
 *  - the core (the Node half of Electron's main process) alone in a process
 *    of its own: ./footprint-core.ts, bundled with esbuild as electron-vite
 *    bundles the app's main process (dependencies in, a dynamic import a chunk
 *    of its own) and run by plain Node, with its SIP line registered at the
 *    lab's Kamailio — own pages by what is mapped, CPU and Node timers idle;
 *  - the pages (the UI and the media host) in the headless harness
 *    (./footprint-pages.ts, a process per browser), twice: in Debian's full
 *    Chromium, which carries Chrome's whole browser layer, and in Chromium's
 *    headless shell, Chromium's content layer with a minimal embedder — built
 *    the way Electron is, so the closer stand-in for the desktop app's
 *    processes. Both are reported side by side; neither is Electron.
 * The harness's own Node process carries the test tooling (playwright, esbuild
 * for the page shim, the lab drivers): it is reported, not counted; the
 * core's growth per call is read there from V8's heap after a gc.
 *
 *   npm run bench -- footprint        (FOOTPRINT_IDLE_SEC=N, default 60)
 *
 * Needs the built pages (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { CHROMIUM_PATH } from '../support/prerequisites.mjs';
import { CHROMIUM_HEADLESS_SHELL } from '../harness/chromium';
import { startLab } from '../lab/lab';
import { LAB_CACHE } from '../lab/peer';
import type { PagesFootprint, PagesSnapshot } from './footprint-pages';
import { inLabNamespace, ROOT } from './lab-tools';

const NAME = 'footprint';
const MB = 1024 * 1024;
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;

export interface CoreAlone {
  memory: { pss: number; own: number; rss: number; heapUsed: number; heapTotal: number; external: number; byMapping: Array<{ what: string; bytes: number }> };
  idle: { seconds: number; cpuMs: number; timers: Array<{ where: string; created: number; fired: number; perSecond: number }> };
}

/**
 * Bundles footprint-core.ts as electron-vite bundles the app's main process (electron.vite.config.ts):
 * one module graph with its npm dependencies, only Electron and native modules left outside, a
 * dynamic import() a chunk of its own that loads when first used — and runs it against the lab.
 */
export async function coreAlone(wsUrl: string, sipUri: string, idleSec: number, o: { dependencies?: 'bundled' | 'node_modules' } = {}): Promise<CoreAlone> {
  // Inside the repository (the lab's cache, .lab/, is git-ignored): the native module resolves from node_modules.
  const outdir = join(LAB_CACHE, 'footprint', `core-${process.pid}-${o.dependencies ?? 'bundled'}`);
  const outfile = join(outdir, 'footprint-core.js');
  await build({
    entryPoints: [join(import.meta.dirname, 'footprint-core.ts')],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.js' },
    // A map beside the bundle, read here to name where timers come from (not loaded by the child: it costs memory).
    sourcemap: 'external',
    // As the app ships; 'node_modules' is how the main process was built before (the comparison).
    ...(o.dependencies === 'node_modules' ? { packages: 'external' as const } : { external: ['better-sqlite3', 'electron', 'bufferutil', 'utf-8-validate'] }),
    // ESM output of CommonJS dependencies needs a require of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
  const r = spawnSync(process.execPath, [outfile, wsUrl, sipUri, String(idleSec)], { cwd: ROOT, encoding: 'utf8', timeout: (idleSec + 60) * 1000 });
  try {
    if (r.status !== 0) throw new Error(`core alone failed (${r.status}): ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as CoreAlone;
    const map = new SourceMapConsumer(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as RawSourceMap);
    // Who asked for each timer: the first frame whose source is not the bench's own footprint-core.ts.
    const source = (frame: string) => {
      const at = /(?:file:\/\/)?[^\s(]*footprint-core\.js:(\d+):(\d+)/.exec(frame);
      if (!at) return frame;
      const o = map.originalPositionFor({ line: Number(at[1]), column: Number(at[2]) - 1 });
      return o.source ? `${o.source.replace(/^(\.\.\/)+/, '')}:${o.line}` : frame;
    };
    for (const t of result.idle.timers) {
      const frames = t.where.split(' | ').map(source);
      t.where = frames.find((f) => !f.includes('footprint-core') && !f.includes('<anonymous>')) ?? frames[0] ?? '?';
    }
    return result;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const kindsOf = (runs: PagesFootprint[]) => [...new Set(runs.flatMap((r) => r.snapshots.flatMap((x) => x.own.map(([k]) => k))))].sort();
const valueOf = (entries: Array<[string, number]>, kind: string) => entries.find(([k]) => k === kind)?.[1] ?? 0;

/** The pages in one Chromium build, measured in a process of its own (./footprint-pages.ts). */
function pagesIn(exe: string, idleSec: number): PagesFootprint {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'footprint-pages.ts'), String(idleSec)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AGENT_CONSOLE_CHROMIUM: exe },
    timeout: (idleSec + 240) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`footprint pages in ${exe} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(last) as PagesFootprint;
}

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const idleSec = Number(process.env.FOOTPRINT_IDLE_SEC ?? 60);
  const loadBefore = loadavg();
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    console.log(l);
  };
  try {
    // ── the core alone ──────────────────────────────────────────────────────
    const lab = await startLab({ name: 'bench-footprint', peers: [] });
    let alone: CoreAlone;
    let unbundled: CoreAlone;
    try {
      alone = await coreAlone(lab.wsUrl, `sip:1009@${lab.domain}`, idleSec);
      // The same core with its npm dependencies loaded from node_modules, as the main process was built before.
      unbundled = await coreAlone(lab.wsUrl, `sip:1009@${lab.domain}`, 5, { dependencies: 'node_modules' });
    } finally {
      await lab.stop();
    }
    const m = alone.memory;
    say(`core alone (bundled as the app's main process, plain Node ${process.version}), line registered: own pages ${mb(m.own)}, PSS ${mb(m.pss)} (RSS ${mb(m.rss)}, V8 heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)})`);
    const exe = m.byMapping.filter((x) => x.what.startsWith('the executable')).reduce((n, x) => n + x.bytes, 0);
    const anon = m.byMapping.filter((x) => x.what.startsWith('anonymous') || x.what === '[heap]').reduce((n, x) => n + x.bytes, 0);
    say(`  resident by what is mapped: Node's executable ${mb(exe)} (V8, ICU, OpenSSL, libuv and Node's C++ in one file), heaps and stacks ${mb(anon)}, the rest ${mb(m.rss - exe - anon)} (${m.byMapping.filter((x) => !x.what.startsWith('the executable') && !x.what.startsWith('anonymous') && x.what !== '[heap]').slice(0, 4).map((x) => `${x.what} ${mb(x.bytes)}`).join(', ')})`);
    say(`  the same core with its npm dependencies loaded from node_modules (the main process's build before): own pages ${mb(unbundled.memory.own)}, V8 heap used ${mb(unbundled.memory.heapUsed)} of ${mb(unbundled.memory.heapTotal)} — the bundle holds ${mb(unbundled.memory.own - m.own)} less`);
    const bare = spawnSync(process.execPath, ['-e', 'setTimeout(() => console.log(process.memoryUsage().rss), 1000)'], { encoding: 'utf8' });
    say(`  plain Node itself (an empty script): RSS ${mb(Number(bare.stdout.trim()))} — in Electron, Node runs inside the browser process on Chromium's own V8 and ICU`);
    say(`  idle ${alone.idle.seconds.toFixed(0)} s: CPU ${alone.idle.cpuMs.toFixed(0)} ms = ${((alone.idle.cpuMs / (alone.idle.seconds * 1000)) * 100).toFixed(3)} % of one core`);
    for (const t of alone.idle.timers.slice(0, 8)) say(`  timer ${t.where}: created ${t.created}, fired ${t.fired} (${t.perSecond.toFixed(2)}/s)`);

    // ── what the harness's own Node process holds ───────────────────────────
    const steps = ['../../main/core/index', 'playwright-core', 'shim-build'];
    const imports = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'node-imports.ts'), ...steps], { cwd: ROOT, encoding: 'utf8' });
    if (imports.status === 0) {
      const rows = imports.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: string; rss: number; heapUsed: number });
      say(`a harness-like Node process, cumulatively (RSS, V8 heap used after a gc):`);
      rows.forEach((r, i) => say(`  ${r.step.padEnd(28)} RSS ${mb(r.rss).padStart(9)} (${i === 0 ? 'start' : `+${mb(r.rss - rows[i - 1]!.rss)}`}), heap ${mb(r.heapUsed)}`));
    } else say(`a harness-like Node process: could not measure (${imports.stderr.split('\n')[0]})`);

    // ── the pages, in each Chromium build ───────────────────────────────────
    const browsers = [CHROMIUM_PATH, CHROMIUM_HEADLESS_SHELL].filter((b) => {
      if (existsSync(b)) return true;
      say(`\n!!! ${b} is missing (apt-get install chromium-headless-shell): the stand-in closest to Electron is NOT measured in this run`);
      return false;
    });
    const runs = browsers.map((b) => pagesIn(b, idleSec));
    for (const r of runs) {
      const all = r.snapshots;
      const row = (label: string, f: (x: PagesSnapshot) => number) => say(`  ${label.padEnd(34)}${all.map((x) => mb(f(x)).padStart(14)).join('')}`);
      say(`\n${r.browser} (${r.version}): the pages [${r.pages.join(', ')}], after a gc of both; ${all.map((x, i) => `(${i + 1}) ${x.label}`).join(', ')}`);
      say(`  ${'share of the set\u2019s own pages'.padEnd(34)}${all.map((_, i) => `(${i + 1})`.padStart(14)).join('')}`);
      for (const k of kindsOf([r])) row(k, (x) => valueOf(x.own, k));
      row('all its processes', (x) => x.ownTotal);
      row('PSS, all its processes', (x) => x.pssTotal);
      if (all.some((x) => x.excluded > 0)) row('not ours: Chromium UI renderers', (x) => x.excluded);
      row('harness Node: V8 heap+external', (x) => x.nodeHeap);
      row('harness Node: PSS (tooling)', (x) => x.nodePss);
    }

    // ── the console: each browser's pages + the core ────────────────────────
    const total = (r: PagesFootprint, i: number) => r.snapshots[i]!.ownTotal + m.own + (i === 0 ? 0 : r.snapshots[i]!.nodeHeap - r.heapBeforeCalls);
    say(`\nthe console = the browser's own pages + the core alone's own pages (${mb(m.own)}) + the core's heap growth since the first call (targets: ≤ 350 MB idle, ≤ +5 MB per call):`);
    say(`  ${'browser'.padEnd(44)}${['idle', '1 call', '4 calls', 'hung up', 'first call', 'calls 2–4', 'avg over 4'].map((h) => h.padStart(13)).join('')}`);
    for (const r of runs) {
      const t = [0, 1, 2, 3].map((i) => total(r, i));
      const cells = [...t.map(mb), `+${mb(t[1]! - t[0]!)}`, `+${mb((t[2]! - t[1]!) / 3)}`, `+${mb((t[2]! - t[0]!) / 4)}`];
      say(`  ${r.browser.replace(/^.*\//, '').padEnd(44)}${cells.map((c) => c.padStart(13)).join('')}`);
    }
    const r0 = runs[0]!;
    say(`  with PSS instead (what this shared machine shows), ${r0.browser}: idle ${mb(r0.snapshots[0]!.pssTotal + m.pss)}`);

    for (const r of runs) {
      say(`\nidle ${r.idleSec} s, line registered, no call — CPU per process (${r.browser}):`);
      for (const [k, ms] of [...r.cpuByKind].sort((a, b) => b[1] - a[1])) say(`  ${k.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms = ${((ms / (r.idleSec * 1000)) * 100).toFixed(3)} % of one core`);
      const chromiumCpu = r.cpuByKind.reduce((a, [, b]) => a + b, 0);
      say(`  browser total ${((chromiumCpu / (r.idleSec * 1000)) * 100).toFixed(3)} %; core alone ${((alone.idle.cpuMs / (alone.idle.seconds * 1000)) * 100).toFixed(3)} %; console total ${(((chromiumCpu + alone.idle.cpuMs) / (r.idleSec * 1000)) * 100).toFixed(3)} % of one core (target ≤ 1 %); harness Node (tooling, not counted) ${((r.nodeCpuMs / (r.idleSec * 1000)) * 100).toFixed(3)} %`);
      say(`  page timers while idle (Chromium trace):`);
      for (const url of ['/ui/index.html', '/media/index.html']) if (!r.timers.some(([u]) => u.startsWith(url))) say(`    ${url.padEnd(28)} no timer fired, no animation frame`);
      for (const [url, t] of r.timers) say(`    ${url.padEnd(28)} timer firings ${t.timers} (busiest timer ${t.perTimer}, ${(t.perTimer / r.idleSec).toFixed(2)}/s), animation frames ${t.frames}`);
    }
    say(`command: npm run bench -- ${NAME}   (FOOTPRINT_IDLE_SEC=${idleSec}; load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')}, 2 cores)`);
  } finally {
    const out = join(ROOT, 'test-results', 'lab');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${NAME}.txt`), `${lines.join('\n')}\n`);
  }
}
