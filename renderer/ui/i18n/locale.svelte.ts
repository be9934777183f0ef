/**
 * Which language the UI shows, and getting its messages there
 * (docs/ui.md#language).
 *
 * English is part of the page the window loads at start: it is the source
 * catalogue and the fallback for every key. Every other language is a chunk
 * of its own, fetched the first time it is chosen, so a window that speaks
 * English never loads German (the start bundle budget, docs/testing.md).
 *
 *   choice ──(catalogue here?)── yes ──▶ shown = chosen language, at once
 *                  │ no
 *                  ▼
 *      loading = language; shown stays ──▶ loaded, still the latest choice ──▶ shown = it
 *                                     └──▶ failed, still the latest choice ──▶ failure; shown = English
 *
 * The shown language changes in one step, once its whole catalogue is here:
 * the UI is never half translated. English is always here, so going back to
 * it is immediate. Only the latest choice acts when a load ends, so quick
 * switches end on the last one. A failed load is not remembered: the next
 * choice of that language (after another) fetches it again.
 */
import { en, type Catalogue } from './en';

export const languages = ['en', 'de'] as const;
export type Language = (typeof languages)[number];
export type LanguageChoice = Language | 'system';
/** The languages fetched when chosen: all but English. */
export type FetchedLanguage = Exclude<Language, 'en'>;
/** How each fetched language's catalogue arrives (in the app, a dynamic `import()`). */
export type CatalogueLoaders = Readonly<Record<FetchedLanguage, () => Promise<Catalogue>>>;

/** The first of the OS's preferred languages the console speaks; English otherwise. */
export function systemLanguage(preferred: readonly string[] = globalThis.navigator?.languages ?? []): Language {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if ((languages as readonly string[]).includes(base)) return base as Language;
  }
  return 'en';
}

/** Why the chosen language is not shown: its catalogue did not arrive. English is shown instead. */
export class CatalogueLoadError extends Error {
  override readonly name = 'CatalogueLoadError';

  constructor(
    readonly language: FetchedLanguage,
    cause: unknown,
  ) {
    super(`The ${language} messages could not be loaded (${cause instanceof Error ? cause.message : String(cause)}); showing English.`, { cause });
  }
}

export interface LocaleOptions {
  /** Told each time a language is shown (the app puts it on `<html lang>`). */
  onShow?: (language: Language) => void;
  /** Told of a failed load (the app logs it). */
  onFailure?: (error: CatalogueLoadError) => void;
}

export class Locale {
  #choice = $state<LanguageChoice>('system');
  #shown = $state<Language>('en');
  #loading = $state<FetchedLanguage | null>(null);
  #failure = $state.raw<CatalogueLoadError | null>(null);

  /** BCP 47 tag for Intl: the OS's own regional tag when it speaks the shown language (en-GB dates for en-GB). */
  readonly tag = $derived.by(() => {
    const os = globalThis.navigator?.languages ?? [];
    return os.find((t) => t.toLowerCase().split('-')[0] === this.#shown) ?? this.#shown;
  });

  // Plain bookkeeping, not state: a catalogue is only ever read through the shown language.
  readonly #catalogues: Partial<Record<Language, Catalogue>> = { en };
  readonly #fetches: Partial<Record<FetchedLanguage, Promise<Catalogue>>> = {};
  /** Counts choices: a load that ends acts only if no choice came after the one that started it. */
  #turn = 0;
  /** Settles once the latest choice is shown or has failed. */
  #settled: Promise<void> = Promise.resolve();

  constructor(
    private readonly loaders: CatalogueLoaders,
    private readonly options: LocaleOptions = {},
  ) {
    this.#follow();
  }

  /** What the agent chose (settings set it). Setting it shows that language, after fetching its catalogue if need be. */
  get choice(): LanguageChoice {
    return this.#choice;
  }

  set choice(choice: LanguageChoice) {
    // Settings re-apply the same choice with every push of main's: not a new choice, so no new fetch.
    if (choice === this.#choice) return;
    this.#choice = choice;
    this.#follow();
  }

  /** The language the UI shows now: its catalogue is here. */
  get language(): Language {
    return this.#shown;
  }

  /** The language the choice asks for ('system': the OS's). */
  get chosen(): Language {
    return this.#choice === 'system' ? systemLanguage() : this.#choice;
  }

  /** The language being fetched for the choice, or null. */
  get loading(): FetchedLanguage | null {
    return this.#loading;
  }

  /** Why the chosen language is not shown, or null; cleared by the next choice. */
  get failure(): CatalogueLoadError | null {
    return this.#failure;
  }

  /** The shown language's messages. */
  get messages(): Catalogue {
    return this.#catalogues[this.#shown]!;
  }

  /**
   * Resolves once the chosen language is shown (true), or English is shown
   * instead because its catalogue failed (false); false too when `withinMs`
   * passes first — the language is then shown when it arrives. Never rejects.
   */
  async ready(withinMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      if (Number.isFinite(withinMs)) timer = setTimeout(() => resolve('late'), Math.max(0, withinMs));
    });
    try {
      for (;;) {
        const settled = this.#settled;
        if ((await Promise.race([settled, late])) === 'late') return false;
        // A choice made meanwhile has its own load: wait for that one.
        if (settled === this.#settled) return this.#shown === this.chosen;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #follow() {
    const turn = ++this.#turn;
    const wanted = this.chosen;
    this.#failure = null;
    if (this.#catalogues[wanted]) {
      this.#loading = null;
      this.#show(wanted);
      this.#settled = Promise.resolve();
      return;
    }
    // Not here yet (so not English): the current language stays until the whole catalogue is.
    const language = wanted as FetchedLanguage;
    this.#loading = language;
    this.#settled = this.#fetch(language).then(
      (catalogue) => {
        this.#catalogues[language] = catalogue;
        if (turn !== this.#turn) return;
        this.#loading = null;
        this.#show(language);
      },
      (cause: unknown) => {
        if (turn !== this.#turn) return;
        this.#loading = null;
        this.#failure = new CatalogueLoadError(language, cause);
        this.options.onFailure?.(this.#failure);
        this.#show('en');
      },
    );
  }

  /** One fetch per language at a time; a failed one is forgotten, so the next choice tries again. */
  #fetch(language: FetchedLanguage): Promise<Catalogue> {
    // A loader that throws at once fails like one that rejects.
    return (this.#fetches[language] ??= new Promise<Catalogue>((resolve) => resolve(this.loaders[language]())).finally(
      () => delete this.#fetches[language],
    ));
  }

  #show(language: Language) {
    this.#shown = language;
    this.options.onShow?.(language);
  }
}
