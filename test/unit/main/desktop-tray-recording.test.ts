/**
 * The tray says when calls are not being recorded, early enough in its
 * tooltip that Windows' 127-character cut never removes it.
 */
import { describe, expect, it } from 'vitest';
import { trayModel, type TrayInput } from '../../../main/desktop/tray-model';

const input = (over: Partial<TrayInput> = {}): TrayInput => ({
  line: 'registered',
  calls: [],
  agent: { status: 'available', wrapUp: null, doNotDisturb: false, quiet: false, allowedActions: ['away', 'wrap-up'] },
  windowVisible: true,
  now: 0,
  ...over,
});

describe('tray while calls are not recorded', () => {
  it('says so right after the line, and not otherwise', () => {
    expect(trayModel(input({ notRecording: true })).tooltip).toBe('Agent Console: ready for calls · calls not being recorded · available');
    expect(trayModel(input()).tooltip).not.toContain('recorded');
  });

  it('keeps it when the tooltip is cut', () => {
    const ringing = Array.from({ length: 3 }, () => ({ direction: 'incoming' as const, state: 'ringing' as const, remote: { displayName: 'x'.repeat(80), number: '2002', uri: 'sip:2002@pbx' } }));
    const tip = trayModel(input({ notRecording: true, calls: ringing, missed: 12, agent: { ...input().agent, doNotDisturb: true } })).tooltip;
    expect(tip.length).toBeLessThanOrEqual(127);
    expect(tip).toContain('calls not being recorded');
  });
});
