/**
 * What the tray shows, computed from state alone: the icon, the tooltip and
 * the menu. Pure, so every combination is a unit test; main/desktop/tray.ts
 * only hands the result to Electron and routes menu clicks back by item id.
 *
 * The icon says the one thing the agent must notice first: a call ringing,
 * then a call up, then a line that cannot take calls, then a quiet agent
 * (away or do-not-disturb) or a wrap-up, else ready.
 */
import type { AgentView, CallSnapshot, LineState } from '../../preload/contract';

export const trayIcons = ['offline', 'registered', 'ringing', 'in-call', 'away', 'wrap-up'] as const;
export type TrayIcon = (typeof trayIcons)[number];

export type TrayCommand =
  | 'status:available'
  | 'status:away'
  | 'status:wrap-up'
  | 'wrap-up:extend'
  | 'wrap-up:end'
  | 'do-not-disturb'
  | 'window'
  | 'missed'
  | 'quit';

export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'normal' | 'radio' | 'checkbox'; id: TrayCommand; label: string; enabled: boolean; checked: boolean };

export interface TrayInput {
  line: LineState;
  calls: readonly Pick<CallSnapshot, 'direction' | 'state' | 'remote'>[];
  agent: Pick<AgentView, 'status' | 'wrapUp' | 'doNotDisturb' | 'quiet' | 'allowedActions'>;
  windowVisible: boolean;
  /** Missed calls the agent has not seen in the history yet. */
  missed?: number;
  /** Calls are not being written to the history (a storage fault; the window's banner says why). */
  notRecording?: boolean;
  /** For the wrap-up's time left in the tooltip. */
  now: number;
}

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

const lineWords: Record<LineState, string> = {
  unconfigured: 'no SIP account',
  connecting: 'connecting',
  registering: 'connecting',
  registered: 'ready for calls',
  reconnecting: 'reconnecting',
  failed: 'line failed',
  unregistered: 'offline',
};

const ringing = (c: TrayInput['calls'][number]) => c.direction === 'incoming' && (c.state === 'ringing' || c.state === 'early-media');
const up = (c: TrayInput['calls'][number]) => c.state !== 'ended' && !ringing(c);

const clock = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function trayIconFor(input: TrayInput): TrayIcon {
  if (input.calls.some(ringing)) return 'ringing';
  if (input.calls.some(up)) return 'in-call';
  if (input.line !== 'registered') return 'offline';
  if (input.agent.quiet) return 'away';
  if (input.agent.status === 'wrap-up') return 'wrap-up';
  return 'registered';
}

function tooltipFor(input: TrayInput): string {
  const parts = [`Agent Console: ${lineWords[input.line]}`];
  // Said early: the tooltip is cut at 127 characters, and this must not be the part cut off.
  if (input.notRecording) parts.push('calls not being recorded');
  const a = input.agent;
  if (a.status === 'away') parts.push('away');
  else if (a.status === 'wrap-up' && a.wrapUp) parts.push(`wrap-up, ${clock(a.wrapUp.endsAt - input.now)} left`);
  else parts.push('available');
  if (a.doNotDisturb) parts.push('do not disturb');
  const rings = input.calls.filter(ringing);
  const first = rings[0];
  if (first) {
    const who = first.remote.displayName ?? (first.remote.number || first.remote.uri);
    parts.push(rings.length === 1 ? `call from ${who}` : `${rings.length} calls ringing`);
  } else {
    const n = input.calls.filter(up).length;
    if (n > 0) parts.push(n === 1 ? 'on a call' : `${n} calls`);
  }
  const missed = input.missed ?? 0;
  if (missed > 0) parts.push(missed === 1 ? '1 missed call' : `${missed} missed calls`);
  // Windows cuts tray tooltips at 127 characters.
  return parts.join(' · ').slice(0, 127);
}

export function trayModel(input: TrayInput): TrayModel {
  const a = input.agent;
  const may = (action: AgentView['allowedActions'][number]) => a.allowedActions.includes(action);
  const status = (id: TrayCommand, label: string, value: AgentView['status']): TrayMenuItem => ({
    type: 'radio',
    id,
    label,
    // The current status stays enabled so the radio group shows it; choosing it again changes nothing.
    enabled: a.status === value || may(value),
    checked: a.status === value,
  });
  const menu: TrayMenuItem[] = [
    status('status:available', 'Available', 'available'),
    status('status:away', 'Away', 'away'),
    status('status:wrap-up', 'Wrap-up', 'wrap-up'),
  ];
  if (a.status === 'wrap-up') {
    menu.push(
      { type: 'normal', id: 'wrap-up:extend', label: 'Extend wrap-up', enabled: may('extend-wrap-up'), checked: false },
      { type: 'normal', id: 'wrap-up:end', label: 'End wrap-up', enabled: may('end-wrap-up'), checked: false },
    );
  }
  const missed = input.missed ?? 0;
  if (missed > 0) {
    const label = missed === 1 ? '1 missed call — show' : `${missed} missed calls — show`;
    menu.push({ type: 'separator' }, { type: 'normal', id: 'missed', label, enabled: true, checked: false });
  }
  menu.push(
    { type: 'separator' },
    { type: 'checkbox', id: 'do-not-disturb', label: 'Do not disturb', enabled: true, checked: a.doNotDisturb },
    { type: 'separator' },
    { type: 'normal', id: 'window', label: input.windowVisible ? 'Hide Agent Console' : 'Show Agent Console', enabled: true, checked: false },
    { type: 'separator' },
    { type: 'normal', id: 'quit', label: 'Quit Agent Console', enabled: true, checked: false },
  );
  return { icon: trayIconFor(input), tooltip: tooltipFor(input), menu };
}
