import type { Err, Preferences, PreferencesPatch } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { t } from '../i18n/index.svelte';

/**
 * What every settings section does the same way: follow the saved
 * preferences, save one leaf at a time through settings:update, show main's
 * refusal under the control that caused it (its preference path, e.g.
 * `transfer.undoWindowSec`), and confirm a save in a few words.
 */
export abstract class PreferenceSection<Field extends string> {
  errors = $state.raw<Partial<Record<Field, string>>>({});
  formError = $state<string | null>(null);
  /** Short confirmation of the last save, announced politely. */
  confirmation = $state<string | null>(null);
  saving = $state(false);
  /**
   * Saves under way, per control. An agent stepping a number with the arrow keys sends a save per step;
   * each answer (and main's push) carries the value of its own step, so while a later step is still on
   * its way an earlier one's echo must not put the older value back in the field. Plain bookkeeping.
   */
  readonly #inFlight: Partial<Record<Field, number>> = {};

  constructor(protected readonly api: ConsoleApi) {}

  /** Fields the agent has typed into and not yet committed (left, Enter, an arrow step). */
  readonly #editing: Partial<Record<Field, true>> = {};

  /** Whether a save of `field` is on its way to main: its field shows what the agent set, not an echo. */
  protected saveInFlight(field: Field): boolean {
    return (this.#inFlight[field] ?? 0) > 0;
  }

  /** The agent typed into `field`: until it is committed, no push (another control's save, another window) replaces the text. */
  protected editing(field: Field): void {
    this.#editing[field] = true;
  }

  /** The agent committed `field`: from here its error or its save in flight decide what it shows. */
  protected committed(field: Field): void {
    delete this.#editing[field];
  }

  /**
   * Whether a field keeps the text it shows when main's preferences arrive: while the agent is typing in it,
   * while it holds a refusal to correct, and while its save is on its way (an earlier echo is older).
   */
  protected keepsDraft(field: Field): boolean {
    return this.#editing[field] === true || this.errors[field] !== undefined || this.saveInFlight(field);
  }

  /** Shows the saved preferences (a view from an older main may lack a section: fill in defaults). */
  abstract load(preferences: Preferences): void;

  /** Loads the saved preferences and follows main's pushes; returns the unsubscribe. */
  protected followSettings(): () => void {
    const stop = this.api.settings.onChanged((view) => this.load(view.preferences));
    void this.api.settings.get().then((r) => {
      if (r.ok) this.load(r.value.preferences);
    });
    return stop;
  }

  /**
   * Puts the saved values back on screen after a refusal or no answer, so a
   * switch or a choice shows what is really in force. Sections keep their own
   * drafts (typed numbers, a file path) across it.
   */
  protected restore(_field: Field): void {
    void this.api.settings.get().then((r) => {
      if (r.ok) this.load(r.value.preferences);
    });
  }

  protected clearError(field: Field) {
    const next = { ...this.errors };
    delete next[field];
    this.errors = next;
  }

  protected async save(patch: PreferencesPatch, field: Field, done: string): Promise<boolean> {
    this.formError = null;
    this.confirmation = null;
    this.clearError(field);
    this.saving = true;
    this.#inFlight[field] = (this.#inFlight[field] ?? 0) + 1;
    const landed = () => (this.#inFlight[field] = (this.#inFlight[field] ?? 1) - 1);
    try {
      let r: Awaited<ReturnType<ConsoleApi['settings']['update']>>;
      try {
        r = await this.api.settings.update(patch);
      } finally {
        // Before its answer is shown: the last save's answer puts main's value in the field.
        landed();
      }
      if (r.ok) {
        this.load(r.value.preferences);
        this.confirmation = done;
        return true;
      }
      this.showError(r, field);
      return false;
    } catch {
      this.formError = t('common.noAnswer');
      this.restore(field);
      return false;
    } finally {
      this.saving = Object.values<number | undefined>(this.#inFlight).some((n) => (n ?? 0) > 0);
    }
  }

  private showError(e: Err, field: Field) {
    const fields = Object.entries(e.fields ?? {});
    const next = { ...this.errors };
    for (const [path, message] of fields) next[path as Field] = message;
    // No field named: the message belongs to the control the agent just used.
    if (fields.length === 0) next[field] = e.message;
    this.errors = next;
    this.restore(field);
  }
}
