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

  constructor(protected readonly api: ConsoleApi) {}

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
    try {
      const r = await this.api.settings.update(patch);
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
      this.saving = false;
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
