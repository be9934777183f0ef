/**
 * Call notifications: the call service's alerts (a call rings, stops ringing,
 * was missed — main/calls/call/ports.ts `CallAlerts`) turned into native
 * notifications, as notification-policy.ts decides. Answer and Decline act
 * through the call service, never through the UI; a click brings the console
 * to the front. A notification is closed as soon as its call stops ringing,
 * however that happened (answered here, in the window, by a hotkey, or the
 * caller gave up).
 *
 * `electronNotifier()` is the only part that knows Electron; tests give a fake
 * Notifier (or Electron's mocked Notification) and read what was shown.
 */
import type { RemoteParty, RingVolume } from '../calls/call/machine';
import type { CallAlerts } from '../calls/call/ports';
import type { Logger } from '../logging/logger';
import { decideIncoming, decideMissed, type NotificationAction, type NotificationSpec, type NotifyEnvironment, type WindowView } from './notification-policy';

export interface NotificationHandlers {
  click(): void;
  action(id: NotificationAction): void;
  /** The notification went away (closed by the agent, or by us). */
  closed(): void;
}

/** The system's notifications, as a port. */
export interface Notifier {
  readonly supported: boolean;
  /** Notifications can carry buttons here. */
  readonly actions: boolean;
  show(spec: NotificationSpec, on: NotificationHandlers): { close(): void };
}

export interface CallNotifications extends Pick<CallAlerts, 'incoming' | 'dismiss' | 'missed'> {
  /** Notifications open now (0 once every call stopped ringing). */
  open(): number;
  dispose(): void;
}

export function createCallNotifications(o: {
  notifier: Notifier;
  window: () => WindowView;
  /** Away or do-not-disturb (main/agent/quiet.ts). */
  quiet: () => boolean;
  answer: (callId: string) => void;
  decline: (callId: string) => void;
  /** Bring the console to the front (its ringing call is on top of the call list). */
  showConsole: () => void;
  log: Logger;
}): CallNotifications {
  const shown = new Map<string, { close(): void }>();
  const env = (): NotifyEnvironment => ({ window: o.window(), quiet: o.quiet(), supported: o.notifier.supported, actions: o.notifier.actions });

  /** Acting on a call that moved on meanwhile (answered in the window) is refused by the call service; that is fine. */
  const act = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      o.log.info(`notifications: ${what} not done`, { error: String(e) });
    }
  };

  const close = (key: string) => {
    const n = shown.get(key);
    if (!n) return;
    shown.delete(key);
    n.close();
  };

  const show = (key: string, spec: NotificationSpec, on: Omit<NotificationHandlers, 'closed'>) => {
    close(key);
    let handle: { close(): void } | null = null;
    try {
      handle = o.notifier.show(spec, {
        ...on,
        closed: () => {
          if (shown.get(key) === handle) shown.delete(key);
        },
      });
    } catch (e) {
      o.log.warn('notifications: not shown', { error: String(e) });
      return;
    }
    shown.set(key, handle);
  };

  return {
    incoming(callId: string, remote: RemoteParty, volume: RingVolume) {
      const decision = decideIncoming({ remote, queue: null, waiting: volume === 'soft' }, env());
      if (!decision.show) {
        o.log.debug('notifications: incoming call not shown', { callId, why: decision.why });
        return;
      }
      show(callId, decision.spec, {
        click: () => o.showConsole(),
        action: (id) => {
          close(callId);
          if (id === 'answer') act('answer', () => o.answer(callId));
          else act('decline', () => o.decline(callId));
        },
      });
    },
    dismiss: (callId) => close(callId),
    missed(callId, remote) {
      close(callId);
      const decision = decideMissed(remote, env());
      if (decision.show) show(`missed:${callId}`, decision.spec, { click: () => o.showConsole(), action: () => {} });
    },
    open: () => shown.size,
    dispose() {
      for (const key of [...shown.keys()]) close(key);
    },
  };
}
