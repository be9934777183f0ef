import type { Preferences } from '../../../preload/contract';
import { locale, t } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type AppearancePrefs = Preferences['appearance'];
export type ThemeChoice = AppearancePrefs['theme'];
export type LanguageChoice = AppearancePrefs['language'];
export type AppearanceField = `appearance.${keyof AppearancePrefs}`;

const defaults: AppearancePrefs = { theme: 'system', language: 'system' };

/**
 * Where the last applied choice is remembered for the next start, so the
 * window paints in the agent's theme and language at once instead of
 * flashing the OS's until main has answered. Main's settings stay the truth:
 * this copy is overwritten by every load.
 */
const firstPaintKey = 'agent-console.appearance';

function remembered(): AppearancePrefs | null {
  try {
    const raw = globalThis.localStorage?.getItem(firstPaintKey);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<AppearancePrefs>;
    const theme = (['system', 'light', 'dark'] as const).find((v) => v === value.theme);
    const language = (['system', 'en', 'de'] as const).find((v) => v === value.language);
    return theme && language ? { theme, language } : null;
  } catch {
    // No storage (a locked-down profile) or a damaged entry: main's answer will do.
    return null;
  }
}

function remember(prefs: AppearancePrefs) {
  try {
    globalThis.localStorage?.setItem(firstPaintKey, JSON.stringify(prefs));
  } catch {
    // Only the first paint of the next start is affected.
  }
}

/**
 * How the console looks and speaks: the theme (system / light / dark) lands on
 * `<html data-theme>` (theme.css picks the colours), the language on the
 * message catalogue's `locale.choice` and on `<html lang>` (screen readers
 * pronounce by it). Built at startup, before any view, and also the model of
 * Settings → Appearance: a choice is applied at once and saved through
 * settings:update; a refusal puts the saved choice back.
 */
export class AppearanceModel extends PreferenceSection<AppearanceField> {
  appearance = $state.raw<AppearancePrefs>(defaults);

  /** Applies the remembered choice at once, then main's, and follows main's pushes. Returns the dispose. */
  start(): () => void {
    const early = remembered();
    if (early) this.apply(early);
    return this.followSettings();
  }

  load(preferences: Pick<Preferences, 'appearance'>) {
    // Spread over defaults: a view from an older main (or a test's partial one) may lack the section.
    this.apply({ ...defaults, ...preferences.appearance });
    remember(this.appearance);
  }

  chooseTheme(theme: ThemeChoice) {
    this.apply({ ...this.appearance, theme });
    return this.save({ appearance: { theme } }, 'appearance.theme', t(`settings.appearance.saved.theme.${theme}`));
  }

  /** Why the chosen language is not shown (its messages failed to load), in words; null when it is. */
  get languageProblem(): string | null {
    const failure = locale.failure;
    if (!failure) return null;
    const names = { de: t('settings.appearance.language.de') } as const;
    return t('settings.appearance.language.failed', { language: names[failure.language] });
  }

  async chooseLanguage(language: LanguageChoice) {
    this.apply({ ...this.appearance, language });
    // Saved at once; confirmed in the new language, since the agent just chose to read it — and a
    // language other than English may still be on its way (it loads when chosen: docs/ui.md#language).
    // Bounded: a chunk that never comes leaves the confirmation in English.
    const saving = this.save({ appearance: { language } }, 'appearance.language', '');
    await locale.ready(2_000);
    const saved = await saving;
    if (saved) this.confirmation = t('settings.appearance.saved.language');
    return saved;
  }

  private apply(prefs: AppearancePrefs) {
    this.appearance = prefs;
    locale.choice = prefs.language === 'system' ? 'system' : prefs.language;
    const root = globalThis.document?.documentElement;
    if (!root) return;
    root.dataset.theme = prefs.theme;
    root.lang = locale.language;
  }
}
