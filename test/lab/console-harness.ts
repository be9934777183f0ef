/**
 * The WHOLE console in the lab, UI included: the headless harness
 * (test/harness/index.ts: REAL startCore in Node, the built UI page in Chromium
 * with window.consoleApi over the real router) plus the real media-host page
 * (mediaHostExtension; fake microphone = the agent's 660 Hz tone), registered
 * on the lab's Kamailio. console-fixture.ts plays the UI through the router
 * without a page; this one has the page, for what only a real UI can show
 * (reloads, "visible in the UI" timings).
 *
 * Main-side observation: every event main pushes to the UI is also recorded
 * here (wrapping core.router.push after the router validated it), so a test can
 * see what main said even while the UI page is reloading and drops pushes.
 *
 * Needs `npx electron-vite build` (out/renderer/ui and out/renderer/media).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ConsoleCore } from '../../main/core/index';
import type { CallSnapshot, LineStatus } from '../../preload/contract';
import { startHarness, type Harness, type HarnessExtension } from '../harness/index';
import { mediaHostExtension } from '../harness/media-host';
import { installProbe } from '../media/tools';
import { until as waitUntil } from '../support/until';
import { agentEars } from './agent-ears';
import { LAB_SIP, VOICE_PROCESSING_OFF } from './console-fixture';
import { TONES, type Lab } from './lab';
import { writeToneWav } from './tones';

/** One event main pushed to the UI, with Node epoch times (performance.timeOrigin + now()). */
export interface Pushed {
  channel: string;
  payload: unknown;
  /** When main called push (before the router's schema check and the harness's transport). */
  at: number;
  /** When push returned: checked and handed to the transport (on its way to the page). */
  t: number;
}

/** A call card as the UI page renders it. */
export interface UiCard {
  id: string;
  state: string;
  duration: string;
  status: string;
  buttons: string[];
}

export interface HarnessConsole {
  readonly harness: Harness;
  readonly core: ConsoleCore;
  readonly ui: Page;
  readonly media: Page;
  readonly user: string;
  readonly uri: string;
  readonly pushes: Pushed[];
  /** Calls as main holds them (the call service itself, not the UI). */
  calls(): CallSnapshot[];
  live(): CallSnapshot[];
  line(): LineStatus;
  until<T>(get: () => T | undefined | null | false, ms?: number, what?: string): Promise<T>;
  /** Reload the UI page and wait until its app is up again (consoleApi present, calls panel rendered). */
  reloadUi(): Promise<void>;
  /** Wait for the UI page's app to be up (after any navigation). */
  uiReady(): Promise<void>;
  /** Call cards rendered by the UI page. */
  uiCards(): Promise<UiCard[]>;
  /** Tones the agent hears (union over every call's received audio in the media host). */
  agentHears(freqs?: number[]): Promise<number[]>;
  expectAgentHears(tones: number[], ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

export interface HarnessConsoleOptions {
  /** The console's SIP user (default 1001). */
  user?: string;
  /** Another build of out/renderer to serve (e.g. unminified, for profiling); default out/renderer. */
  rendererDir?: string;
}

export async function startHarnessConsole(lab: Lab, o: HarnessConsoleOptions = {}): Promise<HarnessConsole> {
  const user = o.user ?? '1001';
  const dataDir = mkdtempSync(join(tmpdir(), 'console-harness-'));
  const sipOptions: HarnessExtension = { name: 'lab-sip-options', start: async () => ({ ports: { sip: LAB_SIP } }) };
  let harness: Harness;
  try {
    harness = await startHarness({
      dataDir,
      ...(o.rendererDir !== undefined && { rendererDir: o.rendererDir }),
      extensions: [mediaHostExtension({ fakeAudioFile: writeToneWav(join(dataDir, 'agent.wav'), TONES.agent) }), sipOptions],
    });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const { core, ui } = harness;
  const media = harness.mediaPage!;

  const pushes: Pushed[] = [];
  const waiters = new Set<() => void>();
  const router = core.router as { push: (channel: { name: string }, payload: unknown) => void };
  const push = router.push.bind(router);
  router.push = (channel, payload) => {
    const at = epochNow();
    push(channel, payload);
    pushes.push({ channel: channel.name, payload, at, t: epochNow() });
    for (const w of [...waiters]) w();
  };

  // Pushes wake it at once; its poll covers state that changes without a push.
  const until = <T,>(get: () => T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> =>
    waitUntil(get, {
      timeoutMs: ms,
      what,
      wake: (check) => (waiters.add(check), () => waiters.delete(check)),
      detail: () => {
        const calls = core.telephony.calls.list();
        return `line ${core.telephony.lineStatus().state}; calls ${JSON.stringify(calls.map((c) => [c.id.slice(0, 6), c.direction, c.state, c.hold, c.ended?.reason]))}`;
      },
    });

  const uiReady = async () => {
    await ui.waitForFunction(() => typeof window.consoleApi === 'object', undefined, { timeout: 15_000 });
    await ui.waitForSelector('[data-section]', { state: 'attached', timeout: 15_000 });
  };

  const { agentHears, expectAgentHears } = agentEars(media);

  const hc: HarnessConsole = {
    harness,
    core,
    ui,
    media,
    user,
    uri: `sip:${user}@${lab.domain}`,
    pushes,
    calls: () => core.telephony.calls.list(),
    live: () => core.telephony.calls.list().filter((c) => c.state !== 'ended'),
    line: () => core.telephony.lineStatus(),
    until,
    uiReady,
    async reloadUi() {
      await ui.reload({ waitUntil: 'load' });
      await uiReady();
    },
    uiCards: () =>
      ui.$$eval('article[data-call-id]', (els) =>
        els.map((e) => ({
          id: (e as HTMLElement).dataset['callId'] ?? '',
          state: (e as HTMLElement).dataset['state'] ?? '',
          duration: e.querySelector('time')?.textContent?.trim() ?? '',
          status: e.querySelector('.status')?.textContent?.trim() ?? '',
          buttons: [...e.querySelectorAll('.actions button')].map((b) => b.textContent?.trim() ?? ''),
        })),
      ),
    agentHears,
    expectAgentHears,
    async stop() {
      try {
        await harness.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };

  try {
    await installProbe(media);
    core.settings.updatePreferences(VOICE_PROCESSING_OFF);
    core.settings.saveAccount({ wsUrl: lab.wsUrl, sipUri: hc.uri, password: 'lab-unused' });
    await core.telephony.accountChanged();
    await until(() => core.telephony.lineStatus().state === 'registered', 15_000, 'registered');
    // The page loaded before the account existed: load it again, as an agent opening the app would see it.
    await hc.reloadUi();
  } catch (e) {
    await hc.stop().catch(() => {});
    throw e;
  }
  return hc;
}
