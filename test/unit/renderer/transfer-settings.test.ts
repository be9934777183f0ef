/**
 * The transfer settings section against a fake consoleApi: the saved values
 * on screen, each control saving its own one-leaf settings:update patch,
 * out-of-range numbers refused here without asking main, main's refusals
 * shown under the control that caused them, and pushes from main followed.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { PreferencesPatch, Result, SettingsView } from '../../../preload/contract';
import App from '../../../renderer/ui/App.svelte';
import { TransferSettingsModel } from '../../../renderer/ui/state/transfer-settings.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

/** The shell answered for real (patches merged like main's store); `update` may answer a patch instead. */
function fakeApi(options: { preferences?: SettingsView['preferences']; update?: (patch: PreferencesPatch) => Result<SettingsView> | undefined } = {}) {
  const fake = fakeConsoleApi({
    preferences: options.preferences ?? basePreferences,
    answers: options.update ? { 'settings:update': options.update } : {},
  });
  /** Main pushes new preferences (settings:changed). */
  const push = async (next: SettingsView['preferences']) => {
    fake.settings.preferences = next;
    await fake.emit('settings:changed', { account: null, preferences: next });
  };
  return { ...fake, push, changedListeners: () => fake.listeners('settings:changed') };
}

const field = (label: string) => screen.getByLabelText(label, { exact: true }) as HTMLInputElement;
/** Every element aria-describedby names, in order. */
const describedText = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent?.trim() ?? `<missing #${id}>`)
    .join(' | ');
/** The Transfers section's own confirmation line. */
const transferStatus = () =>
  within(screen.getByRole('region', { name: 'Transfers' })).getByRole('status').textContent?.trim() ?? '';
const status = () => screen.getAllByRole('status').map((s) => s.textContent?.trim()).join(' | ');
const safeBlind = () => screen.getByRole('switch', { name: 'Safe blind transfer' }) as HTMLInputElement;
const radio = (name: string) => screen.getByRole('radio', { name: new RegExp(name) }) as HTMLInputElement;

/** Types into a number field and leaves it (change fires on blur). */
async function typeAndLeave(label: string, text: string) {
  const el = field(label);
  await fireEvent.input(el, { target: { value: text } });
  await fireEvent.change(el, { target: { value: text } });
  await settle();
}

