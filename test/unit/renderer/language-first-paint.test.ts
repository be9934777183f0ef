/**
 * The UI entry (renderer/ui/main.ts) mounts the console in the agent's saved
 * language from the first frame: it asks main for the choice and waits,
 * bounded, for that language's catalogue, which is a chunk of its own
 * (a dynamic import() of renderer/ui/i18n/de). A chunk that fails leaves an
 * English console, never an empty one, and logs why. Switching in Settings
 * keeps every word in the old language until the new one is whole.
 *
 * Each test loads the entry afresh (vi.resetModules), so German is not there
 * until the entry fetches it (the shared setup preloads it for other files),
 * and holds or breaks that fetch with vi.doMock.
 */
import { within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../../preload/contract';
import { basePreferences, fakeConsoleApi, type FakeConsoleApiOptions } from '../../support/console-api';

const german = '../../../renderer/ui/i18n/de';
const html = document.documentElement;

/** The German chunk arrives when the test opens the gate. */
function holdGerman() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  vi.doMock(german, async (importOriginal: () => Promise<unknown>) => {
    await gate;
    return importOriginal();
  });
  return open;
}

/** The text of #app the first time anything is put in it, and <html lang> at that moment. */
function firstPaint(target: HTMLElement): Promise<{ text: string; lang: string }> {
  return new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      seen.disconnect();
      resolve({ text: target.textContent ?? '', lang: html.lang });
    });
    seen.observe(target, { childList: true, subtree: true });
  });
}

/** Loads the UI entry as index.html does, over a fake main; returns this run's catalogue module. */
async function startEntry(language: SettingsView['preferences']['appearance']['language'], answers: FakeConsoleApiOptions['answers'] = {}) {
  const fake = fakeConsoleApi({ preferences: { ...basePreferences, appearance: { theme: 'system', language } }, answers });
  Object.assign(window, { consoleApi: fake.api });
  const target = document.createElement('div');
  target.id = 'app';
  document.body.append(target);
  // The views the entry fetches ahead once idle: loaded now in this module graph, so none is still loading when the test ends.
  const views = await import('../../../renderer/ui/components/views/lazy-views.svelte');
  await Promise.all([views.historyView.get(), views.settingsView.get()]);
  const i18n = await import('../../../renderer/ui/i18n/index.svelte');
  const painted = firstPaint(target);
  await import('../../../renderer/ui/main');
  return { ...fake, i18n, target, painted };
}

/** Every message in an error's chain of causes (vitest wraps a failing mock in an error of its own). */
function causes(error: unknown): string[] {
  const out: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) out.push(e.message);
  return out;
}

beforeEach(() => {
  vi.resetModules();
  localStorage.clear();
  html.lang = 'en';
});
afterEach(() => {
  vi.doUnmock(german);
  vi.restoreAllMocks();
  document.getElementById('app')?.remove();
});

describe('the first frame', () => {
  it('is German when German is saved: the window stays empty until the German chunk is here', async () => {
    const open = holdGerman();
    const { i18n, target, painted, raw } = await startEntry('de');
    await vi.waitFor(() => expect(i18n.locale.loading).toBe('de'));
    expect(raw.settings.get).toHaveBeenCalled();
    expect(target.childElementCount).toBe(0);

    open();
    const first = await painted;
    expect(first.lang).toBe('de');
    expect(first.text).toContain('Einstellungen');
    expect(first.text).toContain('Verlauf');
    expect(first.text).not.toMatch(/\bSettings\b|\bHistory\b/);
    expect(i18n.locale.language).toBe('de');
  });

  it('is English at once when English is saved, and German is never fetched', async () => {
    const open = holdGerman();
    const { i18n, painted } = await startEntry('en');
    // The gate stays shut: a fetch of German would hold the mount forever (well, for the 1 s bound).
    const first = await painted;
    expect(first.text).toContain('Settings');
    expect(first.lang).toBe('en');
    expect(i18n.locale.loading).toBeNull();
    open();
  });

  it('is English, with the reason logged and kept, when the German chunk fails to load', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.doMock(german, () => {
      throw new TypeError('Failed to fetch dynamically imported module: ./de-1.js');
    });
    const { i18n, painted, target } = await startEntry('de');
    const first = await painted;
    expect(first.text).toContain('Settings');
    expect(first.lang).toBe('en');
    // Settings says why the chosen language is not shown, where the agent chose it.
    within(target).getByRole('button', { name: 'Settings' }).click();
    const problem = await within(target).findByText(/Deutsch could not be loaded, so the console is showing English/);
    expect(problem.getAttribute('role')).toBe('alert');

    const failure = i18n.locale.failure;
    expect(failure).toBeInstanceOf(i18n.CatalogueLoadError);
    expect(failure?.language).toBe('de');
    expect(causes(failure)).toContain('Failed to fetch dynamically imported module: ./de-1.js');
    expect(logged).toHaveBeenCalledWith(failure);
    // The agent's choice stands: a later choice (or main's next push of it) tries again.
    expect(i18n.locale.choice).toBe('de');
  });
});

