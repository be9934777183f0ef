/**
 * The console's core: everything main does, minus Electron. `startCore` wires
 * settings, the IPC router and (as later features land) the SIP line, call
 * service and history, to whatever implements the ports — Electron adapters in
 * the app (main/index.ts), playwright-driven Chromium in the headless harness.
 */
import {
  contract,
  type AppInfo,
  type LineStatus,
  type Notice,
} from '../preload/contract';
import { startHistory, type HistoryRepository } from './history';
import { createRouter, type Router, type UiTransport } from './ipc/router';
import type { Logger } from './logging/logger';
import type { SecretStore } from './settings/secrets';
import { openSettingsStore, type SettingsStore } from './settings/store';

export interface CorePorts {
  ui: UiTransport;
  /** URL of the UI page as loaded; the router trusts only its origin/file. */
  uiUrl: () => string;
  secrets: SecretStore;
  dataDir: string;
  log: Logger;
  app: Omit<AppInfo, 'dataDir'>;
  now?: () => number;
}

export interface ConsoleCore {
  readonly router: Router;
  readonly settings: SettingsStore;
  /** The call history (also the call service's recorder); null when it could not be opened (a notice says why). */
  readonly history: HistoryRepository | null;
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

  // Until the SIP line lands (telephony issue) the line only reflects configuration.
  let lineStatus: LineStatus = {
    state: settings.view().account ? 'unregistered' : 'unconfigured',
    aor: settings.view().account?.sipUri ?? null,
    reason: null,
    since: now(),
  };
  const setLine = (next: Omit<LineStatus, 'since'>) => {
    lineStatus = { ...next, since: now() };
    router.push(contract.line.changed, lineStatus);
  };

  router.handle(contract.app.info, () => ({ ...ports.app, dataDir: ports.dataDir }));
  router.handle(contract.app.notices, () => notices);
  router.handle(contract.app.dismissNotice, (id) => {
    const i = notices.findIndex((n) => n.id === id);
    if (i >= 0) notices.splice(i, 1);
    return null;
  });

  router.handle(contract.settings.get, () => settings.view());
  router.handle(contract.settings.update, (patch) => {
    const view = settings.updatePreferences(patch);
    router.push(contract.settings.changed, view);
    return view;
  });
  router.handle(contract.settings.saveAccount, (input) => {
    const view = settings.saveAccount(input);
    router.push(contract.settings.changed, view);
    setLine({ state: 'unregistered', aor: view.account?.sipUri ?? null, reason: null });
    return view;
  });
  router.handle(contract.settings.removeAccount, () => {
    const view = settings.removeAccount();
    router.push(contract.settings.changed, view);
    setLine({ state: 'unconfigured', aor: null, reason: null });
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

  router.handle(contract.line.status, () => lineStatus);
  router.handle(contract.line.reconnect, () => lineStatus);

  let stopped = false;
  return {
    router,
    settings,
    history: history.repo,
    async stop() {
      if (stopped) return;
      stopped = true;
      router.dispose();
      history.stop();
    },
  };
}
