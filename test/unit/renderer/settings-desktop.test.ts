/**
 * The Desktop settings section against a fake consoleApi: a hotkey captured
 * from the keyboard and saved as the whole map in main's accelerator syntax,
 * Esc keeping the hotkey in force, Backspace removing it, main's registration
 * status beside each field (a taken one as a problem to act on), main's field
 * error under the field, start at login with what the system did, the
 * diagnostics export with its path and "Show in folder" — and, where no
 * desktop shell answers, "Only in the installed app" instead of an error.
 * The key reading itself (hotkey-capture.ts) is checked case by case first.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { DesktopState, HotkeyAction, PreferencesPatch, Result, SettingsView } from '../../../preload/contract';
import SettingsView_ from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { locale } from '../../../renderer/ui/i18n/index.svelte';
import { acceleratorLabel } from '../../../renderer/ui/state/desktop-settings.svelte';
import { captureKey, type KeyPress } from '../../../renderer/ui/state/hotkey-capture';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle, type Answer } from '../../support/console-api';

const press = (over: Partial<KeyPress>): KeyPress => ({ key: '', code: '', ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...over });

describe('reading a key combination', () => {
  it('writes Control (Command on a Mac) as CommandOrControl, modifiers in main’s order', () => {
    expect(captureKey(press({ key: 'A', code: 'KeyA', ctrlKey: true, altKey: true, shiftKey: true }), false)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Alt+Shift+A',
    });
    expect(captureKey(press({ key: 'a', code: 'KeyA', metaKey: true, altKey: true, shiftKey: true }), true)).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Alt+Shift+A',
    });
    // The other key keeps its own name: Control on a Mac, Super (the Windows key) elsewhere.
    expect(captureKey(press({ key: 'k', code: 'KeyK', ctrlKey: true, metaKey: true }), true)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Control+K' });
    expect(captureKey(press({ key: 'k', code: 'KeyK', ctrlKey: true, metaKey: true }), false)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Super+K' });
  });

  it('takes the letter the layout prints, and the key’s place when a modifier changed the character', () => {
    // A German keyboard: the key where a US keyboard has Y types Z.
    expect(captureKey(press({ key: 'z', code: 'KeyY', ctrlKey: true, altKey: true }), false)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+Z' });
    // Option+A types å on a Mac; Shift+1 types !.
    expect(captureKey(press({ key: 'å', code: 'KeyA', altKey: true, metaKey: true }), true)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+A' });
    expect(captureKey(press({ key: '!', code: 'Digit1', ctrlKey: true, shiftKey: true }), false)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Shift+1' });
    expect(captureKey(press({ key: '+', code: 'Equal', ctrlKey: true, shiftKey: true }), false)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Shift+Plus' });
  });

  it('names Electron’s keys: Return, arrows, F keys, the keypad, media keys', () => {
    const with_ = (key: string, code = '') => captureKey(press({ key, code, ctrlKey: true, altKey: true }), false);
    expect(with_('Enter', 'Enter')).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+Return' });
    expect(with_('ArrowUp', 'ArrowUp')).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+Up' });
    expect(with_('F9', 'F9')).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+F9' });
    expect(with_('5', 'Numpad5')).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+num5' });
    expect(with_(' ', 'Space')).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+Space' });
    // A headset button and F13–F24 need no modifier: no typing uses them.
    expect(captureKey(press({ key: 'MediaPlayPause', code: 'MediaPlayPause' }), false)).toEqual({ kind: 'accelerator', accelerator: 'MediaPlayPause' });
    expect(captureKey(press({ key: 'F13', code: 'F13' }), false)).toEqual({ kind: 'accelerator', accelerator: 'F13' });
  });

  it('Esc cancels, Backspace and Delete clear, Tab passes, a lone key asks for a modifier, a modifier alone waits', () => {
    expect(captureKey(press({ key: 'Escape', code: 'Escape' }), false)).toEqual({ kind: 'cancel' });
    expect(captureKey(press({ key: 'Backspace', code: 'Backspace' }), false)).toEqual({ kind: 'clear' });
    expect(captureKey(press({ key: 'Delete', code: 'Delete' }), false)).toEqual({ kind: 'clear' });
    expect(captureKey(press({ key: 'Tab', code: 'Tab' }), false)).toEqual({ kind: 'pass' });
    expect(captureKey(press({ key: 'Tab', code: 'Tab', shiftKey: true }), false)).toEqual({ kind: 'pass' });
    expect(captureKey(press({ key: 'a', code: 'KeyA' }), false)).toEqual({ kind: 'needs-modifier' });
    expect(captureKey(press({ key: 'Control', code: 'ControlLeft', ctrlKey: true }), false)).toEqual({ kind: 'pending', modifiers: ['CommandOrControl'] });
    expect(captureKey(press({ key: 'Shift', code: 'ShiftLeft', ctrlKey: true, shiftKey: true }), false)).toEqual({ kind: 'pending', modifiers: ['CommandOrControl', 'Shift'] });
    // With modifiers, Escape and Backspace are keys like any other.
    expect(captureKey(press({ key: 'Escape', code: 'Escape', ctrlKey: true, altKey: true }), false)).toEqual({ kind: 'accelerator', accelerator: 'CommandOrControl+Alt+Escape' });
    expect(captureKey(press({ key: 'AudioVolumeUp', code: 'AudioVolumeUp', ctrlKey: true }), false)).toEqual({ kind: 'unknown' });
  });

  it('shows a combination in the keyboard’s own words, in the agent’s language', () => {
    expect(acceleratorLabel('CommandOrControl+Alt+Shift+A', false)).toBe('Ctrl+Alt+Shift+A');
    expect(acceleratorLabel('CommandOrControl+Alt+Shift+A', true)).toBe('Cmd+Option+Shift+A');
    expect(acceleratorLabel('MediaPlayPause', false)).toBe('Play/Pause');
    expect(acceleratorLabel('CommandOrControl+num5', false)).toBe('Ctrl+Num 5');
    expect(acceleratorLabel('', false)).toBe('');
    locale.choice = 'de';
    try {
      expect(acceleratorLabel('CommandOrControl+Alt+Shift+Delete', false)).toBe('Strg+Alt+Umschalt+Entf');
    } finally {
      locale.choice = 'system';
    }
  });
});

// ─── the section ────────────────────────────────────────────────────────────

const actions: HotkeyAction[] = ['answer', 'hangup', 'answerOrHangup', 'hold', 'mute', 'transferPicker', 'completeConsult', 'cancelConsult', 'undoTransfer', 'showWindow'];

/** Main's desktop state for these hotkeys, every one registered unless `over` says otherwise. */
function desktopState(hotkeys: Record<HotkeyAction, string>, over: Partial<Record<HotkeyAction, { state: 'taken' | 'unsupported'; message: string }>> = {}): DesktopState {
  return {
    hotkeys: actions.map((action) => {
      const accelerator = hotkeys[action];
      const o = over[action];
      if (o) return { action, accelerator, state: o.state, message: o.message };
      return { action, accelerator, state: accelerator === '' ? 'off' : 'registered', message: null };
    }),
    autoStart: { state: 'off', message: null },
    notifications: { supported: true, actions: false },
  };
}

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/**
 * The settings view over a fake main. `installed` makes desktop:state answer
 * from the saved hotkeys (as the shell does after each save); without it the
 * desktop channels answer `unavailable`, as in the harness.
 */
