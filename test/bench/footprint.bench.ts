/**
 * The console's footprint on an agent's machine: memory (PSS) of every
 * process idle, with 1 call and with 4 calls (3 held with music), idle CPU
 * over 60 s with a registered line, and the timers that fire while idle.
 *
 * Electron is not on this machine, so the console is measured in two parts
 * that together make what the app runs:
 *  - the core (the Node half of Electron's main process) alone in a process
 *    of its own: ./footprint-core.ts, bundled with esbuild into one file and
 *    run by plain Node as the app's main bundle is, with its SIP line
 *    registered at the lab's Kamailio — PSS, CPU and Node timers while idle;
 *  - the pages (the UI and the media host) in the headless harness's Chromium
 *    (test/lab/console-harness.ts), every process of that browser by kind —
 *    browser, GPU, utilities, the UI's and the media host's renderers (told
 *    apart by which one burns CPU when its page is made to) — with the real
 *    core in this process answering calls from a SIP.js caller.
 * The harness's own Node process carries the test tooling (playwright, vite
 * for the page shim, the lab drivers): it is reported, not counted; the
 * core's growth per call is read there from V8's heap after a gc.
 * Page timers and animation frames while idle come from a Chromium trace
 * (devtools.timeline: TimerFire, FireAnimationFrame).
 *
 *   npm run bench -- footprint        (FOOTPRINT_IDLE_SEC=N, default 60)
 *
 * Needs the built pages (npm run bench builds first) and a loopback-only
 * namespace: outside one, run() re-runs itself under `unshare --net`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import type { CallSnapshot } from '../../preload/contract';
import { startHarnessConsole, type HarnessConsole } from '../lab/console-harness';
import { startLab } from '../lab/lab';
import { LAB_CACHE } from '../lab/peer';
import { inLabNamespace, ROOT } from './lab-tools';
import { chromiumKind, cpuMsOf, findProcess, processTree, pssOf, setMemory } from './processes';

const NAME = 'footprint';
const MB = 1024 * 1024;
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CoreAlone {
  memory: { pss: number; own: number; rss: number; heapUsed: number; heapTotal: number; external: number };
  idle: { seconds: number; cpuMs: number; timers: Array<{ where: string; created: number; fired: number; perSecond: number }> };
}

/** Bundles footprint-core.ts like the app's main bundle and runs it against the lab. */
async function coreAlone(wsUrl: string, sipUri: string, idleSec: number): Promise<CoreAlone> {
  // Inside the repository (the lab's cache, .lab/, is git-ignored): the external native module resolves from node_modules.
  const outfile = join(LAB_CACHE, 'footprint', `footprint-core-${process.pid}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, 'footprint-core.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // A map beside the bundle, read here to name where timers come from (not loaded by the child: it costs memory).
    sourcemap: 'external',
    external: ['better-sqlite3', 'electron', 'bufferutil', 'utf-8-validate'],
    // ESM output of CommonJS dependencies needs a require of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const r = spawnSync(process.execPath, [outfile, wsUrl, sipUri, String(idleSec)], { cwd: ROOT, encoding: 'utf8', timeout: (idleSec + 60) * 1000 });
  try {
    if (r.status !== 0) throw new Error(`core alone failed (${r.status}): ${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as CoreAlone;
    const map = new SourceMapConsumer(JSON.parse(readFileSync(`${outfile}.map`, 'utf8')) as RawSourceMap);
    for (const t of result.idle.timers) {
      t.where = t.where.replace(/(?:file:\/\/)?[^\s(]*\.mjs:(\d+):(\d+)/, (whole, line: string, column: string) => {
        const o = map.originalPositionFor({ line: Number(line), column: Number(column) - 1 });
        return o.source ? `${o.source.replace(/^(\.\.\/)+/, '')}:${o.line}` : whole;
      });
    }
    return result;
  } finally {
    rmSync(outfile, { force: true });
    rmSync(`${outfile}.map`, { force: true });
  }
}

interface Proc {
  pid: number;
  kind: string;
  /** Not part of the console (headless Chromium's own UI): reported, not counted. */
  excluded?: boolean;
}

/** The harness browser's processes, the renderers named by the page they run. */
async function consoleProcesses(con: HarnessConsole, dataDir: string): Promise<Proc[]> {
  const browserPid = findProcess(join(dataDir, 'agent.wav'));
  if (browserPid === null) throw new Error('footprint: the harness browser process was not found');
  const procs = processTree(browserPid).map((pid) => ({ pid, kind: chromiumKind(pid) }));
  // Which renderer runs which page: make the page busy for 400 ms and see whose CPU time moves.
  for (const [page, name] of [
    [con.ui, 'renderer:ui'],
    [con.media, 'renderer:media-host'],
  ] as const) {
    const before = new Map(procs.map((p) => [p.pid, cpuMsOf(p.pid) ?? 0]));
    await page.evaluate('(() => { const end = performance.now() + 400; while (performance.now() < end); })()');
    const busiest = procs
      .filter((p) => p.kind === 'renderer')
      .map((p) => ({ p, d: (cpuMsOf(p.pid) ?? 0) - before.get(p.pid)! }))
      .sort((a, b) => b.d - a.d)[0];
    if (busiest && busiest.d > 200) busiest.p.kind = name;
  }
  // Headless Chromium's own browser UI (the omnibox popup's WebUI pages) runs in renderers of its
  // own; Electron has none of it. Named, listed, and left out of the console's figures.
  for (const p of procs) if (p.kind === 'renderer') p.kind = 'not ours: Chromium UI renderer';
  return procs.filter((p) => !p.kind.startsWith('not ours')).concat(procs.filter((p) => p.kind.startsWith('not ours')).map((p) => ({ ...p, excluded: true })));
}

/** Per kind of process: PSS (machine-wide sharing) and the share of the set's own pages (each page once). */
function memoryByKind(all: Proc[]): { pss: Map<string, number>; own: Map<string, number>; ownTotal: number; excluded: number } {
  const procs = all.filter((p) => !p.excluded);
  const excluded = all.filter((p) => p.excluded).reduce((n, p) => n + (pssOf(p.pid) ?? 0), 0);
  const set = setMemory(procs.map((p) => p.pid));
  const pss = new Map<string, number>();
  const own = new Map<string, number>();
  for (const p of procs) {
    pss.set(p.kind, (pss.get(p.kind) ?? 0) + (pssOf(p.pid) ?? 0));
    own.set(p.kind, (own.get(p.kind) ?? 0) + (set.perPid.get(p.pid) ?? 0));
  }
  return { pss, own, ownTotal: set.total, excluded };
}

/** Timers and animation frames the pages ran during a Chromium trace, per page URL. */
async function traceIdle(browser: Browser, page: Page, seconds: number): Promise<Map<string, { timers: number; frames: number; perTimer: number }>> {
  const chromiumBrowser = browser as Browser & { startTracing(page?: Page, o?: { categories?: string[] }): Promise<void>; stopTracing(): Promise<Buffer> };
  await chromiumBrowser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await sleep(seconds * 1000);
  const trace = JSON.parse((await chromiumBrowser.stopTracing()).toString('utf8')) as { traceEvents: Array<{ name: string; args?: { data?: Record<string, unknown> } }> };
  const urls = new Map<string, string>();
  for (const e of trace.traceEvents) {
    const frames = (e.args?.data?.['frames'] as Array<{ frame: string; url: string }> | undefined) ?? [];
    for (const f of frames) urls.set(f.frame, f.url);
    const d = e.args?.data as { frame?: string; url?: string } | undefined;
    if (e.name === 'FrameCommittedInBrowser' && d?.frame && d.url) urls.set(d.frame, d.url);
  }
  const out = new Map<string, { timers: number; frames: number; perTimer: number; ids: Map<unknown, number> }>();
  const slot = (frame: unknown) => {
    const url = (urls.get(String(frame)) ?? String(frame)).replace(/^https?:\/\/[^/]+/, '');
    return out.get(url) ?? out.set(url, { timers: 0, frames: 0, perTimer: 0, ids: new Map() }).get(url)!;
  };
  for (const e of trace.traceEvents) {
    const d = e.args?.data as { frame?: string; timerId?: unknown } | undefined;
    if (e.name === 'TimerFire') {
      const s = slot(d?.frame);
      s.timers++;
      s.ids.set(d?.timerId, (s.ids.get(d?.timerId) ?? 0) + 1);
    } else if (e.name === 'FireAnimationFrame') slot(d?.frame).frames++;
  }
  for (const s of out.values()) s.perTimer = Math.max(0, ...s.ids.values());
  return out;
}

export async function run(): Promise<void> {
  if (!inLabNamespace(NAME)) return;
  const idleSec = Number(process.env.FOOTPRINT_IDLE_SEC ?? 60);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const loadBefore = loadavg();
  const lab = await startLab({ name: 'bench-footprint', peers: [{ name: 'caller', signal: 'caller' }] });
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    console.log(l);
  };
  try {
    // ── the core alone ──────────────────────────────────────────────────────
    const alone = await coreAlone(lab.wsUrl, `sip:1009@${lab.domain}`, idleSec);
    say(`core alone (bundled, plain Node ${process.version}), line registered: own pages ${mb(alone.memory.own)}, PSS ${mb(alone.memory.pss)} (RSS ${mb(alone.memory.rss)}, V8 heap used ${mb(alone.memory.heapUsed)} of ${mb(alone.memory.heapTotal)}, external ${mb(alone.memory.external)})`);
    const bare = spawnSync(process.execPath, ['-e', "setTimeout(() => console.log(process.memoryUsage().rss), 1000)"], { encoding: 'utf8' });
    say(`  of which plain Node itself (an empty script): RSS ${mb(Number(bare.stdout.trim()))} — in Electron that runtime lives in the browser process`);
    say(`  idle ${alone.idle.seconds.toFixed(0)} s: CPU ${alone.idle.cpuMs.toFixed(0)} ms = ${((alone.idle.cpuMs / (alone.idle.seconds * 1000)) * 100).toFixed(3)} % of one core`);
    for (const t of alone.idle.timers.slice(0, 8)) say(`  timer ${t.where}: created ${t.created}, fired ${t.fired} (${t.perSecond.toFixed(2)}/s)`);

    // ── what the harness's own Node process holds ───────────────────────────
    const steps = ['../../main/core/index', 'playwright-core', 'vite', 'vite-build'];
    const imports = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'node-imports.ts'), ...steps], { cwd: ROOT, encoding: 'utf8' });
    if (imports.status === 0) {
      const rows = imports.stdout.trim().split('\n').map((l) => JSON.parse(l) as { step: string; rss: number; heapUsed: number });
      say(`a harness-like Node process, cumulatively (RSS, V8 heap used after a gc):`);
      rows.forEach((r, i) => say(`  ${r.step.padEnd(28)} RSS ${mb(r.rss).padStart(9)} (${i === 0 ? 'start' : `+${mb(r.rss - rows[i - 1]!.rss)}`}), heap ${mb(r.heapUsed)}`));
    } else say(`a harness-like Node process: could not measure (${imports.stderr.split('\n')[0]})`);

    // ── the whole console in the harness ────────────────────────────────────
    const con = await startHarnessConsole(lab, { user: '1001' });
    try {
      const info = (await con.ui.evaluate(() => window.consoleApi.app.info())) as { ok: boolean; value?: { dataDir: string } };
      const procs = await consoleProcesses(con, info.value!.dataDir);
      const pages = con.harness.browser.contexts().flatMap((c) => c.pages().map((p) => p.url().replace(/^https?:\/\/[^/]+/, '')));
      const cdp = await con.harness.browser.newBrowserCDPSession();
      const targets = ((await cdp.send('Target.getTargets')) as { targetInfos: Array<{ type: string; url: string }> }).targetInfos.map((t) => `${t.type} ${t.url.replace(/^https?:\/\/[^/]+/, '')}`);
      await cdp.detach();
      say(`harness browser: ${procs.filter((p) => p.kind.includes('renderer')).length} renderer processes for the pages [${pages.join(', ')}]; targets [${targets.join(', ')}]`);
      const caller = lab.peer('caller');
      const nodeHeap = () => {
        gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.external;
      };
      const pageGc = async () => {
        for (const p of [con.ui, con.media]) {
          const cdp = await p.context().newCDPSession(p);
          await cdp.send('HeapProfiler.collectGarbage');
          await cdp.detach();
        }
      };
      const snapshot = async (label: string) => {
        await sleep(5000);
        await pageGc();
        const m = memoryByKind(procs);
        const pssTotal = [...m.pss.values()].reduce((a, b) => a + b, 0);
        return { label, ...m, pssTotal, nodeHeap: nodeHeap(), nodePss: pssOf(process.pid) ?? 0 };
      };

      const idle = await snapshot('idle');
      // Idle CPU of the browser's processes, and its pages' timers, over the same window.
      const cpu0 = new Map(procs.map((p) => [p.pid, cpuMsOf(p.pid) ?? 0]));
      const node0 = process.cpuUsage();
      const timers = await traceIdle(con.harness.browser, con.ui, idleSec);
      const nodeCpu = process.cpuUsage(node0);
      const cpuByKind = new Map<string, number>();
      for (const p of procs.filter((x) => !x.excluded)) cpuByKind.set(p.kind, (cpuByKind.get(p.kind) ?? 0) + (cpuMsOf(p.pid) ?? 0) - cpu0.get(p.pid)!);

      const answer = async () => {
        const ringing = await con.until(() => con.calls().find((c) => c.direction === 'incoming' && c.state === 'ringing'), 10_000, 'ringing');
        const r = (await con.ui.evaluate((callId) => window.consoleApi.calls.answer({ callId }), ringing.id)) as { ok: boolean; message?: string };
        if (!r.ok) throw new Error(`answer refused: ${r.message}`);
        await con.until(() => con.calls().find((c) => c.id === ringing.id && c.state === 'established'), 10_000, 'established');
      };
      const legs: string[] = [];
      legs.push(await caller.call(con.uri));
      await answer();
      const one = await snapshot('1 call');
      for (let i = 0; i < 3; i++) {
        legs.push(await caller.call(con.uri));
        await answer(); // answering holds the call that was talking (music, by default)
      }
      await con.until(() => con.live().filter((c: CallSnapshot) => c.hold.local).length === 3, 10_000, 'three calls held');
      const held = con.live().filter((c) => c.hold.local);
      const withMusic = held.filter((c) => typeof c.holdAudio === 'object' && c.holdAudio !== null).length;
      const four = await snapshot(`4 calls (3 held, ${withMusic} with music)`);
      for (const leg of legs) await caller.hangup(leg).catch(() => undefined);
      await con.until(() => con.live().length === 0, 15_000, 'calls ended');
      const after = await snapshot('after hanging up');

      const all = [idle, one, four, after];
      const row = (label: string, f: (x: (typeof all)[number]) => number) => say(`  ${label.padEnd(30)}${all.map((x) => mb(f(x)).padStart(14)).join('')}`);
      const kinds = [...new Set([...idle.pss.keys(), ...four.pss.keys()])].sort();
      say(`\nthe harness browser (UI + media host), after a gc of both pages; ${all.map((x, i) => `(${i + 1}) ${x.label}`).join(', ')}`);
      say(`  ${'share of the set\u2019s own pages'.padEnd(30)}${all.map((_, i) => `(${i + 1})`.padStart(14)).join('')}`);
      for (const k of kinds) row(k, (x) => x.own.get(k) ?? 0);
      row('all its processes', (x) => x.ownTotal);
      say(`  ${'PSS (machine-wide sharing)'.padEnd(30)}`);
      for (const k of kinds) row(k, (x) => x.pss.get(k) ?? 0);
      row('all its processes', (x) => x.pssTotal);
      row('not ours: Chromium UI renderers', (x) => x.excluded);
      row('harness Node: V8 heap+external', (x) => x.nodeHeap);
      row('harness Node: PSS (tooling)', (x) => x.nodePss);
      const total = (x: (typeof all)[number]) => x.ownTotal + alone.memory.own + (x.nodeHeap - idle.nodeHeap);
      say(`console = browser's own pages + the core alone's own pages (${mb(alone.memory.own)}) + the core's heap growth since idle:`);
      say(`  ${all.map((x) => `${x.label} ${mb(total(x))}`).join('; ')}`);
      say(`  per call: ${mb(total(one) - total(idle))} for the first; ${mb((total(four) - total(idle)) / 4)} on average over 4 (targets: ≤ 350 MB idle, ≤ +5 MB per call)`);
      say(`  with PSS instead (what this shared machine shows): idle ${mb(idle.pssTotal + alone.memory.pss)}, 4 calls ${mb(four.pssTotal + alone.memory.pss + four.nodeHeap - idle.nodeHeap)}`);
      say(`\nidle ${idleSec} s, line registered, no call — CPU per process:`);
      for (const [k, ms] of [...cpuByKind].sort((a, b) => b[1] - a[1])) say(`  ${k.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms = ${((ms / (idleSec * 1000)) * 100).toFixed(3)} % of one core`);
      const chromiumCpu = [...cpuByKind.values()].reduce((a, b) => a + b, 0);
      say(`  browser total ${((chromiumCpu / (idleSec * 1000)) * 100).toFixed(3)} %; core alone ${((alone.idle.cpuMs / (alone.idle.seconds * 1000)) * 100).toFixed(3)} %; console total ${(((chromiumCpu + alone.idle.cpuMs) / (idleSec * 1000)) * 100).toFixed(3)} % of one core (target ≤ 1 %); harness Node (tooling, not counted) ${(((nodeCpu.user + nodeCpu.system) / 1000 / (idleSec * 1000)) * 100).toFixed(3)} %`);
      say(`page timers while idle (Chromium trace):`);
      for (const page of [con.ui, con.media]) if (![...timers.keys()].some((u) => page.url().endsWith(u))) say(`  ${page.url().replace(/^https?:\/\/[^/]+/, '').padEnd(28)} no timer fired, no animation frame`);
      for (const [url, t] of timers) say(`  ${url.padEnd(28)} timer firings ${t.timers} (busiest timer ${t.perTimer}, ${(t.perTimer / idleSec).toFixed(2)}/s), animation frames ${t.frames}`);
      say(`command: npm run bench -- ${NAME}   (load average before ${loadBefore.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')}, 2 cores)`);
    } finally {
      await con.stop();
    }
  } finally {
    await lab.stop();
    const out = join(ROOT, 'test-results', 'lab');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${NAME}.txt`), `${lines.join('\n')}\n`);
  }
}
