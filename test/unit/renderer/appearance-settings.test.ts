/**
 * Theme and language: AppearanceModel puts main's choice on <html data-theme>
 * and <html lang> and on the message catalogue, remembers it for the next
 * start's first paint, and Settings → Appearance changes both at once (saved
 * as one-leaf patches, put back when main refuses). A language switch
 * changes the rendered text everywhere in the view.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { SettingsView as View } from '../../../preload/contract';
import SettingsView from '../../../renderer/ui/components/settings/SettingsView.svelte';
import { locale, t } from '../../../renderer/ui/i18n/index.svelte';
import { AppearanceModel } from '../../../renderer/ui/state/appearance.svelte';
import { SettingsModels } from '../../../renderer/ui/state/settings.svelte';
import { basePreferences, fakeConsoleApi, settle, type FakeConsoleApiOptions } from '../../support/console-api';

const html = document.documentElement;
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  // The catalogue's locale and the document are shared by every test in this file.
  locale.choice = 'system';
  delete html.dataset.theme;
  html.lang = 'en';
  localStorage.clear();
});

const withAppearance = (appearance: View['preferences']['appearance']) => ({ ...basePreferences, appearance });

function renderView(preferences = basePreferences, answers: FakeConsoleApiOptions['answers'] = {}) {
  const fake = fakeConsoleApi({ preferences, answers });
  const models = new SettingsModels(fake.api);
  stops.push(models.start());
  render(SettingsView, { models });
  return { ...fake, models };
}

const radio = (name: string | RegExp) => screen.getByRole('radio', { name }) as HTMLInputElement;

describe('the appearance model', () => {
  it("applies main's theme and language to the document and the catalogue", async () => {
    const { api } = fakeConsoleApi({ preferences: withAppearance({ theme: 'dark', language: 'de' }) });
    const model = new AppearanceModel(api);
    stops.push(model.start());
    await settle();
    expect(html.dataset.theme).toBe('dark');
    expect(html.lang).toBe('de');
    expect(locale.language).toBe('de');
    expect(t('nav.settings')).toBe('Einstellungen');
  });

  it("follows main's pushes, and 'system' leaves the choice to the OS", async () => {
    const { api, emit, settings } = fakeConsoleApi({ preferences: withAppearance({ theme: 'light', language: 'en' }) });
    const model = new AppearanceModel(api);
    stops.push(model.start());
    await settle();
    expect(html.dataset.theme).toBe('light');
    await emit('settings:changed', { ...settings, preferences: withAppearance({ theme: 'system', language: 'system' }) });
    expect(html.dataset.theme).toBe('system');
    // jsdom's navigator speaks en-US: the system language is English.
    expect(locale.choice).toBe('system');
    expect(html.lang).toBe('en');
  });

  it('paints the remembered choice at once on the next start, before main has answered', async () => {
    const first = fakeConsoleApi({ preferences: withAppearance({ theme: 'dark', language: 'de' }) });
    const model = new AppearanceModel(first.api);
    stops.push(model.start());
    await settle();
    stops.splice(0).forEach((stop) => stop());
    delete html.dataset.theme;
    locale.choice = 'system';

    const silent = fakeConsoleApi({ answers: { 'settings:get': () => new Promise(() => {}) } });
    const next = new AppearanceModel(silent.api);
    stops.push(next.start());
    // No await: applied synchronously in start().
    expect(html.dataset.theme).toBe('dark');
    expect(locale.language).toBe('de');
  });

  it('ignores a damaged remembered entry', () => {
    localStorage.setItem('agent-console.appearance', '{"theme":"purple"');
    const silent = fakeConsoleApi({ answers: { 'settings:get': () => new Promise(() => {}) } });
    stops.push(new AppearanceModel(silent.api).start());
    expect(html.dataset.theme).toBeUndefined();
    expect(locale.choice).toBe('system');
  });
});

describe('Settings → Appearance', () => {
  it('applies a chosen theme at once and saves appearance.theme alone', async () => {
    const { raw } = renderView();
    await settle();
    expect(radio(/Like the system.*operating system is set/).checked).toBe(true);
    await fireEvent.click(radio(/^Dark/));
    expect(html.dataset.theme).toBe('dark');
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ appearance: { theme: 'dark' } });
    expect(screen.getByRole('region', { name: 'Appearance' }).textContent).toContain('Dark theme');
    await fireEvent.click(radio(/^Light/));
    await settle();
    expect(html.dataset.theme).toBe('light');
    expect(raw.settings.update).toHaveBeenLastCalledWith({ appearance: { theme: 'light' } });
  });

  it("puts the saved theme back when main refuses, with main's message", async () => {
    renderView(basePreferences, { 'settings:update': () => ({ ok: false, code: 'storage', message: 'Settings could not be written: disk full' }) });
    await settle();
    await fireEvent.click(radio(/^Dark/));
    await settle();
    expect(html.dataset.theme).toBe('system');
    expect(radio(/Like the system.*operating system is set/).checked).toBe(true);
    expect(screen.getAllByRole('alert').map((a) => a.textContent).join(' ')).toContain('disk full');
  });

  it('switches the whole view to German and back', async () => {
    const { raw } = renderView();
    await settle();
    expect(screen.getByRole('heading', { name: 'Appearance' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Settings contents' })).toBeTruthy();

    await fireEvent.click(radio(/^Deutsch/));
    await settle();
    expect(raw.settings.update).toHaveBeenCalledWith({ appearance: { language: 'de' } });
    expect(html.lang).toBe('de');
    expect(screen.getByRole('heading', { name: 'Darstellung' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'SIP-Konto' })).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Inhalt der Einstellungen' })).toBeTruthy();
    expect(screen.getByLabelText(/^WebSocket-URL/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Konto speichern' })).toBeTruthy();
    expect(screen.getByRole('switch', { name: 'Sichere blinde Weiterleitung' })).toBeTruthy();
    // Confirmed in the language just chosen; the language's own name is marked for screen readers.
    expect(screen.getByText('Sprache gespeichert')).toBeTruthy();
    expect(screen.getByText('Deutsch').getAttribute('lang')).toBe('de');
    expect(screen.queryByRole('heading', { name: 'Appearance' })).toBeNull();

    await fireEvent.click(radio(/^English/));
    await settle();
    expect(html.lang).toBe('en');
    expect(screen.getByRole('heading', { name: 'Appearance' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save account' })).toBeTruthy();
  });

  it('re-words computed labels too (device lists, number bounds)', async () => {
    renderView(withAppearance({ theme: 'system', language: 'de' }));
    await settle();
    const noAnswer = screen.getByLabelText('Klingeldauer', { exact: true });
    expect(document.getElementById(`${noAnswer.id}-bounds`)?.textContent).toBe('(5–300)');
    expect(screen.getByText('Sekunden', { selector: '#transfer-undoWindowSec ~ .unit' })).toBeTruthy();
    expect(screen.getByRole('slider', { name: 'Lautstärke' }).getAttribute('aria-valuetext')).toBe('50 Prozent');
  });
});
