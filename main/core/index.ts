/**
 * The console's core: everything main does, minus Electron — the composition
 * root. `startCore` assembles settings, history, the SIP line, the call and
 * transfer services and their transfer backend, and registers each domain's
 * IPC channels (main/ipc/), against whatever implements the ports: Electron
 * adapters in the app (main/index.ts), playwright-driven Chromium in the
 * headless harness. It is the only place that knows every service.
 */
import { readFile } from 'node:fs/promises';
import { contract, type AppInfo, type Notice, type RecordingStatus } from '../../preload/contract';
import type { CallAlerts } from '../calls/call/ports';
import { historyRecorder } from '../calls/call/history';
import { startHistory, type ConsoleHistory } from '../history';
import { registerAgentHandlers } from '../ipc/agent';
import { registerAppHandlers } from '../ipc/app';
import { registerAudioHandlers } from '../ipc/audio';
import { registerCallHandlers } from '../ipc/calls';
import { registerDesktopHandlers, type DesktopHandlers } from '../ipc/desktop';
import { registerHistoryHandlers } from '../ipc/history';
import { registerLineHandlers } from '../ipc/line';
import { createRouter, type Router, type UiTransport } from '../ipc/router';
import { registerTargetHandlers } from '../ipc/targets';
import { registerTransferHandlers } from '../ipc/transfers';
import type { Logger } from '../logging/logger';
import type { MediaHostLink } from '../media/link';
import { syncMediaSettings, type MediaSettingsSync } from '../media/settings-sync';
import type { SecretStore } from '../settings/secrets';
import { openSettingsStore, type SettingsStore } from '../settings/store';
import { SessionRegistry } from '../sip/sessions';
import { createSipTransferBackend } from '../sip/transfer-backend';
import { startAgent, type AgentCore } from './agent';
import { startTelephony, type TelephonyCore, type TelephonyOptions } from './telephony';
import { providerFactory } from './providers';
import { startTargets } from './targets';
import { startTransfers, type Transfers } from './transfers';
import { demoAccountSwitch } from '../demo/account';
import { demoDataDir, switchableHistory } from '../demo/history';
import { createDemoMode, type DemoDeps, type DemoMode, type OpenParties } from '../demo/index';
import { registerDemoHandlers } from '../demo/ipc';

export interface CorePorts {
  ui: UiTransport;
  /** URL of the UI page as loaded; the router trusts only its origin/file. */
  uiUrl: () => string;
  secrets: SecretStore;
  dataDir: string;
  log: Logger;
  app: Omit<AppInfo, 'dataDir'>;
  now?: () => number;
  /** The hidden media host (peer connections, microphone, ringer). Without it the SIP line is not started. */
  media?: MediaHostLink;
  /** The system's open-file dialog for the agent's own hold music (main/desktop/music-dialog.ts); absent: `unavailable`. */
  chooseMusicFile?: () => Promise<string | null>;
  /** Line time-outs/back-off overrides (tests, lab). */
  sip?: TelephonyOptions['line'];
  /** History storage overrides (tests): the back-off probe after a storage fault, the events kept in memory meanwhile. */
  history?: { probe?: { firstMs?: number; maxMs?: number }; capacity?: number };
  /** The built-in demo's hidden parties page (main/desktop/demo-window.ts; a Chromium page in the harness); absent: no demo here. */
  demoParties?: OpenParties;
  /** Tests: the demo's timings and chance (main/demo/index.ts). */
  demoTuning?: DemoDeps['tuning'];
}

/** What the installed app's shell (main/desktop/shell.ts) plugs into the core once Electron has built it. */
export interface DesktopAttachment {
  /** The desktop:* channels. */
  handlers: DesktopHandlers;
  /** Call notifications: a call rings, stops ringing, was missed. */
  alerts: Pick<CallAlerts, 'incoming' | 'dismiss' | 'missed'>;
}