async function open(options: { preferences?: SettingsView['preferences']; installed?: boolean; taken?: Partial<Record<HotkeyAction, string>>; answers?: Record<string, Answer> } = {}) {
  // The answers read the fake's settings when asked, after it exists.
  const answers: Record<string, Answer> = {
    ...(options.installed
      ? {
          'desktop:state': (): Result<DesktopState> => ({
            ok: true,
            value: desktopState(
              fake.settings.preferences.desktop.hotkeys,
              Object.fromEntries(
                Object.entries(options.taken ?? {})
                  .filter(([a]) => fake.settings.preferences.desktop.hotkeys[a as HotkeyAction] !== '')
                  .map(([a, message]) => [a, { state: 'taken' as const, message }]),
              ),
            ),
          }),
        }
      : {}),
    ...options.answers,
  };
  const fake = fakeConsoleApi({ preferences: options.preferences ?? basePreferences, answers });
  const models = new SettingsModels(fake.api);
  stops.push(models.start());
  render(SettingsView_, { models });
  await settle();
  return { ...fake, models };
}

const section = () => within(screen.getByRole('region', { name: 'Desktop' }));
const hotkeyField = (name: string) => section().getByRole('textbox', { name }) as HTMLInputElement;
/** Everything the field's aria-describedby names, in order. */
const described = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? `<missing #${id}>`)
    .join(' | ');
