/**
 * Transfer targets assembled: the provider the settings choose (the
 * configured list by default), its view published as targets:changed, and —
 * when the provider carries transfers out itself — its transfer backend in
 * place of the SIP one. Switching providers stops the old one first; the
 * transfer service keeps one backend object that forwards to the current
 * choice, so nothing above it changes. A provider that cannot start leaves
 * the configured list in place and says why in the view.
 */
import { ConsoleError, type AgentStatus, type ProviderKind, type TargetsView } from '../../preload/contract';
import type { TransferBackend } from '../calls/transfer/backend';
import type { Logger } from '../logging/logger';
import { createConfiguredProvider } from '../targets/configured';
import type { TargetProvider } from '../targets/provider';
import type { SettingsStore } from '../settings/store';

/** Builds the live provider of a kind (sip, voipbin); null when it cannot be built now (the view says why). */
/** The providers the settings can choose (the demo's is put in place by the demo itself, not chosen). */
export type ProviderFactory = (kind: Exclude<ProviderKind, 'configured' | 'demo'>) => TargetProvider | { unavailable: string };

export interface Targets {
  view(): TargetsView;
  onChange(listener: (view: TargetsView) => void): () => void;
  setAgentStatus(status: AgentStatus): Promise<void>;
  /** The backend transfers go through: the provider's own, else SIP. */
  readonly backend: TransferBackend;
  /** The preferences changed (`provider`: false) or the provider's settings did (true: restart it). */
  refresh(provider: boolean): Promise<void>;
  /** The demo's provider (main/demo/) in place of the one the settings choose, while it runs; null gives theirs back. */
  override(provider: TargetProvider | null): Promise<void>;
  stop(): Promise<void>;
}

export function startTargets(o: {
  settings: SettingsStore;
  sipBackend: TransferBackend;
  factory: ProviderFactory;
  now: () => number;
  log: Logger;
}): Targets {
  const configured = createConfiguredProvider({ targets: () => o.settings.file().preferences.targets, now: o.now });
  const listeners = new Set<(view: TargetsView) => void>();
  let live: TargetProvider | null = null;
  let offLive: (() => void) | null = null;
  let unavailable: { kind: ProviderKind; reason: string } | null = null;
  /** The demo's provider while the demo runs: it wins over the settings' choice. */
  let override: TargetProvider | null = null;
  /** A refresh that arrives after stop (a line restart finishing late) starts nothing. */
  let stopped = false;

  const view = (): TargetsView => {
    if (live) return live.view();
    const v = configured.view();
    return unavailable ? { ...v, provider: unavailable.kind, state: 'failed', reason: unavailable.reason } : v;
  };
  const publish = () => {
    const v = view();
    for (const l of [...listeners]) l(v);
  };
  configured.onChange(() => {
    if (!live) publish();
  });

  const backendNow = () => live?.transferBackend ?? o.sipBackend;
  // One object for the transfer service's whole life; each call goes to the current choice.
  const backend: TransferBackend = {
    get capabilities() {
      return backendNow().capabilities;
    },
    handOver: (callId, referTo, report) => backendNow().handOver(callId, referTo, report),
    dialog: (callId) => backendNow().dialog(callId),
    onIncomingRequest(listener) {
      // Only SIP sends us REFERs; a platform backend never does.
      return o.sipBackend.onIncomingRequest(listener);
    },
    reportIncoming: (id, code) => o.sipBackend.reportIncoming(id, code),
    refuseIncoming: (id, code) => o.sipBackend.refuseIncoming(id, code),
    dispose: () => o.sipBackend.dispose(),
  };

  const stopLive = async () => {
    const was = live;
    live = null;
    offLive?.();
    offLive = null;
    if (was) await was.stop();
  };

  const choose = async (restart: boolean) => {
    if (stopped) return;
    const kind = o.settings.file().provider.kind;
    if (!restart && (live?.kind ?? 'configured') === kind && unavailable === null) return;
    // While the demo runs its provider stays; the settings' choice waits for the demo to end.
    if (override && live === override) return;
    const before = JSON.stringify(view());
    await stopLive();
    unavailable = null;
    if (stopped) return;
    if (override) {
      live = override;
      offLive = override.onChange(() => publish());
      override.start();
    } else if (kind !== 'configured') {
      const made = o.factory(kind);
      if ('unavailable' in made) {
        unavailable = { kind, reason: made.unavailable };
        o.log.warn('targets: provider not started', { kind, reason: made.unavailable });
      } else {
        live = made;
        offLive = made.onChange(() => publish());
        made.start();
      }
    }
    // Only news is pushed: starting on the configured list, or restarting to the same view, says nothing.
    if (JSON.stringify(view()) !== before) publish();
  };
  void choose(true);

  return {
    view,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async setAgentStatus(status) {
      if (!live?.setAgentStatus) throw new ConsoleError('not-allowed', 'Your status is kept by a platform provider (VoIPBIN); the configured list and SIP presence keep none.');
      try {
        await live.setAgentStatus(status);
      } catch (e) {
        // The platform's own words (its role, its reachability) are what the agent can act on.
        throw e instanceof ConsoleError ? e : new ConsoleError('unavailable', `Your status could not be set: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    backend,
    async override(provider) {
      override = provider;
      await choose(true);
    },
    async refresh(provider) {
      // A live SIP provider watches the configured colleagues: a changed list restarts it.
      const listChanged = configured.refresh();
      await choose(provider || (listChanged && live?.kind === 'sip'));
    },
    async stop() {
      stopped = true;
      listeners.clear();
      await stopLive();
      await configured.stop();
    },
  };
}
