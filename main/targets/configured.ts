/**
 * The provider every console has: the queues and colleagues the admin
 * configured (preferences.targets), as addresses without live figures or
 * presence. It is the view until a live provider (a SIP platform's busy-lamp
 * field, VoIPBIN) is chosen, and what the agent still sees when one cannot
 * reach its platform.
 */
import type { Preferences, TargetsView } from '../../preload/contract';
import type { TargetProvider } from './provider';

/** Stable across edits of other entries: a target is known by its name. */
const idOf = (kind: 'queue' | 'colleague', name: string) => `${kind}:${name.trim().toLowerCase()}`;

export function configuredView(targets: Preferences['targets'], at: number): TargetsView {
  return {
    provider: 'configured',
    state: 'configured',
    reason: null,
    queues: targets.queues.map((q) => ({ id: idOf('queue', q.name), name: q.name, address: q.address, waiting: null, longestWaitSec: null, availableAgents: null })),
    colleagues: targets.colleagues.map((c) => ({ id: idOf('colleague', c.name), name: c.name, address: c.address, presence: 'unknown' })),
    agentStatus: null,
    updatedAt: at,
  };
}

export function createConfiguredProvider(o: { targets: () => Preferences['targets']; now: () => number }): TargetProvider & {
  /** The preferences changed: publish the new list if it differs; true when it did. */
  refresh(): boolean;
} {
  const listeners = new Set<(view: TargetsView) => void>();
  let current = configuredView(o.targets(), o.now());
  const same = (a: TargetsView, b: TargetsView) =>
    JSON.stringify([a.queues, a.colleagues]) === JSON.stringify([b.queues, b.colleagues]);
  return {
    kind: 'configured',
    view: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      const next = configuredView(o.targets(), o.now());
      if (same(current, next)) return false;
      current = next;
      for (const l of [...listeners]) l(current);
      return true;
    },
    start() {},
    async stop() {
      listeners.clear();
    },
  };
}
