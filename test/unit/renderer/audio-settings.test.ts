/**
 * The audio settings section against a fake consoleApi: device pickers from
 * audio:devices (live on audio:devices-changed, with the fallback message for
 * a saved device that vanished), voice switches, hold-music volume saved as a
 * settings:update patch, preview toggling and stopping when the panel goes
 * away, and main's field errors shown under the control that caused them.
 */
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { AudioDevices, PreferencesPatch, Result, SettingsView } from '../../../preload/contract';
import App from '../../../renderer/ui/App.svelte';
import { basePreferences, fakeConsoleApi, settle } from '../../support/console-api';

const fakeDevices: AudioDevices = {
  inputs: [
    { deviceId: 'default', groupId: 'g0', label: 'Default - Headset Microphone' },
    { deviceId: 'mic-headset', groupId: 'g1', label: 'Headset Microphone' },
    { deviceId: 'mic-laptop', groupId: 'g2', label: 'Laptop Microphone' },
  ],
  outputs: [
    { deviceId: 'default', groupId: 'g0', label: 'Default - Headset Earphones' },
    { deviceId: 'out-headset', groupId: 'g1', label: 'Headset Earphones' },
    { deviceId: 'out-speakers', groupId: 'g3', label: 'Desk Speakers' },
  ],
};

/** The shell answered for real, and the audio channels: the media host's devices, the preview, the file dialog. */
function fakeApi(
  options: {
    preferences?: SettingsView['preferences'];
    devices?: Result<AudioDevices>;
    update?: (patch: PreferencesPatch) => Result<SettingsView>;
    chosenFile?: Result<string | null>;
  } = {},
) {
  const fake = fakeConsoleApi({
    preferences: options.preferences ?? basePreferences,
    answers: {
      'audio:devices': () => options.devices ?? { ok: true, value: fakeDevices },
      'audio:preview-music': () => ({ ok: true, value: null }),
      'audio:choose-music-file': () => options.chosenFile ?? { ok: true, value: null },
      ...(options.update && { 'settings:update': options.update }),
    },
  });
  const pushDevices = (d: AudioDevices) => fake.emit('audio:devices-changed', d);
  return { ...fake, pushDevices, devicesListeners: () => fake.listeners('audio:devices-changed') };
}

const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;
const optionLabels = (el: HTMLSelectElement) => [...el.options].map((o) => o.textContent?.trim());
const describedText = (el: HTMLElement) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '';
const status = () => screen.getAllByRole('status').map((s) => s.textContent?.trim()).join(' | ');

