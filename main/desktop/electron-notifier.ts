/**
 * The Notifier port (notifications.ts) over Electron's Notification — the only
 * part of call notifications that needs Electron, kept apart so the shell and
 * its policy run in plain Node (tests, harness, lab).
 */
import { Notification } from 'electron';
import type { Notifier } from './notifications';

/**
 * Electron's notifications. Buttons exist on macOS and Windows
 * (https://www.electronjs.org/docs/latest/api/structures/notification-action);
 * on macOS only for a signed app whose alert style is `alert`
 * (NSUserNotificationAlertStyle in electron-builder.yml).
 */
export function electronNotifier(platform: NodeJS.Platform = process.platform, icon?: string): Notifier {
  const supported = Notification.isSupported();
  return {
    supported,
    actions: supported && (platform === 'darwin' || platform === 'win32'),
    show(spec, on) {
      const n = new Notification({
        title: spec.title,
        body: spec.body,
        silent: spec.silent,
        actions: spec.actions.map((a) => ({ type: 'button' as const, text: a.label })),
        // A ringing call stays on screen until it stops ringing (we close it); Linux shows it as urgent.
        timeoutType: spec.sticky ? 'never' : 'default',
        urgency: spec.sticky ? 'critical' : 'normal',
        ...(icon && { icon }),
      });
      n.on('click', () => on.click());
      n.on('action', (_event, index) => {
        const action = spec.actions[index];
        if (action) on.action(action.id);
      });
      n.on('close', () => on.closed());
      n.show();
      // The handle keeps the Notification referenced: a collected one no longer reports clicks.
      return { close: () => n.close() };
    },
  };
}