const statusOf = (action: HotkeyAction) => document.getElementById(`hotkey-${action}-status`)?.textContent?.replace(/\s+/g, ' ').trim();
const confirmation = () => section().getAllByRole('status')[0]!.textContent?.trim() ?? '';

async function keys(el: HTMLElement, init: Partial<KeyPress> & { repeat?: boolean }) {
  const notPrevented = await fireEvent.keyDown(el, init);
  await settle();
  return notPrevented;
}
const ctrlAltShift = (letter: string) => ({ key: letter, code: `Key${letter.toUpperCase()}`, ctrlKey: true, altKey: true, shiftKey: true });

const withAnswer = (answer: string): SettingsView['preferences'] => ({
  ...basePreferences,
  desktop: { ...basePreferences.desktop, hotkeys: { ...basePreferences.desktop.hotkeys, answer } },
});

describe('global hotkeys in the settings', () => {
  it('lists every action with its combination in the keyboard’s words and main’s status beside it', async () => {
    await open({ installed: true });
    const rows = section().getByRole('list', { name: 'Hotkeys by action' }).querySelectorAll('li');
    expect(rows).toHaveLength(10);
    expect(hotkeyField('Answer').value).toBe('Ctrl+Alt+Shift+A');
    expect(hotkeyField('Answer or hang up').value).toBe('Play/Pause');
    expect(statusOf('answer')).toBe('Works');
    expect(described(hotkeyField('Answer'))).toMatch(/^Works \| Focus a field and press the new combination/);
  });

  it('captures Ctrl+Alt+Shift+A as CommandOrControl+Alt+Shift+A and saves the whole map', async () => {
    const { raw } = await open({ installed: true, preferences: withAnswer('F13') });
    const field = hotkeyField('Answer');
    expect(field.value).toBe('F13');
    field.focus();
    // Modifiers first: the field shows them while the agent looks for the key; nothing is saved.
    expect(await keys(field, { key: 'Control', code: 'ControlLeft', ctrlKey: true })).toBe(false);
    expect(field.value).toBe('Ctrl+…');
    await keys(field, { key: 'Alt', code: 'AltLeft', ctrlKey: true, altKey: true });
    expect(field.value).toBe('Ctrl+Alt+…');
    expect(raw.settings.update).not.toHaveBeenCalled();

    await keys(field, ctrlAltShift('A'));
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(raw.settings.update).toHaveBeenCalledWith({
      desktop: { hotkeys: { ...basePreferences.desktop.hotkeys, answer: 'CommandOrControl+Alt+Shift+A' } },
    } satisfies PreferencesPatch);
    expect(field.value).toBe('Ctrl+Alt+Shift+A');
    expect(statusOf('answer')).toBe('Works');
    expect(confirmation()).toBe('✓ Answer: Ctrl+Alt+Shift+A');
    // A held key repeats: one combination is one save.
    await keys(field, { ...ctrlAltShift('B'), repeat: true });
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
  });

  it('Esc keeps the hotkey in force: held modifiers and a refused combination are forgotten, nothing saved', async () => {
    const refusal = 'Add Control, Alt, Command or Super: a global hotkey without one would take that key from every other program';
    const { raw } = await open({
      installed: true,
      answers: {
        'settings:update': () => ({ ok: false, code: 'invalid-request', message: 'desktop.hotkeys.answer: refused', fields: { 'desktop.hotkeys.answer': refusal } }),
      },
    });
    const field = hotkeyField('Answer');
    await keys(field, { key: 'Control', code: 'ControlLeft', ctrlKey: true });
    expect(await keys(field, { key: 'Escape', code: 'Escape', ctrlKey: false })).toBe(false);
    expect(field.value).toBe('Ctrl+Alt+Shift+A');
    expect(raw.settings.update).not.toHaveBeenCalled();

    // Main refuses Shift+A: its words under the field, the combination kept to correct.
    await keys(field, { key: 'A', code: 'KeyA', shiftKey: true });
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(field.value).toBe('Shift+A');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('hotkey-answer-error')?.textContent).toContain(refusal);
    expect(described(field)).toContain(refusal);

    await keys(field, { key: 'Escape', code: 'Escape' });
    expect(field.value).toBe('Ctrl+Alt+Shift+A');
    expect(field.getAttribute('aria-invalid')).toBeNull();
    expect(document.getElementById('hotkey-answer-error')).toBeNull();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(confirmation()).toBe('✓ Answer: unchanged');
  });

  it('Backspace removes the hotkey: saved as none, the status says so', async () => {
    const { raw, settings } = await open({ installed: true });
    const field = hotkeyField('Hold / resume');
    await keys(field, { key: 'Backspace', code: 'Backspace' });
    expect(raw.settings.update).toHaveBeenCalledWith({ desktop: { hotkeys: { ...basePreferences.desktop.hotkeys, hold: '' } } });
    expect(settings.preferences.desktop.hotkeys.hold).toBe('');
    expect(field.value).toBe('');
    expect(statusOf('hold')).toBe('No hotkey');
    expect(confirmation()).toBe('✓ Hold / resume: no hotkey');
  });

  it('shows a taken combination as a problem with main’s reason, next to its field, and says so politely', async () => {
    const reason = 'Another program holds Control+Alt+Shift+J.';
    await open({ installed: true, preferences: withAnswer('F14'), taken: { answer: reason } });
    const field = hotkeyField('Answer');
    // F14 itself is "taken" here too (the fake refuses whatever answer holds).
    expect(statusOf('answer')).toContain(reason);
    await keys(field, ctrlAltShift('J'));
    expect(statusOf('answer')).toBe(`Taken by another program: press another combination ${reason}`);
    expect(document.getElementById('hotkey-answer-status')?.className).toContain('tone-problem');
    expect(described(field)).toContain(reason);
    expect(section().getAllByRole('status').map((s) => s.textContent?.trim())).toContain(
      'Answer: Ctrl+Alt+Shift+J is taken by another program. Press another combination.',
    );
    // The others still work.
    expect(statusOf('hangup')).toBe('Works');
  });

  it('follows desktop:changed pushes, and never shows an old status for a new combination', async () => {
    const fake = await open({ installed: true });
    await fake.emit('desktop:changed', desktopState(basePreferences.desktop.hotkeys, { mute: { state: 'taken', message: 'Held by the screen recorder.' } }));
    expect(statusOf('mute')).toContain('Held by the screen recorder.');
    // A state about another combination than the saved one: still being checked.
    await fake.emit('desktop:changed', desktopState({ ...basePreferences.desktop.hotkeys, mute: 'CommandOrControl+Alt+Shift+9' }));
    expect(statusOf('mute')).toBe('Checking…');
  });

  it('refuses a combination another action already has, under the field the agent is in, without asking main', async () => {
    const { raw } = await open({ installed: true });
    const field = hotkeyField('Answer');
    await keys(field, ctrlAltShift('E'));
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(field.value).toBe('Ctrl+Alt+Shift+E');
    expect(document.getElementById('hotkey-answer-error')?.textContent).toContain('Ctrl+Alt+Shift+E is already the hotkey for “Hang up”.');
    expect(hotkeyField('Hang up').getAttribute('aria-invalid')).toBeNull();
  });

  it('asks for a modifier when a lone key is pressed, lets Tab move on, and keeps typing out of the field', async () => {
    const { raw } = await open({ installed: true });
    const field = hotkeyField('Mute / unmute');
    expect(await keys(field, { key: 'm', code: 'KeyM' })).toBe(false);
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(described(field)).toMatch(/^Hold Ctrl, Alt or another modifier while you press the key\./);
    expect(field.value).toBe('Ctrl+Alt+Shift+M');
    expect(await keys(field, { key: 'Tab', code: 'Tab' })).toBe(true);
  });
});

