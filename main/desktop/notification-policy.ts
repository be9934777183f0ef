/**
 * Whether a call notification is shown, and what it holds — pure, so the
 * rules are unit tests (main/desktop/notifications.ts shows what this decides):
 *
 * - never while the console window is focused and visible: the ringing call
 *   is right there in front of the agent;
 * - never while the agent is quiet (away or do-not-disturb, main/agent/quiet.ts);
 * - never where the system has no notifications;
 * - with Answer and Decline buttons where notifications carry buttons
 *   (macOS, Windows); elsewhere clicking it brings the ringing call to the front.
 *
 * It stays silent itself: the console's own ringer is already ringing (the
 * agent's chosen device), and a second sound from the OS would only talk over it.
 */
import type { RemoteParty } from '../calls/call/machine';

export interface WindowView {
  focused: boolean;
  visible: boolean;
}

export interface NotifyEnvironment {
  window: WindowView;
  quiet: boolean;
  supported: boolean;
  /** Notifications here can carry buttons. */
  actions: boolean;
}

export type NotificationAction = 'answer' | 'decline';

export interface NotificationSpec {
  title: string;
  body: string;
  /** Buttons, in order; empty where the platform has none (a click focuses the call instead). */
  actions: { id: NotificationAction; label: string }[];
  silent: true;
  /** Stay until the call stops ringing (Windows, Linux); main closes it then. */
  sticky: boolean;
}

export type Decision = { show: true; spec: NotificationSpec } | { show: false; why: 'window-focused' | 'quiet' | 'unsupported' };

const withinLimit = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Who is calling, as the agent reads it: the name and the number, or whichever there is. */
export function callerText(remote: RemoteParty): string {
  const number = remote.number || remote.uri;
  const name = remote.displayName?.trim();
  return withinLimit(name && name !== number ? `${name} (${number})` : number, 120);
}

const suppressedBy = (env: NotifyEnvironment): Extract<Decision, { show: false }>['why'] | null => {
  if (!env.supported) return 'unsupported';
  if (env.window.focused && env.window.visible) return 'window-focused';
  if (env.quiet) return 'quiet';
  return null;
};

export function decideIncoming(
  /** `queue`: the queue the call came through, where the line knows it; `waiting`: the agent is on another call. */
  call: { remote: RemoteParty; queue: string | null; waiting: boolean },
  env: NotifyEnvironment,
): Decision {
  const why = suppressedBy(env);
  if (why) return { show: false, why };
  const lines: string[] = [];
  if (call.queue) lines.push(`Queue: ${withinLimit(call.queue, 80)}`);
  if (call.waiting) lines.push('You are on another call: answering puts it on hold.');
  if (!env.actions) lines.push('Click to open the call.');
  return {
    show: true,
    spec: {
      title: `Incoming call: ${callerText(call.remote)}`,
      body: lines.join('\n'),
      actions: env.actions
        ? [
            { id: 'answer', label: 'Answer' },
            { id: 'decline', label: 'Decline' },
          ]
        : [],
      silent: true,
      sticky: true,
    },
  };
}

/** A missed call, for an agent away from the window; quiet and a focused window suppress it like a ringing one. */
export function decideMissed(remote: RemoteParty, env: NotifyEnvironment): Decision {
  const why = suppressedBy(env);
  if (why) return { show: false, why };
  return {
    show: true,
    spec: { title: `Missed call: ${callerText(remote)}`, body: 'Click to open the console.', actions: [], silent: true, sticky: false },
  };
}