describe('transfer settings', () => {
  it('shows the saved values, with bounds and why under each control', async () => {
    const preferences = {
      ...basePreferences,
      transfer: { safeBlind: false, safeBlindTimeoutSec: 45, undoWindowSec: 0, completeTimeoutSec: 12, incomingRefer: 'follow' as const },
    };
    render(App, { api: fakeApi({ preferences }).api });
    await settle();
    expect(screen.getByRole('heading', { name: 'Transfers' })).toBeTruthy();
    expect(safeBlind().checked).toBe(false);
    expect(describedText(safeBlind())).toMatch(/comes back to you if the transfer fails.*a failed transfer then loses the caller/);
    expect(field('No-answer time').value).toBe('45');
    expect(field('Undo window').value).toBe('0');
    expect(field('Completion wait').value).toBe('12');
    expect(describedText(field('No-answer time'))).toMatch(/^\(5–300\) \| How long the transferee may ring, blind or consulted/);
    expect(describedText(field('Undo window'))).toMatch(/^\(0–10, 0 = off\) \| Seconds after you start a transfer during which Undo cancels it before anything is sent\. 0 sends at once\./);
    expect(describedText(field('Completion wait'))).toMatch(/^\(2–60\) \| .*wait for the other side to confirm/);
    expect(field('Undo window').min).toBe('0');
    expect(field('Undo window').max).toBe('10');
    expect(radio('Follow at once').checked).toBe(true);
    expect(radio('Ask me first').checked).toBe(false);
  });

  it('shows the defaults when main’s view has no transfer section yet', async () => {
    const { transfer: _omitted, ...rest } = basePreferences;
    render(App, { api: fakeApi({ preferences: rest as SettingsView['preferences'] }).api });
    await settle();
    expect(safeBlind().checked).toBe(true);
    expect([field('No-answer time').value, field('Undo window').value, field('Completion wait').value]).toEqual(['30', '3', '8']);
    expect(radio('Ask me first').checked).toBe(true);
  });

  it('saves the safe-blind switch as transfer.safeBlind alone and confirms it', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.click(safeBlind());
    await settle();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(raw.settings.update).toHaveBeenCalledWith({ transfer: { safeBlind: false } });
    expect(safeBlind().checked).toBe(false);
    expect(transferStatus()).toBe('✓ Safe blind off');
  });

  it('saves each number as its own leaf when the agent leaves the field, not while typing', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.input(field('Undo window'), { target: { value: '5' } });
    await settle();
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(field('Undo window').value).toBe('5');
    await fireEvent.change(field('Undo window'), { target: { value: '5' } });
    await settle();
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { undoWindowSec: 5 } });
    expect(status()).toMatch(/Undo window 5 s/);

    await typeAndLeave('No-answer time', '60');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { safeBlindTimeoutSec: 60 } });
    await typeAndLeave('Completion wait', '15');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { completeTimeoutSec: 15 } });
    await typeAndLeave('Undo window', '0');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { undoWindowSec: 0 } });
    expect(status()).toMatch(/Undo window off/);
    // A fraction is a valid undo window (main keeps milliseconds).
    await typeAndLeave('Undo window', '1.5');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { undoWindowSec: 1.5 } });
    expect(raw.settings.update).toHaveBeenCalledTimes(5);
  });

  it('saves on Enter, and does not save again when the field is left unchanged', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    const el = field('Completion wait');
    await fireEvent.input(el, { target: { value: '20' } });
    await fireEvent.keyDown(el, { key: 'Enter' });
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ transfer: { completeTimeoutSec: 20 } });
    await fireEvent.change(el, { target: { value: '20' } });
    await settle();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
  });

  it('saves the incoming-REFER choice as transfer.incomingRefer', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.click(radio('Follow at once'));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ transfer: { incomingRefer: 'follow' } });
    expect(radio('Follow at once').checked).toBe(true);
    expect(status()).toMatch(/Incoming transfers followed/);
    await fireEvent.click(radio('Ask me first'));
    await settle();
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { incomingRefer: 'ask' } });
    expect(radio('Ask me first').checked).toBe(true);
  });

  it.each([
    ['No-answer time', '4', /whole number of seconds from 5 to 300/],
    ['No-answer time', '301', /whole number of seconds from 5 to 300/],
    ['No-answer time', '30.5', /whole number of seconds from 5 to 300/],
    ['Undo window', '11', /number of seconds from 0 to 10/],
    ['Undo window', '-1', /number of seconds from 0 to 10/],
    ['Undo window', '', /number of seconds from 0 to 10/],
    ['Completion wait', '1', /whole number of seconds from 2 to 60/],
    ['Completion wait', '61', /whole number of seconds from 2 to 60/],
  ])('refuses %s = "%s" without asking main, under the field, keeping the text', async (label, text, message) => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await typeAndLeave(label, text);
    expect(raw.settings.update).not.toHaveBeenCalled();
    const el = field(label);
    expect(el.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(el)).toMatch(message);
    expect(el.value).toBe(text);
    // Nothing was saved, so nothing is confirmed.
    expect(transferStatus()).toBe('');
  });

  it('clears the refusal once a valid number is saved', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await typeAndLeave('Undo window', '12');
    expect(field('Undo window').getAttribute('aria-invalid')).toBe('true');
    await typeAndLeave('Undo window', '3');
    // 3 is what is saved, but the field was refused: saving it again clears the message honestly.
    expect(raw.settings.update).toHaveBeenCalledWith({ transfer: { undoWindowSec: 3 } });
    expect(field('Undo window').getAttribute('aria-invalid')).toBeNull();
    expect(describedText(field('Undo window'))).not.toMatch(/⚠/);
  });

  it("shows main's field error under its control, keeps the typed text and the saved value in force", async () => {
    const message = 'Too small: expected number to be >=5';
    const { api, raw } = fakeApi({
      update: (patch) =>
        patch.transfer?.safeBlindTimeoutSec !== undefined
          ? { ok: false, code: 'invalid-request', message: `transfer.safeBlindTimeoutSec: ${message}`, fields: { 'transfer.safeBlindTimeoutSec': message } }
          : undefined,
    });
    render(App, { api });
    await settle();
    await typeAndLeave('No-answer time', '90');
    expect(raw.settings.update).toHaveBeenCalledWith({ transfer: { safeBlindTimeoutSec: 90 } });
    const el = field('No-answer time');
    expect(el.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(el)).toMatch(new RegExp(`^⚠ ${message} \\| How long`));
    expect(el.value).toBe('90');
    // Other controls are untouched and still save.
    expect(field('Undo window').getAttribute('aria-invalid')).toBeNull();
    await typeAndLeave('Undo window', '4');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ transfer: { undoWindowSec: 4 } });
    expect(field('No-answer time').value).toBe('90');
    expect(field('No-answer time').getAttribute('aria-invalid')).toBe('true');
  });

  it("shows main's refusal of the switch under it and puts the saved state back", async () => {
    const message = 'Settings could not be written: disk full';
    const { api } = fakeApi({ update: () => ({ ok: false, code: 'storage', message }) });
    render(App, { api });
    await settle();
    await fireEvent.click(safeBlind());
    await settle();
    expect(safeBlind().checked).toBe(true);
    expect(safeBlind().getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toContain(message);
  });

  it('says so when main does not answer', async () => {
    const { api, raw } = fakeApi();
    raw.settings.update.mockRejectedValueOnce(new Error('gone'));
    render(App, { api });
    await settle();
    await fireEvent.click(radio('Follow at once'));
    await settle();
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toMatch(/did not answer/);
    expect(radio('Ask me first').checked).toBe(true);
  });

  it("follows main's pushes and drops its subscription on unmount", async () => {
    const { api, push, changedListeners } = fakeApi();
    const { unmount } = render(App, { api });
    await settle();
    const subscribed = changedListeners();
    expect(subscribed).toBeGreaterThan(0);
    await push({ ...basePreferences, transfer: { ...basePreferences.transfer, undoWindowSec: 7, safeBlind: false } });
    expect(field('Undo window').value).toBe('7');
    expect(safeBlind().checked).toBe(false);
    unmount();
    await settle();
    expect(changedListeners()).toBe(0);
  });
});

