/**
 * The whole console in the built-in demo, for the demo's end-to-end tests:
 * the headless harness (the REAL core in Node; the built UI page, media host
 * and demo parties page in Debian Chromium), the agent's microphone a 660 Hz
 * tone (as in the lab), the demo's colleagues without spontaneous moods (the
 * test says what each does) and callers only when the test sends one.
 *
 * Ears on both sides, judged by the same code (renderer/demo/hearing.ts):
 * the parties report what they hear (director.hears); the agent's side is
 * read off the media host's playback of every call.
 *
 * Needs `npx electron-vite build` (out/renderer/{ui,media,demo}).
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ConsoleCore } from '../../main/core/index';
import type { Director } from '../../main/demo/director';
import { VOICES } from '../../main/demo/roster';
import { seededRandom } from '../../main/demo/scripts';
import type { CallSnapshot } from '../../preload/contract';
import { HEARING, hearFrame, hearWindow } from '../../renderer/demo/hearing';
import type { HearsReport } from '../../renderer/demo/protocol';
import { demoExtension } from '../harness/demo';
import { uiUnbuilt } from '../harness/built';
import { startHarness, type Harness } from '../harness/index';
import { mediaHostExtension, repoRoot } from '../harness/media-host';
import { writeToneWav } from '../lab/tones';
import { until as waitUntil } from '../support/until';

export const AGENT_TONE = 660;

/** The pages the demo needs are not built: skipped, and said loudly (test/harness/built.ts). */
export const builtPagesMissing = (): boolean => uiUnbuilt(['ui', 'media', 'demo']);

