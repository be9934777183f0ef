/**
 * Global hotkeys: which call a hotkey means (hotkey-map.ts, pure, from main's
 * own snapshots and allowedActions), and the registry (hotkeys.ts over
 * Electron's mocked globalShortcut): registered from the preferences, a
 * combination another program holds reported per action — never ignored —,
 * re-registered on change, all unregistered on dispose. The accelerator
 * grammar itself is the contract's (preload/contract/desktop.ts).
 */
import type * as Electron from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commandFor } from '../../../main/desktop/hotkey-map';
import { electronShortcuts } from '../../../main/desktop/electron-shortcuts';
import { createHotkeys } from '../../../main/desktop/hotkeys';
import { silentLogger } from '../../../main/logging/logger';
import { defaultHotkeys, hotkeysSchema, parseAccelerator, preferencesPatchSchema, type Hotkeys, type TransferSnapshot } from '../../../preload/contract';
import { callSnapshot } from '../../support/call-snapshot';

const ringing = (id: string, startedAt = 1000) => callSnapshot({ id, startedAt });
const talking = (id: string) =>
  callSnapshot({ id, state: 'established', ring: null, answeredAt: 2000, allowedActions: ['hangup', 'hold', 'mute', 'dtmf'] });
const held = (id: string, heldSince: number) =>
  callSnapshot({ id, state: 'established', ring: null, hold: { local: true, remote: false }, heldSince, allowedActions: ['hangup', 'unhold', 'swap'] });
const transfer = (callId: string, allowedActions: TransferSnapshot['allowedActions']) => ({ callId, allowedActions });

describe('what a hotkey means', () => {
  it('Answer takes the longest-ringing call; nothing ringing is nothing to do', () => {
    expect(commandFor('answer', [ringing('late', 5000), ringing('early', 1000)], [])).toEqual({ kind: 'call', action: 'answer', callId: 'early' });
    expect(commandFor('answer', [talking('t')], [])).toEqual({ kind: 'none', why: 'no call is ringing' });
  });

  it('Hang up ends the talking call, else the outgoing call still ringing out — never a ringing incoming call', () => {
    expect(commandFor('hangup', [ringing('r'), talking('t')], [])).toEqual({ kind: 'call', action: 'hangup', callId: 't' });
    const out = callSnapshot({ id: 'o', direction: 'outgoing', state: 'ringing', ring: null, allowedActions: ['hangup'] });
    expect(commandFor('hangup', [out], [])).toEqual({ kind: 'call', action: 'hangup', callId: 'o' });
    expect(commandFor('hangup', [ringing('r'), held('h', 1)], [])).toEqual({ kind: 'none', why: 'no call to hang up' });
  });

  it('the headset button answers a ringing call, else hangs up', () => {
    expect(commandFor('answerOrHangup', [talking('t'), ringing('r')], [])).toEqual({ kind: 'call', action: 'answer', callId: 'r' });
    expect(commandFor('answerOrHangup', [talking('t')], [])).toEqual({ kind: 'call', action: 'hangup', callId: 't' });
  });

  it('Hold holds the talking call or resumes the one held last; Mute toggles on the talking call', () => {
    expect(commandFor('hold', [talking('t')], [])).toEqual({ kind: 'call', action: 'hold', callId: 't' });
    expect(commandFor('hold', [held('old', 100), held('new', 900)], [])).toEqual({ kind: 'call', action: 'unhold', callId: 'new' });
    expect(commandFor('hold', [], [])).toMatchObject({ kind: 'none' });
    expect(commandFor('mute', [talking('t')], [])).toEqual({ kind: 'call', action: 'mute', callId: 't' });
    expect(commandFor('mute', [{ ...talking('t'), allowedActions: ['hangup', 'unmute'] }], [])).toEqual({ kind: 'call', action: 'unmute', callId: 't' });
  });

  it('Transfer opens the picker for the talking call only where main allows a transfer to start', () => {
    expect(commandFor('transferPicker', [talking('t')], [transfer('t', ['blind', 'attended'])])).toEqual({ kind: 'picker', callId: 't' });
    expect(commandFor('transferPicker', [talking('t')], [transfer('t', ['cancel'])])).toMatchObject({ kind: 'none' });
    expect(commandFor('transferPicker', [ringing('r')], [transfer('r', ['blind'])])).toMatchObject({ kind: 'none' });
  });

  it('Complete, Cancel and Undo act on the transfer that allows them', () => {
    const transfers = [transfer('a', ['blind']), transfer('b', ['complete', 'cancel', 'swap']), transfer('c', ['undo'])];
    expect(commandFor('completeConsult', [], transfers)).toEqual({ kind: 'transfer', intent: 'complete', callId: 'b' });
    expect(commandFor('cancelConsult', [], transfers)).toEqual({ kind: 'transfer', intent: 'cancel', callId: 'b' });
    expect(commandFor('undoTransfer', [], transfers)).toEqual({ kind: 'transfer', intent: 'undo', callId: 'c' });
    expect(commandFor('undoTransfer', [], [])).toMatchObject({ kind: 'none' });
    expect(commandFor('showWindow', [], [])).toEqual({ kind: 'show-window' });
  });
});