describe('a number stepped faster than main answers', () => {
  /** settings:update answered only when the test says so, in the order asked. */
  async function modelOnSlowMain() {
    const asked: Array<{ patch: PreferencesPatch; answer: () => void }> = [];
    let preferences = structuredClone(basePreferences);
    const fake = fakeConsoleApi({
      preferences,
      answers: {
        'settings:update': (patch: PreferencesPatch) =>
          new Promise<Result<SettingsView>>((resolve) => {
            asked.push({
              patch,
              answer: () => {
                preferences = { ...preferences, transfer: { ...preferences.transfer, ...patch.transfer } };
                resolve({ ok: true, value: { account: null, preferences, provider: { kind: 'configured' } } });
              },
            });
          }),
      },
    });
    const model = new TransferSettingsModel(fake.api);
    const stop = model.start();
    await settle();
    /** Main pushes these preferences (settings:changed). */
    const push = (next: SettingsView['preferences']) => fake.emit('settings:changed', { account: null, preferences: next, provider: { kind: 'configured' } });
    return { model, stop, asked, push, saved: () => preferences };
  }

  it('keeps the step the agent is on while earlier steps are answered and pushed back', async () => {
    const { model, stop, asked, push } = await modelOnSlowMain();
    const first = model.commitNumber('undoWindowSec', '4');
    const second = model.commitNumber('undoWindowSec', '5');
    expect(asked.map((a) => a.patch)).toEqual([{ transfer: { undoWindowSec: 4 } }, { transfer: { undoWindowSec: 5 } }]);
    asked[0]!.answer();
    await first;
    // The 4's answer and main's push of it arrive while the 5 is on its way: the field stays on 5.
    await push({ ...basePreferences, transfer: { ...basePreferences.transfer, undoWindowSec: 4 } });
    expect(model.drafts.undoWindowSec).toBe('5');
    expect(model.saving).toBe(true);
    asked[1]!.answer();
    expect(await second).toBe(true);
    expect(model.drafts.undoWindowSec).toBe('5');
    expect(model.transfer.undoWindowSec).toBe(5);
    expect(model.saving).toBe(false);
    stop();
  });

  it("keeps what the agent is typing when another control's save comes back, and saves it when committed", async () => {
    const { model, stop, asked, push, saved } = await modelOnSlowMain();
    const off = model.setSafeBlind(false);
    model.editNumber('completeTimeoutSec', '9');
    asked[0]!.answer();
    await off;
    await push(saved());
    expect(model.drafts.completeTimeoutSec).toBe('9');
    const commit = model.commitNumber('completeTimeoutSec');
    asked[1]!.answer();
    expect(await commit).toBe(true);
    expect(saved().transfer).toMatchObject({ safeBlind: false, completeTimeoutSec: 9 });
    expect(model.drafts.completeTimeoutSec).toBe('9');
    stop();
  });

  it("sends a step back even when an earlier step's answer already shows that value, so main does not end on the step away", async () => {
    const { model, stop, asked, saved } = await modelOnSlowMain();
    // 3 → 4 → 5, then back to 4 once the 4's answer is in (while the 5 is still on its way).
    const steps = [model.commitNumber('undoWindowSec', '4'), model.commitNumber('undoWindowSec', '5')];
    asked[0]!.answer();
    await steps[0];
    steps.push(model.commitNumber('undoWindowSec', '4'));
    expect(asked.map((a) => a.patch.transfer?.undoWindowSec)).toEqual([4, 5, 4]);
    asked[1]!.answer();
    asked[2]!.answer();
    await Promise.all(steps);
    expect(saved().transfer.undoWindowSec).toBe(4);
    expect(model.drafts.undoWindowSec).toBe('4');
    stop();
  });
});
