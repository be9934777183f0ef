/**
 * The whole core (startCore: settings, history, line, calls, transfers) in
 * plain Node over the in-memory UI transport — what the unit, integration
 * and lab tests that talk to main "as the UI" start.
 */
import { startCore, type ConsoleCore, type CorePorts } from '../../main/core/index';
import { silentLogger } from '../../main/logging/logger';
import { Listeners, type MediaHostLink } from '../../main/media/link';
import type { LineStatus } from '../../preload/contract';
import { harnessSecretStore } from '../harness/secrets';
import { fakeUiTransport, UI_URL, type FakeUiTransport } from './ui-transport';

/** What app:info reports in tests. */
export const TEST_APP: CorePorts['app'] = { name: 'Agent Console', version: '0.1.0', platform: 'linux', electron: null };

export interface TestCore {
  core: ConsoleCore;
  /** The UI side: invoke channels, read pushes. */
  ui: FakeUiTransport;
}

/**
 * Starts the core in `dataDir` with a silent log, the harness secret store and
 * TEST_APP unless `ports` says otherwise. Stop it with `core.stop()`.
 */
export async function startTestCore(ports: Partial<Omit<CorePorts, 'ui'>> & { dataDir: string }, ui = fakeUiTransport()): Promise<TestCore> {
  const core = await startCore({
    uiUrl: () => UI_URL,
    secrets: harnessSecretStore(),
    log: silentLogger,
    app: TEST_APP,
    ...ports,
    ui: ui.transport,
  });
  return { core, ui };
}

/** A media host that never answers: enough for the line to register (no call needs audio). */
export function silentMediaHost(): MediaHostLink {
  const gone = new Listeners<[string]>();
  return { post() {}, onMessage: () => () => {}, onGone: (l) => gone.add(l) };
}

/** Resolves with the first line:changed main pushed (before or after the call) that matches `pred`. */
export function untilLine(ui: FakeUiTransport, pred: (s: LineStatus) => boolean, timeoutMs = 5000): Promise<LineStatus> {
  const statuses = () => ui.pushed<LineStatus>('line:changed');
  return ui.until(() => statuses().find(pred), { timeoutMs, what: 'a line status', detail: () => `line:changed pushed: ${JSON.stringify(statuses())}` });
}
