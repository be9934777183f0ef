/**
 * The footprint benchmark's browser half (./footprint.bench.ts runs it once per
 * Chromium build, each in a process of its own — the harness takes its browser
 * from AGENT_CONSOLE_CHROMIUM): the console in the headless harness — the real
 * core in this process answering a SIP.js caller, the UI and media-host pages in
 * the browser — and every process of that browser by kind, idle, with 1 call,
 * with 4 calls (3 held with music) and after hanging up; idle CPU and the pages'
 * timers (a Chromium trace: TimerFire, FireAnimationFrame) over the idle window.
 * The renderers are told apart by which one burns CPU when its page is made to.
 * Prints one JSON line (PagesFootprint).
 *
 *   tsx test/bench/footprint-pages.ts <idleSeconds>     (inside the lab's namespace)
 */
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Browser, Page } from 'playwright-core';
import type { CallSnapshot } from '../../preload/contract';
import { CHROMIUM } from '../harness/chromium';
import { startHarnessConsole, type HarnessConsole } from '../lab/console-harness';
import { startLab } from '../lab/lab';
import { chromiumKind, cpuMsOf, findProcess, processTree, pssOf, setMemory } from './processes';

type Entries = Array<[string, number]>;
export interface PagesSnapshot {
  label: string;
  /** Each kind's share of the browser's own pages (each physical page once). */
  own: Entries;
  ownTotal: number;
  /** PSS by kind (pages shared with anything on the machine divided among all). */
  pss: Entries;
  pssTotal: number;
  /** Headless Chromium's own UI renderers (the omnibox's pages): PSS, not counted. */
  excluded: number;
  /** The core's V8 heap + external after a gc (this process). */
  nodeHeap: number;
  nodePss: number;
}
export interface PagesFootprint {
  browser: string;
  version: string;
  pages: string[];
  targets: string[];
  snapshots: PagesSnapshot[];
  /** The harness's V8 heap + external (the core and the tooling) after a gc, just before the first call. */
  heapBeforeCalls: number;
  idleSec: number;
  cpuByKind: Entries;
  nodeCpuMs: number;
  timers: Array<[string, { timers: number; frames: number; perTimer: number }]>;
  withMusic: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  // Full headless Chromium runs two renderers for its own browser UI (the omnibox popup's WebUI);
  // Electron has none of it. Named, listed, and left out of the console's figures.
  for (const p of procs) if (p.kind === 'renderer') p.kind = 'not ours: Chromium UI renderer';
  return procs.filter((p) => !p.kind.startsWith('not ours')).concat(procs.filter((p) => p.kind.startsWith('not ours')).map((p) => ({ ...p, excluded: true })));
}

function memoryByKind(all: Proc[]): Pick<PagesSnapshot, 'own' | 'ownTotal' | 'pss' | 'pssTotal' | 'excluded'> {
  const procs = all.filter((p) => !p.excluded);
  const set = setMemory(procs.map((p) => p.pid));
  const pss = new Map<string, number>();
  const own = new Map<string, number>();
  for (const p of procs) {
    pss.set(p.kind, (pss.get(p.kind) ?? 0) + (pssOf(p.pid) ?? 0));
    own.set(p.kind, (own.get(p.kind) ?? 0) + (set.perPid.get(p.pid) ?? 0));
  }
  return {
    own: [...own],
    ownTotal: set.total,
    pss: [...pss],
    pssTotal: [...pss.values()].reduce((a, b) => a + b, 0),
    excluded: all.filter((p) => p.excluded).reduce((n, p) => n + (pssOf(p.pid) ?? 0), 0),
  };
}

/** Timers and animation frames the pages ran during a Chromium trace, per page URL. */
async function traceIdle(browser: Browser, page: Page, seconds: number): Promise<PagesFootprint['timers']> {
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
  return [...out].map(([url, s]) => [url, { timers: s.timers, frames: s.frames, perTimer: Math.max(0, ...s.ids.values()) }]);
}

export async function measurePages(idleSec: number): Promise<PagesFootprint> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const lab = await startLab({ name: 'bench-footprint-pages', peers: [{ name: 'caller', signal: 'caller' }] });
  try {
    const con = await startHarnessConsole(lab, { user: '1001' });
    try {
      const info = (await con.ui.evaluate(() => window.consoleApi.app.info())) as { ok: boolean; value?: { dataDir: string } };
      const procs = await consoleProcesses(con, info.value!.dataDir);
      const pages = con.harness.browser.contexts().flatMap((c) => c.pages().map((p) => p.url().replace(/^https?:\/\/[^/]+/, '')));
      const cdp = await con.harness.browser.newBrowserCDPSession();
      const targets = ((await cdp.send('Target.getTargets')) as { targetInfos: Array<{ type: string; url: string }> }).targetInfos.map((t) => `${t.type} ${t.url.replace(/^https?:\/\/[^/]+/, '')}`);
      await cdp.detach();
      const caller = lab.peer('caller');
      const nodeHeap = () => {
        gc();
        const m = process.memoryUsage();
        return m.heapUsed + m.external;
      };
      const pageGc = async () => {
        for (const p of [con.ui, con.media]) {
          const session = await p.context().newCDPSession(p);
          await session.send('HeapProfiler.collectGarbage');
          await session.detach();
        }
      };
      const snapshot = async (label: string): Promise<PagesSnapshot> => {
        await sleep(5000);
        await pageGc();
        return { label, ...memoryByKind(procs), nodeHeap: nodeHeap(), nodePss: pssOf(process.pid) ?? 0 };
      };

      const idle = await snapshot('idle');
      // Idle CPU of the browser's processes, and its pages' timers, over the same window.
      const cpu0 = new Map(procs.map((p) => [p.pid, cpuMsOf(p.pid) ?? 0]));
      const node0 = process.cpuUsage();
      const timers = await traceIdle(con.harness.browser, con.ui, idleSec);
      const nodeCpu = process.cpuUsage(node0);
      // The core's heap before the first call, read after the idle window: the idle snapshot's still
      // holds what starting the lab and the pages left for the collector (tens of MB of tooling).
      const heapBeforeCalls = nodeHeap();
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
      const withMusic = con.live().filter((c) => c.hold.local && typeof c.holdAudio === 'object' && c.holdAudio !== null).length;
      const four = await snapshot(`4 calls (3 held, ${withMusic} with music)`);
      for (const leg of legs) await caller.hangup(leg).catch(() => undefined);
      await con.until(() => con.live().length === 0, 15_000, 'calls ended');
      const after = await snapshot('after hanging up');
      const version = await con.harness.browser.version();
      return { browser: CHROMIUM, version, pages, targets, snapshots: [idle, one, four, after], heapBeforeCalls, idleSec, cpuByKind: [...cpuByKind], nodeCpuMs: (nodeCpu.user + nodeCpu.system) / 1000, timers, withMusic };
    } finally {
      await con.stop();
    }
  } finally {
    await lab.stop();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const result = await measurePages(Number(process.argv[2] ?? 60));
  console.log(JSON.stringify(result));
  process.exit(0);
}