describe('audio settings', () => {
  it('lists the media host’s devices under each picker, the system default first with its name', async () => {
    render(App, { api: fakeApi().api });
    await settle();
    expect(optionLabels(select('Microphone'))).toEqual(['System default (Headset Microphone)', 'Headset Microphone', 'Laptop Microphone']);
    expect(optionLabels(select('Speaker (call audio)'))).toEqual(['System default (Headset Earphones)', 'Headset Earphones', 'Desk Speakers']);
    expect(optionLabels(select('Ringer'))).toEqual(optionLabels(select('Speaker (call audio)')));
    expect(select('Microphone').value).toBe('default');
    expect(describedText(select('Microphone'))).toMatch(/What callers hear from you/);
  });

  it('says the console fell back to the default when the saved device vanished, and stops saying it when it is back', async () => {
    const preferences = { ...basePreferences, audio: { ...basePreferences.audio, outputDeviceId: 'out-usb' } };
    const { api, pushDevices } = fakeApi({ preferences });
    render(App, { api });
    await settle();
    const speaker = select('Speaker (call audio)');
    expect(speaker.value).toBe('out-usb');
    expect(speaker.selectedOptions[0]?.textContent).toBe('Saved device (not connected)');
    expect(describedText(speaker)).toMatch(/Not connected — the console uses the system default until it is back/);
    expect(describedText(select('Microphone'))).not.toMatch(/Not connected/);

    // Hot-plug: the USB headset is back.
    await pushDevices({ ...fakeDevices, outputs: [...fakeDevices.outputs, { deviceId: 'out-usb', groupId: 'g9', label: 'USB Headset' }] });
    expect(select('Speaker (call audio)').selectedOptions[0]?.textContent).toBe('USB Headset');
    expect(describedText(select('Speaker (call audio)'))).not.toMatch(/Not connected/);

    // …and gone again.
    await pushDevices(fakeDevices);
    expect(describedText(select('Speaker (call audio)'))).toMatch(/Not connected/);
  });

  it('saves a chosen device as a one-leaf settings:update patch and confirms it', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.change(select('Ringer'), { target: { value: 'out-speakers' } });
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ audio: { ringerDeviceId: 'out-speakers' } });
    expect(select('Ringer').value).toBe('out-speakers');
    expect(status()).toMatch(/Device saved/);
  });

  it('says why devices cannot be listed while the media host is down', async () => {
    render(App, { api: fakeApi({ devices: { ok: false, code: 'unavailable', message: 'down' } }).api });
    await settle();
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toMatch(/audio engine is not running/);
    expect(select('Microphone').disabled).toBe(true);
  });

  it('turns a voice-processing switch off with its reason shown', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    const echo = screen.getByRole('switch', { name: 'Echo cancellation' }) as HTMLInputElement;
    expect(echo.checked).toBe(true);
    expect(describedText(echo)).toMatch(/without a headset/);
    await fireEvent.click(echo);
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ audio: { echoCancellation: false } });
    expect((screen.getByRole('switch', { name: 'Echo cancellation' }) as HTMLInputElement).checked).toBe(false);
  });

  it('moves the volume figure while sliding and saves holdMusic.volume (0–1) when let go', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    const slider = screen.getByRole('slider', { name: 'Volume' }) as HTMLInputElement;
    expect(slider.value).toBe('50');
    expect(slider.getAttribute('aria-valuetext')).toBe('50 percent');
    await fireEvent.input(slider, { target: { value: '30' } });
    expect(slider.getAttribute('aria-valuetext')).toBe('30 percent');
    expect(raw.settings.update).not.toHaveBeenCalled();
    await fireEvent.change(slider, { target: { value: '30' } });
    await settle();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect(raw.settings.update).toHaveBeenCalledWith({ holdMusic: { volume: 0.3 } });
    expect(status()).toMatch(/Volume 30 %/);
  });

  it('saves a built-in track choice', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    const classic = screen.getByRole('radio', { name: /Classic/ }) as HTMLInputElement;
    await fireEvent.click(classic);
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ holdMusic: { track: 'builtin:classic' } });
    expect((screen.getByRole('radio', { name: /Classic/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('toggles the preview, and stops it when the agent leaves the settings panel', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await settle();
    expect(raw.audio.previewMusic).toHaveBeenLastCalledWith({ on: true });
    const stop = screen.getByRole('button', { name: 'Stop preview' });
    expect(stop.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(stop);
    await settle();
    expect(raw.audio.previewMusic).toHaveBeenLastCalledWith({ on: false });
    expect(screen.getByRole('button', { name: 'Preview' }).getAttribute('aria-pressed')).toBe('false');

    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await settle();
    expect(raw.audio.previewMusic).toHaveBeenCalledTimes(3);
    await fireEvent.click(screen.getByRole('button', { name: 'Calls' }));
    await settle();
    expect(screen.queryByRole('slider', { name: 'Volume' })).toBeNull();
    expect(raw.audio.previewMusic).toHaveBeenCalledTimes(4);
    expect(raw.audio.previewMusic).toHaveBeenLastCalledWith({ on: false });
  });

  it('stops a running preview and drops its device subscription when the window unmounts', async () => {
    const { api, raw, devicesListeners } = fakeApi();
    const { unmount } = render(App, { api });
    await settle();
    expect(devicesListeners()).toBe(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await settle();
    unmount();
    await settle();
    expect(raw.audio.previewMusic).toHaveBeenLastCalledWith({ on: false });
    expect(devicesListeners()).toBe(0);
  });

  it("shows main's field error under the own-file path and keeps the typed path", async () => {
    const message = 'No file at this path.';
    const { api, raw } = fakeApi({ update: () => ({ ok: false, code: 'invalid-request', message, fields: { 'holdMusic.track': message } }) });
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('radio', { name: /Use my own file/ }));
    await settle();
    expect(raw.settings.update).not.toHaveBeenCalled();
    const path = screen.getByLabelText('Music file') as HTMLInputElement;
    await fireEvent.input(path, { target: { value: '/home/dana/gone.mp3' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this file' }));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ holdMusic: { track: 'file:/home/dana/gone.mp3' } });
    const field = screen.getByLabelText('Music file') as HTMLInputElement;
    expect(field.value).toBe('/home/dana/gone.mp3');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(field)).toBe(`⚠${message}`);
    expect((screen.getByRole('radio', { name: /Use my own file/ }) as HTMLInputElement).checked).toBe(true);
  });

  it('fills the path from the file dialog and saves it; a cancelled dialog changes nothing', async () => {
    const { api, raw } = fakeApi({ chosenFile: { ok: true, value: '/home/dana/Music/jingle.ogg' } });
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('radio', { name: /Use my own file/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    expect((screen.getByLabelText('Music file') as HTMLInputElement).value).toBe('/home/dana/Music/jingle.ogg');
    expect(raw.settings.update).toHaveBeenCalledWith({ holdMusic: { track: 'file:/home/dana/Music/jingle.ogg' } });
    expect(status()).toMatch(/Hold music saved/);

    raw.audio.chooseMusicFile.mockResolvedValueOnce({ ok: true, value: null });
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledTimes(1);
    expect((screen.getByLabelText('Music file') as HTMLInputElement).value).toBe('/home/dana/Music/jingle.ogg');
  });

  it('says so under the path where there is no file dialog', async () => {
    const message = 'No file dialog here: type the full path of the file.';
    const { api, raw } = fakeApi({ chosenFile: { ok: false, code: 'unavailable', message } });
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('radio', { name: /Use my own file/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    expect(describedText(screen.getByLabelText('Music file'))).toBe(`⚠${message}`);
    expect(raw.settings.update).not.toHaveBeenCalled();
  });

  it('refuses an empty own-file path without asking main', async () => {
    const { api, raw } = fakeApi();
    render(App, { api });
    await settle();
    await fireEvent.click(screen.getByRole('radio', { name: /Use my own file/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Use this file' }));
    await settle();
    expect(raw.settings.update).not.toHaveBeenCalled();
    expect(describedText(screen.getByLabelText('Music file'))).toMatch(/full path/);
    expect(within(document.body).getByLabelText('Music file').getAttribute('aria-invalid')).toBe('true');

    // Saving something else meanwhile keeps the unfinished own-file choice and its field on screen.
    await fireEvent.change(screen.getByRole('slider', { name: 'Volume' }), { target: { value: '70' } });
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ holdMusic: { volume: 0.7 } });
    expect((screen.getByRole('radio', { name: /Use my own file/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByLabelText('Music file')).toBeTruthy();
  });
});