describe('hotkey settings (contract)', () => {
  it('writes accelerators canonically and refuses what would steal typing or the volume keys', () => {
    expect(parseAccelerator('shift+ctrl+alt+a')).toEqual({ ok: true, accelerator: 'Control+Alt+Shift+A', standalone: false });
    expect(parseAccelerator('MediaPlayPause')).toMatchObject({ ok: true, standalone: true });
    expect(parseAccelerator('F13')).toMatchObject({ ok: true, standalone: true });
    expect(parseAccelerator('A')).toMatchObject({ ok: false, message: expect.stringMatching(/Add Control, Alt, Command or Super/) });
    expect(parseAccelerator('Shift+A')).toMatchObject({ ok: false });
    expect(parseAccelerator('AltGr+Q')).toMatchObject({ ok: false });
    expect(parseAccelerator('Ctrl+VolumeUp')).toMatchObject({ ok: false, message: expect.stringMatching(/volume keys/) });
    expect(parseAccelerator('Ctrl+A+B')).toMatchObject({ ok: false });
    expect(parseAccelerator('Ctrl+Hyper+A')).toMatchObject({ ok: false, message: '"Hyper" is not a key Electron knows' });
  });

  it('refuses a hotkey two actions share, under the second one; a patch gives the whole map', () => {
    const twice = hotkeysSchema.safeParse({ ...defaultHotkeys, mute: 'ctrl+shift+alt+H', hold: 'Control+Alt+Shift+H' });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues).toEqual([expect.objectContaining({ path: ['mute'], message: 'Control+Alt+Shift+H is already the hotkey for "Hold / resume"' })]);
    expect(hotkeysSchema.safeParse({ ...defaultHotkeys, mute: '', hold: '' }).success).toBe(true);
    expect(preferencesPatchSchema.safeParse({ desktop: { hotkeys: { answer: 'Control+Alt+Q' } } }).success).toBe(false);
    expect(preferencesPatchSchema.safeParse({ desktop: { hotkeys: { ...defaultHotkeys, answer: 'Control+Alt+Q' } } }).success).toBe(true);
  });

  it('the defaults are valid, distinct and need three modifiers (or are the headset button)', () => {
    expect(hotkeysSchema.parse(defaultHotkeys)).toEqual(defaultHotkeys);
    for (const accelerator of Object.values(defaultHotkeys)) {
      expect(accelerator === 'MediaPlayPause' || /^CommandOrControl\+Alt\+Shift\+[A-Z]$/.test(accelerator), accelerator).toBe(true);
    }
  });
});