describe('start at login and diagnostics', () => {
  it('saves start at login and shows what the system did', async () => {
    let autoStart: DesktopState['autoStart'] = { state: 'off', message: null };
    const { raw } = await open({
      answers: {
        'desktop:state': () => ({ ok: true, value: { ...desktopState(basePreferences.desktop.hotkeys), autoStart } }),
      },
    });
    const login = section().getByRole('switch', { name: 'Start the console when I log in' }) as HTMLInputElement;
    expect(login.checked).toBe(false);
    expect(screen.getByTestId('autostart-state').textContent).toContain('does not start the console at login');
    autoStart = { state: 'failed', message: 'The autostart folder is read-only.' };
    await fireEvent.click(login);
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ desktop: { openAtLogin: true } });
    expect(login.checked).toBe(true);
    expect(screen.getByTestId('autostart-state').textContent).toMatch(/could not be set.*The autostart folder is read-only\./s);
  });

  it('exports the diagnostics, shows where the zip was written, and shows it in its folder', async () => {
    const path = '/home/agent/Downloads/agent-console-diagnostics-2026-11-29T10-00-00.zip';
    const { raw } = await open({
      installed: true,
      answers: {
        'desktop:export-diagnostics': () => ({
          ok: true,
          value: { path, bytes: 20_480, entries: ['README.txt', 'versions.json', 'settings.json', 'state.json', 'logs/console.log', 'sip-trace.txt'] },
        }),
        'desktop:show-diagnostics': () => ({ ok: true, value: null }),
      },
    });
    expect(section().queryByRole('button', { name: 'Show in folder' })).toBeNull();
    await fireEvent.click(section().getByRole('button', { name: 'Export diagnostics' }));
    await settle();
    expect(raw.desktop.exportDiagnostics).toHaveBeenCalledTimes(1);
    const outcome = section().getAllByRole('status').find((s) => s.textContent?.includes('Written to'));
    expect(outcome?.textContent?.replace(/\s+/g, ' ').trim()).toBe(`Written to ${path} (20 kB · 6 files)`);
    await fireEvent.click(section().getByRole('button', { name: 'Show in folder' }));
    await settle();
    expect(raw.desktop.showDiagnostics).toHaveBeenCalledTimes(1);
    expect(section().queryByRole('alert')).toBeNull();
  });

  it('says a failed export in main’s words', async () => {
    await open({
      installed: true,
      answers: { 'desktop:export-diagnostics': () => ({ ok: false, code: 'storage', message: 'The Downloads folder is full.' }) },
    });
    await fireEvent.click(section().getByRole('button', { name: 'Export diagnostics' }));
    await settle();
    expect(section().getByText(/The diagnostics could not be written: The Downloads folder is full\./)).toBeTruthy();
  });
});

