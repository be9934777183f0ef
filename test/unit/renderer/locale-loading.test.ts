/**
 * How a language other than English reaches the screen (renderer/ui/i18n/locale.svelte.ts):
 * its catalogue is fetched when chosen, and the shown language changes in one
 * step once it is here; English is immediate; quick switches end on the last
 * choice; a failed fetch shows English, says why, and the next choice tries
 * again. Each test builds its own Locale over loaders it controls (the app's
 * loader is a dynamic import(): language-first-paint.test.ts runs that one).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { de } from '../../../renderer/ui/i18n/de';
import type { Catalogue } from '../../../renderer/ui/i18n/en';
import { CatalogueLoadError, Locale, type Language } from '../../../renderer/ui/i18n/locale.svelte';

/** A German catalogue that arrives (or fails) when the test says so, one promise per fetch. */
function germanOnCue() {
  const fetches: Array<{ resolve: (c: Catalogue) => void; reject: (e: unknown) => void }> = [];
  const load = vi.fn(
    () =>
      new Promise<Catalogue>((resolve, reject) => {
        fetches.push({ resolve, reject });
      }),
  );
  /** Lets the fetch's continuations run (a resolved promise, then the locale's own `then`). */
  const flush = async () => {
    for (let i = 0; i < 4; i++) await Promise.resolve();
  };
  return {
    load,
    fetches,
    arrive: async (n = fetches.length - 1) => {
      fetches[n]!.resolve(de);
      await flush();
    },
    fail: async (error: unknown, n = fetches.length - 1) => {
      fetches[n]!.reject(error);
      await flush();
    },
  };
}

function localeWith(load: () => Promise<Catalogue>) {
  const shown: Language[] = [];
  const failures: CatalogueLoadError[] = [];
  const locale = new Locale({ de: load }, { onShow: (l) => shown.push(l), onFailure: (e) => failures.push(e) });
  return { locale, shown, failures };
}

afterEach(() => vi.useRealTimers());

describe('choosing a language', () => {
  it('shows English at once and fetches nothing for it', () => {
    const german = germanOnCue();
    const { locale, shown } = localeWith(german.load);
    locale.choice = 'en';
    expect(locale.language).toBe('en');
    expect(locale.messages['nav.settings']).toBe('Settings');
    expect(locale.loading).toBeNull();
    expect(german.load).not.toHaveBeenCalled();
    expect(shown.at(-1)).toBe('en');
  });

  it('keeps the shown language until the whole German catalogue is here, then switches in one step', async () => {
    const german = germanOnCue();
    const { locale, shown } = localeWith(german.load);
    locale.choice = 'de';
    expect(german.load).toHaveBeenCalledTimes(1);
    expect(locale.loading).toBe('de');
    // Nothing of German yet: every message, the Intl tag and <html lang> (onShow) are still English.
    expect(locale.language).toBe('en');
    expect(locale.messages['nav.settings']).toBe('Settings');
    expect(shown).not.toContain('de');

    await german.arrive();
    expect(locale.language).toBe('de');
    expect(locale.tag).toBe('de');
    expect(locale.messages['nav.settings']).toBe('Einstellungen');
    expect(locale.messages['common.noAnswer']).toBe(de['common.noAnswer']);
    expect(locale.loading).toBeNull();
    expect(shown.at(-1)).toBe('de');
    expect(await locale.ready()).toBe(true);
  });

  it('switches back to English at once, and German fetched once is shown at once the next time', async () => {
    const german = germanOnCue();
    const { locale } = localeWith(german.load);
    locale.choice = 'de';
    await german.arrive();
    locale.choice = 'en';
    expect(locale.language).toBe('en');
    locale.choice = 'de';
    expect(locale.language).toBe('de');
    expect(german.load).toHaveBeenCalledTimes(1);
  });

  it("follows 'system' to the OS's first language the console speaks", async () => {
    const languages = vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['fr-FR', 'de-AT', 'en-US']);
    try {
      const german = germanOnCue();
      const { locale } = localeWith(german.load);
      expect(locale.chosen).toBe('de');
      // The constructor already asked for it: the OS's language is the default choice.
      expect(german.load).toHaveBeenCalledTimes(1);
      await german.arrive();
      expect(locale.language).toBe('de');
      // The OS's regional tag, for dates and numbers.
      expect(locale.tag).toBe('de-AT');
    } finally {
      languages.mockRestore();
    }
  });
});