describe('the hotkey registry over Electron', () => {
  type Shortcuts = typeof Electron.globalShortcut & { _taken: Set<string>; _registered: Map<string, () => void>; _press(a: string): void };
  let shortcuts: Shortcuts;
  beforeEach(async () => {
    vi.clearAllMocks();
    shortcuts = (await import('electron')).globalShortcut as Shortcuts;
    shortcuts._taken.clear();
    shortcuts._registered.clear();
  });

  function setup(initial: Hotkeys = defaultHotkeys) {
    let hotkeys = initial;
    const run = vi.fn();
    const onChange = vi.fn();
    const registry = createHotkeys({ shortcuts: electronShortcuts(), hotkeys: () => hotkeys, run, onChange, log: silentLogger });
    return { registry, run, onChange, set: (next: Hotkeys) => (hotkeys = next) };
  }

  it('registers every hotkey of the settings; a press runs its action', () => {
    const h = setup();
    h.registry.apply();
    expect([...shortcuts._registered.keys()].sort()).toEqual(Object.values(defaultHotkeys).sort());
    expect(h.registry.statuses().every((s) => s.state === 'registered' && s.message === null)).toBe(true);
    shortcuts._press('CommandOrControl+Alt+Shift+A');
    expect(h.run).toHaveBeenCalledWith('answer');
    shortcuts._press('MediaPlayPause');
    expect(h.run).toHaveBeenLastCalledWith('answerOrHangup');
  });

  it('reports a combination another program holds next to its action, and tries it again on the next change', () => {
    shortcuts._taken.add('CommandOrControl+Alt+Shift+M');
    const h = setup();
    h.registry.apply();
    const mute = h.registry.statuses().find((s) => s.action === 'mute');
    expect(mute).toEqual({
      action: 'mute',
      accelerator: 'CommandOrControl+Alt+Shift+M',
      state: 'taken',
      message: 'CommandOrControl+Alt+Shift+M could not be registered: another program uses it (or the system reserves it). Choose another combination for "Mute / unmute".',
    });
    expect(h.onChange).toHaveBeenCalledOnce();
    shortcuts._taken.clear();
    h.registry.apply();
    expect(h.registry.statuses().find((s) => s.action === 'mute')?.state).toBe('registered');
    expect(h.onChange).toHaveBeenCalledTimes(2);
  });

  it('a changed setting frees the old combination before taking the new one; an emptied one is off', () => {
    const h = setup();
    h.registry.apply();
    h.set({ ...defaultHotkeys, answer: 'Control+Alt+Q', mute: '' });
    h.registry.apply();
    expect(shortcuts.unregister).toHaveBeenCalledWith('CommandOrControl+Alt+Shift+A');
    expect(shortcuts.unregister).toHaveBeenCalledWith('CommandOrControl+Alt+Shift+M');
    expect(shortcuts._registered.has('Control+Alt+Q')).toBe(true);
    expect(h.registry.statuses().find((s) => s.action === 'mute')).toMatchObject({ state: 'off', accelerator: '' });
    // Moving one combination from one action to another works in a single apply.
    h.set({ ...defaultHotkeys, answer: '', hangup: 'CommandOrControl+Alt+Shift+A' });
    h.registry.apply();
    shortcuts._press('CommandOrControl+Alt+Shift+A');
    expect(h.run).toHaveBeenLastCalledWith('hangup');
  });

  it('an accelerator Electron throws on is reported, not thrown', () => {
    vi.mocked(shortcuts.register).mockImplementationOnce(() => {
      throw new Error('conversion failure');
    });
    const h = setup();
    expect(() => h.registry.apply()).not.toThrow();
    expect(h.registry.statuses()[0]?.state).toBe('taken');
  });

  it('dispose unregisters everything it holds, once', () => {
    const h = setup();
    h.registry.apply();
    h.registry.dispose();
    h.registry.dispose();
    expect(shortcuts._registered.size).toBe(0);
    expect(shortcuts.unregister).toHaveBeenCalledTimes(Object.keys(defaultHotkeys).length);
    h.registry.apply();
    expect(shortcuts._registered.size).toBe(0);
  });
});
