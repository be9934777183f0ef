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
import type { ConsoleCore, CorePorts } from '../../main/core/index';
import type { Logger } from '../../main/logging/logger';
import { startMediaHost, type MediaHostHarness } from '../harness/media-host';
import { installProbe } from '../media/tools';
import { startTestCore } from '../support/core';
import { fakeUiTransport, type FakeUiTransport } from '../support/ui-transport';
import { agentEars, type AgentEars } from './agent-ears';
import { TONES, type Lab } from './lab';
import { writeToneWav } from './tones';

/** The line's time-outs in the lab: quick reconnects (Kamailio restarts), keep-alives that notice a dead server. */
export const LAB_SIP: NonNullable<CorePorts['sip']> = { reconnectMinSec: 1, reconnectMaxSec: 2, keepAliveMs: 5000, pongTimeoutMs: 3000 };

/** Pure tones count as noise to the audio processing (docs/testing.md): off, as the lab peers do. */
export const VOICE_PROCESSING_OFF: PreferencesPatch = { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } };

/**
 * The real core with its media in the real media-host page (fake microphone =
 * the agent's tone, the FFT probe installed), voice processing off, no account
 * yet. `ui` is where main's pushes go and the UI's requests come from.
 */
export async function startLabCore(ui: FakeUiTransport, dataDir: string, o: { log?: Logger } = {}): Promise<{ core: ConsoleCore; host: MediaHostHarness }> {
  const host = await startMediaHost({ fakeAudioFile: writeToneWav(join(dataDir, 'agent.wav'), TONES.agent) });
  try {
    await installProbe(host.page);
    const { core } = await startTestCore(
      {
        dataDir,
        app: { name: 'Agent Console', version: 'lab', platform: process.platform, electron: null },
        media: host.link,
        sip: LAB_SIP,
        ...(o.log ? { log: o.log } : {}),
      },
      ui,
    );
    core.settings.updatePreferences(VOICE_PROCESSING_OFF);
    return { core, host };
  } catch (e) {
    await host.stop().catch(() => {});
    throw e;
  }
}

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
  /** Records the agent's own output device (cue, preview): start before the action, then expectCue. */
  recordOutput: AgentEars['recordOutput'];
  /** Waits until the recording holds the completion cue's notes in order. */
  expectCue: AgentEars['expectCue'];
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
  const ui = fakeUiTransport();
  ui.onPush(({ channel, payload }) => {
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
  });
  const until = <T,>(get: () => T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> =>
    ui.until(get, {
      timeoutMs: ms,
      what,
      detail: () =>
        `calls: ${JSON.stringify(calls.map((c) => [c.id.slice(0, 6), c.direction, c.state, c.hold, c.holdAudio, c.ended?.reason]))}; transfers: ${JSON.stringify([...transfers.values()].map((t) => [t.callId.slice(0, 6), t.phase, t.reason?.message, t.timeline.map((e) => e.step)]))}`,
    });

  const { core, host } = await startLabCore(ui, dataDir);
  core.settings.saveAccount({ wsUrl: lab.wsUrl, sipUri: `sip:${user}@${lab.domain}`, password: 'lab-unused' });
  await core.telephony.accountChanged();
  await until(() => lineStates.at(-1)?.state === 'registered', 15_000, 'registered');

  const ipc = async <T,>(channel: string, payload?: unknown): Promise<Result<T>> => (await ui.invoke(channel, payload)) as Result<T>;
  const live = () => calls.filter((c) => c.state !== 'ended');

  const { agentHears, expectAgentHears, recordOutput, expectCue } = agentEars(host.page);

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
    recordOutput,
    expectCue,
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