describe('quick switches', () => {
  it('English → German → English before German arrived ends on English, and German arriving later changes nothing', async () => {
    const german = germanOnCue();
    const { locale, shown } = localeWith(german.load);
    locale.choice = 'en';
    locale.choice = 'de';
    locale.choice = 'en';
    expect(locale.language).toBe('en');
    expect(locale.loading).toBeNull();
    await german.arrive();
    expect(locale.language).toBe('en');
    expect(shown.at(-1)).toBe('en');
    // …but the catalogue is kept: choosing German now is immediate.
    locale.choice = 'de';
    expect(locale.language).toBe('de');
  });

  it('German → English → German while fetching fetches once and ends on German', async () => {
    const german = germanOnCue();
    const { locale } = localeWith(german.load);
    locale.choice = 'de';
    locale.choice = 'en';
    locale.choice = 'de';
    expect(german.load).toHaveBeenCalledTimes(1);
    expect(locale.language).toBe('en');
    const ready = locale.ready();
    await german.arrive();
    expect(locale.language).toBe('de');
    expect(await ready).toBe(true);
  });

  it('a failure of a fetch no longer wanted is neither shown nor reported', async () => {
    const german = germanOnCue();
    const { locale, failures } = localeWith(german.load);
    locale.choice = 'de';
    locale.choice = 'en';
    await german.fail(new TypeError('Failed to fetch dynamically imported module'));
    expect(locale.failure).toBeNull();
    expect(failures).toEqual([]);
    expect(locale.language).toBe('en');
  });

  it('ready() waits for the latest choice, not the one it was called under', async () => {
    const german = germanOnCue();
    const { locale } = localeWith(german.load);
    locale.choice = 'en';
    const ready = locale.ready();
    locale.choice = 'de';
    let settled = false;
    void ready.then(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    await german.arrive();
    expect(await ready).toBe(true);
  });
});

describe('a catalogue that does not arrive', () => {
  it('shows English, says why in a typed error, and the next choice fetches again', async () => {
    const german = germanOnCue();
    const { locale, failures, shown } = localeWith(german.load);
    locale.choice = 'de';
    const ready = locale.ready();
    const reason = new TypeError('Failed to fetch dynamically imported module: ./de-1.js');
    await german.fail(reason);

    expect(await ready).toBe(false);
    expect(locale.language).toBe('en');
    expect(shown.at(-1)).toBe('en');
    expect(locale.loading).toBeNull();
    expect(locale.failure).toBeInstanceOf(CatalogueLoadError);
    expect(locale.failure).toMatchObject({ name: 'CatalogueLoadError', language: 'de', cause: reason });
    expect(locale.failure?.message).toBe('The de messages could not be loaded (Failed to fetch dynamically imported module: ./de-1.js); showing English.');
    expect(failures).toEqual([locale.failure]);
    // The choice is the agent's and stays; only what is shown fell back.
    expect(locale.choice).toBe('de');

    // main pushing the same choice again is not a new choice: no new fetch, the reason stays.
    locale.choice = 'de';
    expect(german.load).toHaveBeenCalledTimes(1);
    expect(locale.failure).not.toBeNull();

    locale.choice = 'en';
    expect(locale.failure).toBeNull();
    locale.choice = 'de';
    expect(german.load).toHaveBeenCalledTimes(2);
    await german.arrive();
    expect(locale.language).toBe('de');
    expect(failures).toHaveLength(1);
  });

  it('a loader that throws at once fails the same way', async () => {
    const { locale, failures } = localeWith(() => {
      throw new Error('no chunk');
    });
    locale.choice = 'de';
    expect(await locale.ready()).toBe(false);
    expect(locale.language).toBe('en');
    expect(failures.map((e) => [e.language, (e.cause as Error).message])).toEqual([['de', 'no chunk']]);
  });

  it('ready(withinMs) gives up after the bound, and the language is shown when it arrives', async () => {
    vi.useFakeTimers();
    const german = germanOnCue();
    const { locale } = localeWith(german.load);
    locale.choice = 'de';
    const ready = locale.ready(50);
    await vi.advanceTimersByTimeAsync(50);
    expect(await ready).toBe(false);
    expect(locale.language).toBe('en');
    expect(locale.loading).toBe('de');
    // Its timer is gone with it.
    expect(vi.getTimerCount()).toBe(0);
    await german.arrive();
    expect(locale.language).toBe('de');
  });
});
