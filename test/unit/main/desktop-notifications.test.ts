/**
 * Call notifications: the decision (notification-policy.ts, pure) — shown or
 * suppressed by the focused window, quiet (away, do-not-disturb) and platform
 * support, with Answer/Decline buttons where they exist — and the wiring
 * (notifications.ts over Electron's mocked Notification): the buttons answer
 * or decline that call through the call service, a click brings the console
 * up, and the notification goes away when the call stops ringing.
 */
import type * as Electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decideIncoming, decideMissed, type NotifyEnvironment } from '../../../main/desktop/notification-policy';
import { electronNotifier } from '../../../main/desktop/electron-notifier';
import { createCallNotifications } from '../../../main/desktop/notifications';
import { silentLogger } from '../../../main/logging/logger';

const remote = { number: '+4930123', uri: 'sip:+4930123@pbx', displayName: 'Ada Lovelace' };
const env = (over: Partial<NotifyEnvironment> = {}): NotifyEnvironment => ({
  window: { focused: false, visible: false },
  quiet: false,
  supported: true,
  actions: true,
  ...over,
});

describe('notification policy', () => {
  it('an incoming call with the window in the background: caller, queue, Answer and Decline, silent, sticky', () => {
    expect(decideIncoming({ remote, queue: 'Support', waiting: false }, env())).toEqual({
      show: true,
      spec: {
        title: 'Incoming call: Ada Lovelace (+4930123)',
        body: 'Queue: Support',
        actions: [
          { id: 'answer', label: 'Answer' },
          { id: 'decline', label: 'Decline' },
        ],
        silent: true,
        sticky: true,
      },
    });
  });

  it('without buttons (Linux) it says a click opens the call; call waiting says what answering does', () => {
    const d = decideIncoming({ remote: { ...remote, displayName: null }, queue: null, waiting: true }, env({ actions: false }));
    expect(d).toMatchObject({ show: true, spec: { title: 'Incoming call: +4930123', actions: [], body: 'You are on another call: answering puts it on hold.\nClick to open the call.' } });
  });

  it.each<[string, Partial<NotifyEnvironment>, string]>([
    ['the window is focused and visible', { window: { focused: true, visible: true } }, 'window-focused'],
    ['the agent is quiet (away or do-not-disturb)', { quiet: true }, 'quiet'],
    ['the system has no notifications', { supported: false }, 'unsupported'],
  ])('nothing while %s', (_what, over, why) => {
    expect(decideIncoming({ remote, queue: null, waiting: false }, env(over))).toEqual({ show: false, why });
    expect(decideMissed(remote, env(over))).toEqual({ show: false, why });
  });

  it('shows it when the window is visible but another program has the focus, or minimised', () => {
    expect(decideIncoming({ remote, queue: null, waiting: false }, env({ window: { focused: false, visible: true } })).show).toBe(true);
    expect(decideIncoming({ remote, queue: null, waiting: false }, env({ window: { focused: true, visible: false } })).show).toBe(true);
  });

  it('a missed call: no buttons, not sticky; a long name is cut', () => {
    const d = decideMissed({ ...remote, displayName: 'N'.repeat(500) }, env());
    expect(d).toMatchObject({ show: true, spec: { actions: [], sticky: false } });
    expect(d.show && d.spec.title.length).toBeLessThanOrEqual(140);
  });
});

describe('call notifications over Electron', () => {
  type FakeNotification = InstanceType<typeof Electron.Notification> & {
    options: { title: string; body: string; actions: { type: string; text: string }[]; silent: boolean; timeoutType: string };
    shown: boolean;
    closed: boolean;
    _emit(event: string, ...args: unknown[]): void;
  };
  let created: FakeNotification[];
  beforeEach(async () => {
    vi.clearAllMocks();
    const electron = await import('electron');
    created = (electron.Notification as unknown as { created: FakeNotification[] }).created;
    created.length = 0;
    (electron.Notification as unknown as { supported: boolean }).supported = true;
  });

  function setup(platform: NodeJS.Platform, o: { focused?: boolean; quiet?: boolean } = {}) {
    const answer = vi.fn();
    const decline = vi.fn((callId: string) => {
      if (callId === 'gone') throw new Error('not ringing any more');
    });
    const showConsole = vi.fn();
    const n = createCallNotifications({
      notifier: electronNotifier(platform, '/res/icon.png'),
      window: () => ({ focused: o.focused ?? false, visible: o.focused ?? false }),
      quiet: () => o.quiet ?? false,
      answer,
      decline,
      showConsole,
      log: silentLogger,
    });
    return { n, answer, decline, showConsole };
  }

  it.each(['darwin', 'win32'] as const)('on %s: Answer and Decline buttons act on that call through the call service', (platform) => {
    const h = setup(platform);
    h.n.incoming('a', remote, 'loud');
    const shown = created[0]!;
    expect(shown.shown).toBe(true);
    expect(shown.options).toMatchObject({ title: 'Incoming call: Ada Lovelace (+4930123)', silent: true, timeoutType: 'never', icon: '/res/icon.png' });
    expect(shown.options.actions).toEqual([
      { type: 'button', text: 'Answer' },
      { type: 'button', text: 'Decline' },
    ]);
    shown._emit('action', 0);
    expect(h.answer).toHaveBeenCalledWith('a');
    expect(shown.closed).toBe(true);
    expect(h.n.open()).toBe(0);

    h.n.incoming('b', remote, 'soft');
    created[1]!._emit('action', 1);
    expect(h.decline).toHaveBeenCalledWith('b');
  });

  it('on Linux: no buttons; clicking brings the console (with the ringing call) to the front', () => {
    const h = setup('linux');
    h.n.incoming('a', remote, 'loud');
    expect(created[0]!.options.actions).toEqual([]);
    created[0]!._emit('click');
    expect(h.showConsole).toHaveBeenCalledOnce();
    expect(h.answer).not.toHaveBeenCalled();
  });

  it('closes the notification when the call stops ringing (answered elsewhere, or the caller gave up)', () => {
    const h = setup('darwin');
    h.n.incoming('a', remote, 'loud');
    h.n.dismiss('a');
    expect(created[0]!.closed).toBe(true);
    expect(h.n.open()).toBe(0);
    h.n.incoming('b', remote, 'loud');
    h.n.missed('b', remote);
    expect(created[1]!.closed).toBe(true);
    expect(created[2]!.options.title).toBe('Missed call: Ada Lovelace (+4930123)');
    h.n.dispose();
    expect(created[2]!.closed).toBe(true);
  });

  it('a button for a call that moved on is refused by the call service without breaking anything', () => {
    const h = setup('win32');
    h.n.incoming('gone', remote, 'loud');
    expect(() => created[0]!._emit('action', 1)).not.toThrow();
  });

  it('shows nothing while the window is focused, while quiet, or without system notifications', async () => {
    setup('darwin', { focused: true }).n.incoming('a', remote, 'loud');
    setup('darwin', { quiet: true }).n.incoming('b', remote, 'loud');
    const electron = await import('electron');
    (electron.Notification as unknown as { supported: boolean }).supported = false;
    setup('darwin').n.incoming('c', remote, 'loud');
    expect(created).toHaveLength(0);
  });
});
