/**
 * The tray: its icon, tooltip and menu computed from state (tray-model.ts,
 * pure), and the Electron part (tray.ts, Electron mocked) showing exactly
 * that and routing a menu click back by item id.
 */
import type * as Electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createElectronTray } from '../../../main/desktop/tray';
import { trayModel, type TrayInput, type TrayModel } from '../../../main/desktop/tray-model';
import type { AgentView } from '../../../preload/contract';

const agent = (over: Partial<AgentView> = {}): TrayInput['agent'] => ({
  status: 'available',
  wrapUp: null,
  doNotDisturb: false,
  quiet: false,
  allowedActions: ['away', 'wrap-up'],
  ...over,
});
const call = (state: 'ringing' | 'established' | 'trying' | 'ended', direction: 'incoming' | 'outgoing' = 'incoming', name: string | null = null) => ({
  direction,
  state,
  remote: { number: '2002', uri: 'sip:2002@pbx', displayName: name },
});
const input = (over: Partial<TrayInput> = {}): TrayInput => ({ line: 'registered', calls: [], agent: agent(), windowVisible: true, now: 0, ...over });

describe('tray model', () => {
  it.each<[string, Partial<TrayInput>, string]>([
    ['registered and available', {}, 'registered'],
    ['no account', { line: 'unconfigured' }, 'offline'],
    ['line failed', { line: 'failed' }, 'offline'],
    ['reconnecting', { line: 'reconnecting' }, 'offline'],
    ['away', { agent: agent({ status: 'away', quiet: true }) }, 'away'],
    ['do not disturb', { agent: agent({ doNotDisturb: true, quiet: true }) }, 'away'],
    ['wrap-up', { agent: agent({ status: 'wrap-up', wrapUp: { startedAt: 0, endsAt: 30_000, cause: 'call-ended', extensions: 0 } }) }, 'wrap-up'],
    ['a call up', { calls: [call('established')] }, 'in-call'],
    ['dialling out', { calls: [call('trying', 'outgoing')] }, 'in-call'],
    ['a call ringing', { calls: [call('ringing')] }, 'ringing'],
    ['ringing beats a call up and away', { calls: [call('established'), call('ringing')], agent: agent({ status: 'away', quiet: true }) }, 'ringing'],
    ['a call up even while the line reconnects', { calls: [call('established')], line: 'reconnecting' }, 'in-call'],
    ['an ended call is not up', { calls: [call('ended')] }, 'registered'],
  ])('%s → %s', (_what, over, icon) => {
    expect(trayModel(input(over)).icon).toBe(icon);
  });

  it('says who is calling, the line and the agent in the tooltip, within 127 characters', () => {
    expect(trayModel(input({ calls: [call('ringing', 'incoming', 'Ada Lovelace')] })).tooltip).toBe('Agent Console: ready for calls · available · call from Ada Lovelace');
    expect(trayModel(input({ calls: [call('ringing'), call('ringing')] })).tooltip).toMatch(/2 calls ringing$/);
    expect(trayModel(input({ line: 'failed', agent: agent({ status: 'away', doNotDisturb: true, quiet: true }) })).tooltip).toBe('Agent Console: line failed · away · do not disturb');
    const wrapping = input({ now: 1000, agent: agent({ status: 'wrap-up', wrapUp: { startedAt: 0, endsAt: 76_000, cause: 'agent', extensions: 0 } }) });
    expect(trayModel(wrapping).tooltip).toBe('Agent Console: ready for calls · wrap-up, 1:15 left');
    expect(trayModel(input({ calls: [call('ringing', 'incoming', 'x'.repeat(300))] })).tooltip.length).toBeLessThanOrEqual(127);
  });

  it('offers the statuses main allows, the current one checked, wrap-up controls only in wrap-up', () => {
    const menu = trayModel(input()).menu;
    const items = (m: TrayModel['menu']) => m.flatMap((i) => (i.type === 'separator' ? [] : [i]));
    expect(items(menu).map((i) => [i.id, i.enabled, i.checked])).toEqual([
      ['status:available', true, true],
      ['status:away', true, false],
      ['status:wrap-up', true, false],
      ['do-not-disturb', true, false],
      ['window', true, false],
      ['quit', true, false],
    ]);
    const noWrapUp = trayModel(input({ agent: agent({ allowedActions: ['away'] }) })).menu;
    expect(noWrapUp.find((i) => i.type !== 'separator' && i.id === 'status:wrap-up')).toMatchObject({ enabled: false });
    const wrapping = trayModel(
      input({ agent: agent({ status: 'wrap-up', wrapUp: { startedAt: 0, endsAt: 1, cause: 'agent', extensions: 0 }, allowedActions: ['available', 'away', 'end-wrap-up'] }) }),
    ).menu;
    expect(items(wrapping).map((i) => `${i.id}:${i.enabled}`)).toEqual([
      'status:available:true',
      'status:away:true',
      'status:wrap-up:true',
      'wrap-up:extend:false',
      'wrap-up:end:true',
      'do-not-disturb:true',
      'window:true',
      'quit:true',
    ]);
  });

  it('counts missed calls the agent has not seen in the tooltip and offers to show them; nothing when there are none', () => {
    const m = trayModel(input({ missed: 3 }));
    expect(m.tooltip).toContain('3 missed calls');
    expect(m.menu).toContainEqual(expect.objectContaining({ id: 'missed', label: '3 missed calls — show', enabled: true }));
    const none = trayModel(input({ missed: 0 }));
    expect(none.tooltip).not.toContain('missed');
    expect(none.menu.some((i) => i.type !== 'separator' && i.id === 'missed')).toBe(false);
  });

  it('offers to show a hidden window and to hide a shown one; do-not-disturb is a checkbox', () => {
    const label = (visible: boolean) => trayModel(input({ windowVisible: visible })).menu.find((i) => i.type !== 'separator' && i.id === 'window');
    expect(label(true)).toMatchObject({ label: 'Hide Agent Console' });
    expect(label(false)).toMatchObject({ label: 'Show Agent Console' });
    const dnd = trayModel(input({ agent: agent({ doNotDisturb: true, quiet: true }) })).menu.find((i) => i.type !== 'separator' && i.id === 'do-not-disturb');
    expect(dnd).toMatchObject({ type: 'checkbox', checked: true });
  });
});

