/**
 * The console's keys (renderer/ui/state/shortcuts.ts, commands.ts) and the
 * calls model's guard: letters act only outside text fields, digits become
 * tones while the keypad is open, every command picks an action main allows
 * on the right call, and a double Answer sends one request.
 */
import { describe, expect, it } from 'vitest';
import type { CallSnapshot, Result } from '../../../preload/contract';
import { runCommand } from '../../../renderer/ui/state/commands';
import { ConsoleModel } from '../../../renderer/ui/state/console.svelte';
import { commandFor, isEditing } from '../../../renderer/ui/state/shortcuts';
import { callSnapshot } from '../../support/call-snapshot';
import { fakeConsoleApi } from '../../support/console-api';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const free = { editing: false, keypadOpen: false };

describe('shortcut table', () => {
  it('letters name the agent\u2019s actions outside text fields, and are text inside them', () => {
    expect(commandFor(key('a'), free)).toEqual({ type: 'answer' });
    expect(commandFor(key('H'), free)).toEqual({ type: 'hold' });
    expect(commandFor(key('t'), free)).toEqual({ type: 'transfer' });
    expect(commandFor(key('J', { shiftKey: true }), free)).toEqual({ type: 'next-call', step: -1 });
    expect(commandFor(key('a'), { ...free, editing: true })).toBeNull();
    expect(commandFor(key('a', { ctrlKey: true }), free)).toBeNull();
  });
  it('views switch with Ctrl/Cmd+1..3 even while typing', () => {
    expect(commandFor(key('2', { ctrlKey: true }), { ...free, editing: true })).toEqual({ type: 'view', view: 'history' });
    expect(commandFor(key('3', { metaKey: true }), free)).toEqual({ type: 'view', view: 'settings' });
  });
  it('digits, * and # are tones only while the keypad is open', () => {
    expect(commandFor(key('5'), { ...free, keypadOpen: true })).toEqual({ type: 'tones', tones: '5' });
    expect(commandFor(key('#'), { ...free, keypadOpen: true })).toEqual({ type: 'tones', tones: '#' });
    expect(commandFor(key('5'), free)).toBeNull();
  });
  it('text inputs are editing; buttons and checkboxes are not', () => {
    const text = document.createElement('input');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox' });
    expect(isEditing(text)).toBe(true);
    expect(isEditing(box)).toBe(false);
    expect(isEditing(document.createElement('button'))).toBe(false);
    expect(isEditing(document.createElement('textarea'))).toBe(true);
  });
});

async function consoleWith(calls: CallSnapshot[]) {
  const answers: string[] = [];
  let release: (() => void) | null = null;
  const fake = fakeConsoleApi({
    answers: {
      'calls:list': () => ({ ok: true, value: calls }),
      'transfer:list': () => ({ ok: true, value: [] }),
      'calls:answer': (p: { callId: string }) => {
        answers.push(p.callId);
        // Main answers after a while: a second press arrives meanwhile.
        return new Promise<Result<null>>((resolve) => (release = () => resolve({ ok: true, value: null })));
      },
      'calls:hold': (p: { callId: string }) => (answers.push(`hold ${p.callId}`), { ok: true, value: null }),
      'calls:dtmf': (p: { callId: string; tones: string }) => (answers.push(`dtmf ${p.callId} ${p.tones}`), { ok: true, value: null }),
    },
  });
  const model = new ConsoleModel(fake.api);
  const stop = model.start();
  await new Promise((r) => setTimeout(r, 0));
  return { model, answers, stop, release: () => release?.() };
}

describe('keyboard commands on the console model', () => {
  it('A answers the ringing call once: a second press while main answers sends nothing', async () => {
    const c = await consoleWith([callSnapshot()]);
    c.model.view = 'settings';
    expect(runCommand(c.model, { type: 'answer' })).toBe(true);
    expect(c.model.view).toBe('calls');
    runCommand(c.model, { type: 'answer' });
    c.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(c.answers).toEqual(['c1']);
    c.stop();
  });

  it('H holds the call the agent talks on; with no such call it does nothing', async () => {
    const talking = callSnapshot({ state: 'established', ring: null, allowedActions: ['hangup', 'hold', 'mute', 'dtmf'] });
    const c = await consoleWith([talking]);
    expect(runCommand(c.model, { type: 'hold' })).toBe(true);
    expect(c.answers).toEqual(['hold c1']);
    const none = await consoleWith([]);
    expect(runCommand(none.model, { type: 'hold' })).toBe(false);
    c.stop();
    none.stop();
  });

  it('K opens the keypad of the current call, and typed digits go to it as tones', async () => {
    const talking = callSnapshot({ state: 'established', ring: null, allowedActions: ['hangup', 'hold', 'dtmf'] });
    const c = await consoleWith([talking]);
    runCommand(c.model, { type: 'keypad' });
    expect(c.model.calls.keypadFor).toBe('c1');
    runCommand(c.model, { type: 'tones', tones: '7' });
    await new Promise((r) => setTimeout(r, 0));
    expect(c.answers).toEqual(['dtmf c1 7']);
    c.stop();
  });

  it('T opens the target search only for a call main lets start a transfer', async () => {
    const talking = callSnapshot({ state: 'established', ring: null, allowedActions: ['hangup', 'hold'] });
    const c = await consoleWith([talking]);
    expect(runCommand(c.model, { type: 'transfer' })).toBe(false);
    expect(c.model.picker.isOpen).toBe(false);
    c.stop();
  });

  it('the window title says who rings, from any view', async () => {
    const c = await consoleWith([callSnapshot()]);
    c.model.view = 'history';
    expect(c.model.title).toMatch(/^Ringing: Caller — /);
    c.stop();
  });
});
