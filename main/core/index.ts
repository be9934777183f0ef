/**
 * The console's core: everything main does, minus Electron. `startCore` wires
 * settings, the IPC router and (as later features land) the SIP line, call
 * service and history, to whatever implements the ports — Electron adapters in
 * the app (main/index.ts), playwright-driven Chromium in the headless harness.
 */
import { readFile } from 'node:fs/promises';
import {
  contract,
  type AppInfo,
  type Notice,
} from '../../preload/contract';
import { ConsoleError } from '../../preload/contract/result';
import { historyRecorder } from '../calls/call/history';
import { safeRecorder, startHistory, type HistoryRepository } from '../history';
import { createRouter, type Router, type UiTransport } from '../ipc/router';
import type { Logger } from '../logging/logger';
import type { MediaHostLink } from '../media/link';
import { registerAudioHandlers } from '../media/ipc';
import { checkHoldMusicTrack } from '../media/music-file';
import { syncMediaSettings, type MediaSettingsSync } from '../media/settings-sync';
import { startTelephony, type TelephonyCore, type TelephonyOptions } from './telephony';
import { startTransfers, watchCalls, type Transfers } from './transfers';
import { checkCaFile } from '../settings/ca-file';
import type { SecretStore } from '../settings/secrets';
import { openSettingsStore, type SettingsStore } from '../settings/store';

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
}

export interface ConsoleCore {
  readonly router: Router;
  readonly settings: SettingsStore;
  /** The call history (also the call service's recorder); null when it could not be opened (a notice says why). */
  readonly history: HistoryRepository | null;
  /** SIP line, call service and media client. */
  readonly telephony: TelephonyCore;
  /** Transfers (issue 5): the transfer service over the call service. */
  readonly transfers: Transfers;
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
    const notice: Notice = { id: `n${now()}-${notices.length}`, level, message, at: now() };
    notices.push(notice);
    router.push(contract.app.noticeAdded, notice);
  };
  if (settings.problem) {
    addNotice(
      'warning',
      `Your settings could not be read (${settings.problem.message}). The console started with defaults; the old file was kept as ${settings.problem.keptAs}.`,
    );
  }

  // Assigned below once history (the call recorder) is open; handlers run only after startCore returns.
  let telephony: TelephonyCore | null = null;
  // Audio devices and hold music follow the preferences, also after a media host restart.
  let mediaSettings: MediaSettingsSync | null = null;

  router.handle(contract.app.info, () => ({ ...ports.app, dataDir: ports.dataDir }));
  router.handle(contract.app.notices, () => notices);
  router.handle(contract.app.dismissNotice, (id) => {
    const i = notices.findIndex((n) => n.id === id);
    if (i >= 0) notices.splice(i, 1);
    return null;
  });

  router.handle(contract.settings.get, () => settings.view());
  router.handle(contract.settings.update, async (patch) => {
    // A hold-music file that will not play is refused here, under its field, not found out on the next hold.
    if (patch.holdMusic?.track !== undefined) await checkHoldMusicTrack(patch.holdMusic.track);
    const view = settings.updatePreferences(patch);
    router.push(contract.settings.changed, view);
    void mediaSettings?.apply();
    return view;
  });
  router.handle(contract.audio.chooseMusicFile, async () => {
    if (!ports.chooseMusicFile) throw new ConsoleError('unavailable', 'No file dialog here: type the full path of the file.');
    return ports.chooseMusicFile();
  });
  router.handle(contract.settings.saveAccount, async (input) => {
    // A CA file that will not verify anything is refused under its field; nothing is saved.
    if (input.caFile !== undefined) await checkCaFile(input.caFile);
    const view = settings.saveAccount(input);
    router.push(contract.settings.changed, view);
    void telephony?.accountChanged();
    return view;
  });
  router.handle(contract.settings.removeAccount, () => {
    const view = settings.removeAccount();
    router.push(contract.settings.changed, view);
    void telephony?.accountChanged();
    return view;
  });

  const history = startHistory({
    dataDir: ports.dataDir,
    router,
    log: log.scope('history'),
    now,
    retentionDays: () => settings.file().preferences.history.retentionDays,
    notice: addNotice,
  });

  const noRecorder = { callStarted() {}, callAnswered() {}, callEnded() {}, holdStarted() {}, holdEnded() {} };
  // Transfers watch calls:changed and see calls:hangup first (hanging up a consult completes it).
  const callsWatch = watchCalls(router);
  telephony = startTelephony({
    router: callsWatch.router,
    settings,
    media: ports.media,
    recorder: history.repo
      ? historyRecorder(safeRecorder(history.repo, log.scope('history')), () => settings.file().account?.sipUri ?? '')
      : noRecorder,
    log,
    now,
    notice: addNotice,
    ...(ports.sip && { line: ports.sip }),
  });
  const phone = telephony;
  mediaSettings = phone.media
    ? syncMediaSettings({
        client: phone.media,
        preferences: () => settings.file().preferences,
        readFile: (path) => readFile(path),
        notice: addNotice,
        log: log.scope('media'),
      })
    : null;
  const offAudio = registerAudioHandlers(router, phone.media);
  const transfers = startTransfers({
    router,
    watch: callsWatch,
    calls: phone.calls,
    media: phone.media,
    settings,
    recorder: history.repo ? safeRecorder(history.repo, log.scope('history')) : null,
    domain: () => phone.line()?.domain() ?? null,
    now,
    log: log.scope('transfer'),
    notice: (message) => addNotice('info', message),
  });

  let stopped = false;
  return {
    router,
    settings,
    history: history.repo,
    telephony: phone,
    transfers,
    async stop() {
      if (stopped) return;
      stopped = true;
      transfers.stop();
      mediaSettings?.dispose();
      offAudio();
      await phone.stop();
      router.dispose();
      history.stop();
    },
  };
}