export interface ConsoleCore {
  readonly router: Router;
  readonly settings: SettingsStore;
  /**
   * The call history (also the call service's recorder), on whichever file is open; null while none
   * could be opened (the recording status and a notice say why).
   */
  readonly history: ConsoleHistory | null;
  /** SIP line, call service and media client. */
  readonly telephony: TelephonyCore;
  /** The transfer service over the call service and the SIP transfer backend. */
  readonly transfers: Transfers;
  /** The agent's status (available, away, wrap-up) and do-not-disturb. */
  readonly agent: AgentCore;
  /** Whether calls are being recorded (the tray can say so too); `onChange` returns the unsubscribe. */
  readonly recording: { status(): RecordingStatus; onChange(listener: (status: RecordingStatus) => void): () => void };
  /** The built-in demo (docs/demo.md): its own switchboard, queue and colleagues, the line on a demo account. */
  readonly demo: DemoMode;
  /** A notice the agent must see (held until dismissed). */
  notice(level: Notice['level'], message: string): void;
  /** After every settings:update (the shell re-registers hotkeys, applies auto-start); returns the unsubscribe. */
  onPreferencesChanged(listener: () => void): () => void;
  /** The desktop shell plugs in; returns the detach. One at a time. */
  attachDesktop(desktop: DesktopAttachment): () => void;
  /** Graceful stop: unregister, close the database. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startCore(ports: CorePorts): Promise<ConsoleCore> {
  const now = ports.now ?? Date.now;
  const log = ports.log;
  const router = createRouter(ports.ui, { uiUrl: ports.uiUrl, log: log.scope('ipc') });
  const settings = openSettingsStore(ports.dataDir, ports.secrets, log.scope('settings'));

  // Notices: things the agent must see once (settings kept aside, …), held until dismissed.
  const notices: Notice[] = [];
  const addNotice = (level: Notice['level'], message: string) => {
    // The same problem twice (a device lost again) is one notice, not a pile.
    if (notices.some((n) => n.message === message)) return;
    const notice: Notice = { id: `n${now()}-${notices.length}`, level, message, at: now() };
    notices.push(notice);
    router.push(contract.app.noticeAdded, notice);
  };
  // One notice for the file: set aside whole, or which values were reset (the rest, the account included, kept).
  if (settings.problem) addNotice('warning', settings.problem.notice);

  const historyOptions = {
    dataDir: ports.dataDir,
    log: log.scope('history'),
    now,
    retentionDays: () => settings.file().preferences.history.retentionDays,
    notice: addNotice,
    ...ports.history,
  };
  // The agent's own history, or the demo's own file while the demo runs (main/demo/history.ts).
  const history = switchableHistory(startHistory(historyOptions), () => startHistory({ ...historyOptions, dataDir: demoDataDir(ports.dataDir) }));
  // Never throws: while the storage refuses writes, call events wait in memory (main/history/resilient-recorder.ts).
  const recorder = history.recorder;

  // The installed app's shell, once attached (main/index.ts); null headless (harness, lab, tests).
  let desktop: DesktopAttachment | null = null;
  const preferenceListeners = new Set<() => void>();

  const sessions = new SessionRegistry();
  // The line's account: the agent's own, or the demo's while the demo runs (never saved: main/demo/account.ts).
  const demoLine = demoAccountSwitch(settings);
  const phone = startTelephony({
    router,
    settings: demoLine.settings,
    media: ports.media,
    recorder: historyRecorder(recorder, () => demoLine.settings.file().account?.sipUri ?? ''),
    sessions,
    log,
    now,
    notice: addNotice,
    shellAlerts: () => desktop?.alerts ?? null,
    ...(ports.sip && { line: ports.sip }),
  });
  // Audio devices and hold music follow the preferences, also after a media host restart.
  const mediaSettings: MediaSettingsSync | null = phone.media
    ? syncMediaSettings({
        client: phone.media,
        preferences: () => settings.file().preferences,
        readFile: (path) => readFile(path),
        notice: addNotice,
        log: log.scope('media'),
      })
    : null;
  // Transfer targets: the configured list, or a live provider the settings choose (main/core/targets.ts).
  const targets = startTargets({
    settings,
    sipBackend: createSipTransferBackend({ sessions, log: log.scope('transfer') }),
    factory: providerFactory({
      settings,
      calls: phone.calls,
      line: () => phone.line(),
      now,
      log: log.scope('targets'),
      tell: (message) => addNotice('warning', message),
    }),
    now,
    log: log.scope('targets'),
  });
  const offTargets = targets.onChange((view) => router.push(contract.targets.changed, view));
  const transfers = startTransfers({
    router,
    calls: phone.calls,
    backend: targets.backend,
    media: phone.media,
    settings,
    recorder,
    domain: () => phone.line()?.domain() ?? null,
    now,
    log: log.scope('transfer'),
  });
  // The agent's status follows the calls and is handed to the provider a platform keeps it on.
  const agent = startAgent({ router, settings, calls: phone.calls, targets, recorder: history.agent, now, log: log.scope('agent') });

  // Every domain's channels, in one place.
  registerAppHandlers(router, {
    info: () => ({ ...ports.app, dataDir: ports.dataDir }),
    notices,
    settings,
    ...(ports.chooseMusicFile && { chooseMusicFile: ports.chooseMusicFile }),
    preferencesChanged: () => {
      void mediaSettings?.apply();
      void targets.refresh(false);
      agent.preferencesChanged();
      for (const l of [...preferenceListeners]) l();
    },
    // A live provider is built on the account (the SIP line, the VoIPBIN extension): it follows it.
    // Never an unhandled rejection: a line that cannot start reports it in its own status.
    accountChanged: () =>
      void phone
        .accountChanged()
        .then(() => targets.refresh(settings.file().provider.kind !== 'configured'))
        .catch((e: unknown) => log.error('core: restarting the line after an account change failed', { error: String(e) })),
    providerChanged: () => void targets.refresh(true),
  });
  registerHistoryHandlers(router, history.reader, history.unavailable);
  // Whether calls are being recorded: read once, then pushed on every change (the header's banner).
  router.handle(contract.history.recording, () => history.recording());
  const offRecording = history.onRecording((status) => router.push(contract.history.recordingChanged, status));
  registerLineHandlers(router, phone);
  registerCallHandlers(router, phone.calls);
  registerTransferHandlers(router, transfers.service);
  registerTargetHandlers(router, targets);
  const offAudio = registerAudioHandlers(router, phone.media);
  registerAgentHandlers(router, agent);
  registerDesktopHandlers(router, () => desktop?.handlers ?? null);
  const demo = createDemoMode({
    router,
    phone,
    targets,
    history,
    account: demoLine,
    agent,
    openParties: ports.demoParties ?? null,
    log,
    now,
    ...(ports.demoTuning && { tuning: ports.demoTuning }),
  });
  registerDemoHandlers(router, demo);

  let stopped = false;
  return {
    router,
    settings,
    get history() {
      return history.repo ? history.history : null;
    },
    telephony: phone,
    transfers,
    agent,
    recording: { status: () => history.recording(), onChange: (listener) => history.onRecording(listener) },
    demo,
    notice: addNotice,
    onPreferencesChanged(listener) {
      preferenceListeners.add(listener);
      return () => void preferenceListeners.delete(listener);
    },
    attachDesktop(attached) {
      desktop = attached;
      return () => {
        if (desktop === attached) desktop = null;
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      desktop = null;
      preferenceListeners.clear();
      await demo.stop();
      transfers.stop();
      agent.stop();
      offTargets();
      await targets.stop();
      mediaSettings?.dispose();
      offAudio();
      await phone.stop();
      router.dispose();
      offRecording();
      history.stop();
    },
  };
}
