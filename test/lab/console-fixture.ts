/**
 * The console under test in the lab, for transfer scenarios: the REAL core
 * (startCore: settings, history, SIP line with JsSIP, call service, transfer
 * service) in Node, its media through the peer-connection proxy into the real
 * media-host page in Chromium (fake microphone = the agent's 660 Hz tone),
 * registered on the lab's Kamailio. The UI side is played through the real IPC
 * router (trusted sender, payloads validated by the contract) — exactly what
 * the renderer's buttons send.
 *
 * Needs `npx electron-vite build` (out/renderer/media).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallSnapshot, LineStatus, PreferencesPatch, TransferSnapshot } from '../../preload/contract';
import type { Result } from '../../preload/contract/result';
import { startCore, type ConsoleCore } from '../../main/core/index';
import type { IpcSender, UiTransport } from '../../main/ipc/router';
import { silentLogger } from '../../main/logging/logger';
import { startMediaHost, type MediaHostHarness } from '../harness/media-host';
import { harnessSecretStore } from '../harness/secrets';
import { installProbe } from '../media/tools';
import { agentEars } from './agent-ears';
import { TONES, type Lab } from './lab';
import { writeToneWav } from './tones';

const UI_URL = 'http://127.0.0.1/ui/index.html';
const sender: IpcSender = { window: 'ui', isMainFrame: true, frameUrl: UI_URL };

export interface ConsoleUnderTest {
  readonly core: ConsoleCore;
  readonly host: MediaHostHarness;
  readonly user: string;
  readonly uri: string;
  calls(): CallSnapshot[];
  live(): CallSnapshot[];
  transfer(callId: string): TransferSnapshot | undefined;
  /** Every calls:changed list pushed, in order (to check "exactly one leg unheld" at every instant). */
  readonly callPushes: CallSnapshot[][];
  /** Every transfer snapshot pushed, in order. */
  readonly transferPushes: TransferSnapshot[];
  readonly notices: string[];
  /** Invoke an IPC channel as the UI would; returns the router's Result. */
  ipc<T = unknown>(channel: string, payload?: unknown): Promise<Result<T>>;
  /** Same, but throws with the error message on {ok:false}. */
  request<T = unknown>(channel: string, payload?: unknown): Promise<T>;
  until<T>(get: () => T | undefined | null | false, ms?: number, what?: string): Promise<T>;
  /** Tones the agent hears (union over every live call's received audio). */
  agentHears(freqs?: number[]): Promise<number[]>;
  expectAgentHears(tones: number[], ms?: number): Promise<void>;
  setPreferences(patch: PreferencesPatch): void;
  /** Answer the next incoming call from `peer` (already calling). */
  answerIncoming(ms?: number): Promise<CallSnapshot>;
  /** Hang up every live call and wait until none is left. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsole(lab: Lab, o: { user?: string; dataDir?: string } = {}): Promise<ConsoleUnderTest> {
  const user = o.user ?? '1001';
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'console-lab-'));
  let calls: CallSnapshot[] = [];
  const transfers = new Map<string, TransferSnapshot>();
  const transferPushes: TransferSnapshot[] = [];
  const callPushes: CallSnapshot[][] = [];
  const lineStates: LineStatus[] = [];
  const notices: string[] = [];
  const handlers = new Map<string, (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>>();
  const waiters = new Set<() => void>();
  const ui: UiTransport = {
    handle(channel, listener) {
      handlers.set(channel, listener);
      return () => handlers.delete(channel);
    },
    push(channel, payload) {
      if (channel === 'calls:changed') {
        calls = payload as CallSnapshot[];
        callPushes.push(calls);
      }
      if (channel === 'line:changed') lineStates.push(payload as LineStatus);
      if (channel === 'app:notice') notices.push((payload as { message: string }).message);
      if (channel === 'transfer:changed') {
        const s = payload as TransferSnapshot;
        transfers.set(s.callId, s);
        transferPushes.push(s);
      }
      for (const w of [...waiters]) w();
    },
  };
  const until = <T>(get: () => T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> =>
    new Promise((resolve, reject) => {
      const first = get();
      if (first) return resolve(first);
      const check = () => {
        const v = get();
        if (!v) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `timed out (${ms} ms) waiting for ${what}; calls: ${JSON.stringify(calls.map((c) => [c.id.slice(0, 6), c.direction, c.state, c.hold, c.holdAudio, c.ended?.reason]))}; transfers: ${JSON.stringify([...transfers.values()].map((t) => [t.callId.slice(0, 6), t.phase, t.reason?.message, t.timeline.map((e) => e.step)]))}`,
          ),
        );
      }, ms);
      waiters.add(check);
    });

  const host = await startMediaHost({ fakeAudioFile: writeToneWav(join(dataDir, 'agent.wav'), TONES.agent) });
  await installProbe(host.page);
  const core = await startCore({
    ui,
    uiUrl: () => UI_URL,
    secrets: harnessSecretStore(),
    dataDir,
    log: silentLogger,
    app: { name: 'Agent Console', version: 'lab', platform: process.platform, electron: null },
    media: host.link,
    sip: { reconnectMinSec: 1, reconnectMaxSec: 2, keepAliveMs: 5000, pongTimeoutMs: 3000 },
  });
  // Pure tones count as noise to the audio processing (TESTING.md): off, as the lab peers do.
  core.settings.updatePreferences({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  core.settings.saveAccount({ wsUrl: lab.wsUrl, sipUri: `sip:${user}@${lab.domain}`, password: 'lab-unused' });
  await core.telephony.accountChanged();
  await until(() => lineStates.at(-1)?.state === 'registered', 15_000, 'registered');

  const ipc = async <T,>(channel: string, payload: unknown = null): Promise<Result<T>> => {
    const h = handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return (await h(sender, payload)) as Result<T>;
  };
  const live = () => calls.filter((c) => c.state !== 'ended');

  const { agentHears, expectAgentHears } = agentEars(host.page);

  const cut: ConsoleUnderTest = {
    core,
    host,
    user,
    uri: `sip:${user}@${lab.domain}`,
    calls: () => calls,
    live,
    transfer: (id) => transfers.get(id),
    transferPushes,
    callPushes,
    notices,
    ipc,
    async request<T>(channel: string, payload?: unknown): Promise<T> {
      const r = await ipc<T>(channel, payload);
      if (!r.ok) throw new Error(`${channel} refused: ${r.code}: ${r.message}`);
      return r.value;
    },
    until,
    agentHears,
    expectAgentHears,
    setPreferences(patch) {
      core.settings.updatePreferences(patch);
    },
    async answerIncoming(ms = 10_000) {
      const ringing = await until(() => calls.find((c) => c.direction === 'incoming' && c.state === 'ringing'), ms, 'incoming call');
      await cut.request('calls:answer', { callId: ringing.id });
      return until(() => calls.find((c) => c.id === ringing.id && c.state === 'established'), ms, 'established');
    },
    async clear() {
      for (const c of live()) {
        const r = c.allowedActions.includes('decline')
          ? await ipc('calls:decline', { callId: c.id })
          : await ipc('calls:hangup', { callId: c.id });
        void r;
      }
      await until(() => live().length === 0 || null, 15_000, 'no live calls');
    },
    async stop() {
      await core.stop();
      await host.stop();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cut;
}