export interface DemoConsole {
  readonly harness: Harness;
  readonly core: ConsoleCore;
  readonly ui: Page;
  readonly dataDir: string;
  director(): Director;
  /** Calls as main holds them. */
  live(): CallSnapshot[];
  until<T>(get: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms?: number, what?: string): Promise<T>;
  /** What the agent hears now, over all calls the media host plays. */
  agentHears(): Promise<HearsReport>;
  /** Waits until a party hears what `ok` wants (two reports in a row); throws with what it heard last. */
  partyHears(party: string, ok: (h: HearsReport) => boolean, ms?: number, what?: string): Promise<HearsReport>;
  agentHearsEventually(ok: (h: HearsReport) => boolean, ms?: number, what?: string): Promise<HearsReport>;
  /** The UI's own API in the page (window.consoleApi): requests go through the real router. */
  api<T>(fn: string, arg?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Reads the media host's playback: an analyser per remote stream, ten frames of the low spectrum each. */
const earScript = `
window.__demoEar = async (frames, bins) => {
  const ctx = window.__demoEarCtx || (window.__demoEarCtx = new AudioContext({ sampleRate: 48000 }));
  await ctx.resume();
  const streams = [...document.querySelectorAll('audio[data-pc]')]
    .map((e) => e.srcObject)
    .filter((s) => s && s.getAudioTracks().some((t) => t.readyState === 'live' && !t.muted));
  const fresh = streams.filter((s) => !s.__demoAnalyser);
  for (const s of fresh) {
    const an = ctx.createAnalyser();
    an.fftSize = ${HEARING.fftSize};
    an.smoothingTimeConstant = 0;
    ctx.createMediaStreamSource(s).connect(an);
    s.__demoAnalyser = an;
  }
  if (fresh.length) await new Promise((r) => setTimeout(r, 400));
  const out = streams.map(() => []);
  const db = new Float32Array(${HEARING.fftSize / 2});
  const td = new Float32Array(${HEARING.fftSize});
  for (let f = 0; f < frames; f++) {
    streams.forEach((s, i) => {
      s.__demoAnalyser.getFloatFrequencyData(db);
      s.__demoAnalyser.getFloatTimeDomainData(td);
      let sum = 0; for (const v of td) sum += v * v;
      out[i].push({ db: Array.from(db.subarray(0, bins)), rmsDb: 10 * Math.log10(sum / td.length + 1e-20) });
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  return { rate: ctx.sampleRate, streams: out };
};`;

const known = { voices: VOICES, tones: [AGENT_TONE] };
const silent: HearsReport = { voices: [], tones: [], music: false, silence: true, levelDb: -200 };

export async function startDemoConsole(o: { name?: string; seed?: number; account?: { wsUrl: string; sipUri: string } } = {}): Promise<DemoConsole> {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-console-'));
  // What the parties page says (SIP.js warnings, page errors) is kept for a failed run.
  const logDir = join(repoRoot, 'test-results/demo');
  mkdirSync(logDir, { recursive: true });
  const pageLog = createWriteStream(join(logDir, `${o.name ?? 'demo'}-page.log`), { flags: 'w' });
  let harness: Harness;
  try {
    harness = await startHarness({
      dataDir,
      extensions: [
        mediaHostExtension({ fakeAudioFile: writeToneWav(join(dataDir, 'agent.wav'), AGENT_TONE) }),
        demoExtension({ onConsole: (t) => pageLog.write(`${new Date().toISOString()} ${t}\n`), tuning: { tones: [AGENT_TONE], auto: false, random: seededRandom(o.seed ?? 7), queue: { ringMs: 30_000 } } }),
      ],
    });
  } catch (e) {
    pageLog.end();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const { core, ui } = harness;
  const media = harness.mediaPage!;
  await media.evaluate(earScript);
  // Voices and tones must reach the far end untouched (a tone is "noise" to these filters).
  core.settings.updatePreferences({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, agent: { wrapUpSec: 0 } });
  if (o.account) core.settings.saveAccount({ ...o.account, password: 'real-account-password' });

  const waiters = new Set<() => void>();
  const router = core.router as { push: (channel: { name: string }, payload: unknown) => void };
  const push = router.push.bind(router);
  router.push = (channel, payload) => {
    push(channel, payload);
    for (const w of [...waiters]) w();
  };
  const until = <T,>(get: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 15_000, what = 'condition'): Promise<T> =>
    waitUntil(get, {
      timeoutMs: ms,
      what,
      wake: (check) => (waiters.add(check), () => waiters.delete(check)),
      detail: () =>
        `line ${core.telephony.lineStatus().state}; calls ${JSON.stringify(core.telephony.calls.list().map((c) => [c.id.slice(0, 6), c.direction, c.state, c.hold, c.remote.displayName]))}`,
    });

  const agentHears = async (): Promise<HearsReport> => {
    const read = (await media.evaluate(`window.__demoEar(10, 1200)`)) as { rate: number; streams: Array<Array<{ db: number[]; rmsDb: number }>> };
    const reports = read.streams.map((frames) => hearWindow(frames.map((f) => hearFrame({ db: f.db, sampleRate: read.rate, fftSize: HEARING.fftSize, rmsDb: f.rmsDb }, known))));
    if (reports.length === 0) return silent;
    return {
      voices: [...new Set(reports.flatMap((r) => r.voices))].sort((a, b) => a - b),
      tones: [...new Set(reports.flatMap((r) => r.tones))].sort((a, b) => a - b),
      music: reports.some((r) => r.music),
      silence: reports.every((r) => r.silence),
      levelDb: Math.max(...reports.map((r) => r.levelDb)),
    };
  };

  const eventually = async (read: () => Promise<HearsReport | null>, ok: (h: HearsReport) => boolean, ms: number, what: string) => {
    const deadline = Date.now() + ms;
    let last: HearsReport | null = null;
    let streak = 0;
    for (;;) {
      last = await read();
      if (last && ok(last)) {
        if (++streak >= 2) return last;
      } else streak = 0;
      if (Date.now() > deadline) throw new Error(`${what}: not heard within ${ms} ms; last heard ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  const dc: DemoConsole = {
    harness,
    core,
    ui,
    dataDir,
    director: () => {
      const s = core.demo.session;
      if (!s) throw new Error('the demo is not running');
      return s.director;
    },
    live: () => core.telephony.calls.list().filter((c) => c.state !== 'ended'),
    until,
    agentHears,
    partyHears: (party, ok, ms = 15_000, what = `${party} hears`) => eventually(() => dc.director().hears(party), ok, ms, what),
    agentHearsEventually: (ok, ms = 15_000, what = 'the agent hears') => eventually(agentHears, ok, ms, what),
    async api<T>(fn: string, arg?: unknown) {
      const r = (await ui.evaluate(
        ([path, a]) => {
          const [domain, method] = path.split('.') as [string, string];
          const api = (window as unknown as { consoleApi: Record<string, Record<string, (x?: unknown) => Promise<unknown>>> }).consoleApi;
          return api[domain]![method]!(a);
        },
        [fn, arg] as const,
      )) as { ok: boolean; value?: T; code?: string; message?: string };
      if (!r.ok) throw new Error(`${fn}: ${r.code} ${r.message}`);
      return r.value as T;
    },
    async stop() {
      try {
        await harness.stop();
      } finally {
        pageLog.end();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return dc;
}