describe('without the installed app (the desktop channels answer unavailable)', () => {
  it('says “Only in the installed app” for every hotkey, start at login and the export — never an error', async () => {
    const { raw } = await open();
    expect(raw.desktop.state).toHaveBeenCalled();
    expect(section().getByText(/work only in the installed app/)).toBeTruthy();
    for (const action of actions) expect(statusOf(action)).toBe('Only in the installed app');
    expect(screen.getByTestId('autostart-state').textContent?.trim()).toBe('Only in the installed app');

    await fireEvent.click(section().getByRole('button', { name: 'Export diagnostics' }));
    await settle();
    expect(raw.desktop.exportDiagnostics).toHaveBeenCalledTimes(1);
    expect(section().getAllByRole('status').some((s) => s.textContent?.trim() === 'Only in the installed app')).toBe(true);
    expect(section().queryByRole('alert')).toBeNull();
    expect(section().queryByText(/not part of this test/)).toBeNull();
    expect(section().queryByRole('button', { name: 'Show in folder' })).toBeNull();

    // The hotkeys are still saved: they apply once the installed app reads the settings.
    await keys(hotkeyField('Show the console'), ctrlAltShift('K'));
    expect(raw.settings.update).toHaveBeenCalledWith({ desktop: { hotkeys: { ...basePreferences.desktop.hotkeys, showWindow: 'CommandOrControl+Alt+Shift+K' } } });
  });

  it('releases its desktop:changed listener with the settings’ one dispose', async () => {
    const fake = fakeConsoleApi({ preferences: basePreferences });
    const models = new SettingsModels(fake.api);
    const stop = models.start();
    await settle();
    expect(fake.listeners('desktop:changed')).toBe(1);
    expect(fake.listeners('agent:changed')).toBeGreaterThanOrEqual(1);
    stop();
    expect(fake.listeners('desktop:changed')).toBe(0);
    expect(fake.listeners('agent:changed')).toBe(0);
  });
});