describe('the bounded wait before the first frame', () => {
  it("mounts in the OS's language when main does not answer in time", async () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fake = fakeConsoleApi({ answers: { 'settings:get': () => new Promise(() => {}) } });
    const { chooseLanguageBeforeMount } = await import('../../../renderer/ui/i18n/first-paint');
    const { locale } = await import('../../../renderer/ui/i18n/index.svelte');
    await chooseLanguageBeforeMount(fake.api, 20);
    expect(locale.choice).toBe('system');
    expect(locale.language).toBe('en');
    expect(warned.mock.calls.flat().join(' ')).toMatch(/saved language was not read within 20 ms/);
  });

  it('mounts in English when the chunk is late, and shows German the moment it arrives', async () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const open = holdGerman();
    const fake = fakeConsoleApi({ preferences: { ...basePreferences, appearance: { theme: 'system', language: 'de' } } });
    const { chooseLanguageBeforeMount } = await import('../../../renderer/ui/i18n/first-paint');
    const { locale, t } = await import('../../../renderer/ui/i18n/index.svelte');
    await chooseLanguageBeforeMount(fake.api, 20);
    expect(locale.language).toBe('en');
    expect(t('nav.settings')).toBe('Settings');
    expect(warned.mock.calls.flat().join(' ')).toMatch(/the de messages took more than 20 ms/);

    open();
    await vi.waitFor(() => expect(locale.language).toBe('de'));
    expect(t('nav.settings')).toBe('Einstellungen');
    expect(html.lang).toBe('de');
  });
});

describe('switching in Settings', () => {
  it('keeps the whole window English while German loads, then switches it at once; back to English is immediate', async () => {
    const open = holdGerman();
    const { i18n, painted, target, raw } = await startEntry('en');
    await painted;
    const button = (name: string) => within(target).queryByRole('button', { name });
    button('Settings')!.click();
    const deutsch = await within(target).findByRole('radio', { name: /^Deutsch/ });
    deutsch.click();
    await vi.waitFor(() => expect(raw.settings.update).toHaveBeenCalledWith({ appearance: { language: 'de' } }));
    expect(i18n.locale.loading).toBe('de');
    // Not one German word yet: the old language until the new one is whole.
    expect(html.lang).toBe('en');
    expect(button('Settings')).toBeTruthy();
    expect(target.textContent).not.toMatch(/Einstellungen|Darstellung|Verlauf/);

    open();
    await vi.waitFor(() => expect(button('Einstellungen')).toBeTruthy());
    expect(html.lang).toBe('de');
    expect(button('Verlauf')).toBeTruthy();
    expect(target.textContent).toContain('Darstellung');
    expect(target.textContent).not.toMatch(/\bAppearance\b/);
    // The save was confirmed in the language just chosen, not in the one it left.
    expect(await within(target).findByText('Sprache gespeichert')).toBeTruthy();
    expect(target.textContent).not.toContain('Language saved');

    within(target).getByRole('radio', { name: /^English/ }).click();
    // Synchronously: English needs no fetch.
    expect(html.lang).toBe('en');
    expect(i18n.locale.language).toBe('en');
  });
});
