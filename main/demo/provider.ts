/**
 * The demo as a targets provider (main/targets/provider.ts): the Support
 * queue with its live figures — callers waiting, the longest wait, free
 * agents — read from the switchboard's queue, and the four colleagues with
 * live presence: offline until their phone registered, away when the
 * director sent them from their desk, ringing or busy from the calls the
 * switchboard sees, available otherwise. Transfers go over SIP REFER through
 * the console's line like on any PBX (no transfer backend of its own).
 */
import type { ColleagueInfo, Presence, TargetsView } from '../../preload/contract/targets';
import type { TargetProvider } from '../targets/provider';
import type { Director } from './director';
import { SUPPORT_QUEUE } from './roster';
import type { Switchboard } from './switchboard';

/** The provider kind the view reports: the demo's own, so the panel can say whose figures these are. */
const KIND = 'demo' as const;

export function createDemoProvider(o: { switchboard: Switchboard; director: Director; now: () => number }): TargetProvider {
  const listeners = new Set<(view: TargetsView) => void>();
  const offs: Array<() => void> = [];
  let ticker: ReturnType<typeof setInterval> | null = null;
  let last = '';
  let current: TargetsView | null = null;

  const presence = (user: string, away: boolean, registered: boolean): Presence => {
    const proxy = o.switchboard.proxy;
    if (!registered || !proxy.registrar.isRegistered(user, o.now())) return 'offline';
    const activity = proxy.dialogs.activity().get(user);
    if (activity) return activity;
    return away ? 'away' : 'available';
  };

  const build = (): TargetsView => {
    const proxy = o.switchboard.proxy;
    const figures = proxy.queue.figures(o.now(), (u) => proxy.isFree(u));
    const colleagues: ColleagueInfo[] = o.director.colleagues().map(({ colleague, away, registered }) => ({
      id: `colleague:${colleague.id}`,
      name: colleague.name,
      address: colleague.user,
      presence: presence(colleague.user, away, registered),
    }));
    return {
      provider: KIND,
      state: 'live',
      reason: null,
      queues: [{ id: 'queue:support', name: SUPPORT_QUEUE.name, address: SUPPORT_QUEUE.user, ...figures }],
      colleagues,
      agentStatus: null,
      updatedAt: o.now(),
    };
  };

  /** Publishes only news: the same view again (but for its time) says nothing. */
  const publish = () => {
    const next = build();
    const key = JSON.stringify({ ...next, updatedAt: 0 });
    if (key === last) return;
    last = key;
    current = next;
    for (const l of [...listeners]) l(next);
  };

  return {
    kind: KIND,
    view: () => current ?? build(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (offs.length > 0) return;
      offs.push(o.switchboard.onChange(publish), o.director.onChange(publish));
      // The longest wait grows by itself while callers wait: read it again every second.
      ticker = setInterval(publish, 1000);
      ticker.unref?.();
      publish();
    },
    async stop() {
      for (const off of offs.splice(0)) off();
      if (ticker) clearInterval(ticker);
      ticker = null;
      listeners.clear();
    },
  };
}