describe('the Electron tray', () => {
  type FakeTray = InstanceType<typeof Electron.Tray> & { image: { path: string }; tooltip: string; _click(id: string): void; _emit(e: string): void; menu: { items: unknown[] } };
  let trays: FakeTray[];
  beforeEach(async () => {
    vi.clearAllMocks();
    const electron = await import('electron');
    trays = (electron.Tray as unknown as { created: FakeTray[] }).created;
    trays.length = 0;
  });

  it('shows the model, updates only what changed, and hands clicks back by id', () => {
    const onCommand = vi.fn();
    const onClick = vi.fn();
    const view = createElectronTray({ iconDir: '/res/tray', onCommand, onClick, initial: trayModel(input()) });
    const tray = trays[0]!;
    expect(tray.image.path).toBe('/res/tray/registered.png');
    expect(tray.tooltip).toBe('Agent Console: ready for calls · available');
    expect(tray.menu.items).toHaveLength(trayModel(input()).menu.length);
    tray._click('status:away');
    expect(onCommand).toHaveBeenCalledWith('status:away');
    tray._emit('click');
    expect(onClick).toHaveBeenCalledOnce();

    vi.mocked(tray.setContextMenu).mockClear();
    view.update(trayModel(input({ calls: [call('ringing')] })));
    expect(tray.image.path).toBe('/res/tray/ringing.png');
    expect(tray.setContextMenu).not.toHaveBeenCalled(); // same menu: not rebuilt
    view.update(trayModel(input({ windowVisible: false })));
    expect(tray.setContextMenu).toHaveBeenCalledOnce();
    view.dispose();
    expect(tray.isDestroyed()).toBe(true);
    view.dispose();
    expect(tray.destroy).toHaveBeenCalledOnce();
  });
});
