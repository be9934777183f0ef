/**
 * One call opened in detail, and the agent's unsaved edits. Drafts are kept
 * per call in this model, which lives as long as the window: switching to
 * Calls and back, or opening another call, loses nothing typed. Saving goes
 * through main, whose validation decides; its refusal is shown under the
 * field it names (`fields`), or as the field's message.
 */
import type { CallDetail, CallSummary } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

export interface CallDraft {
  note: string;
  /** null: the agent has not touched the disposition (the saved one shows). */
  disposition: string | null;
}

export class HistoryDetailModel {
  /** The call shown, null when none is open. */
  openId = $state<number | null>(null);
  detail = $state.raw<CallDetail | null>(null);
  loading = $state(false);
  /** Why the call could not be read, in main's words. */
  error = $state<string | null>(null);
  drafts = $state<Record<number, CallDraft>>({});
  noteError = $state<string | null>(null);
  dispositionError = $state<string | null>(null);
  saving = $state<'note' | 'disposition' | null>(null);
  /** Which field was just saved (a short confirmation). */
  saved = $state<'note' | 'disposition' | null>(null);
  private request = 0;

  constructor(
    private readonly api: ConsoleApi,
    /** A saved edit changes the row in the list too. */
    private readonly updated: (call: CallSummary) => void,
  ) {}

  async open(id: number): Promise<void> {
    const mine = ++this.request;
    this.openId = id;
    if (this.detail?.call.id !== id) this.detail = null;
    this.loading = true;
    this.error = null;
    this.noteError = null;
    this.dispositionError = null;
    this.saved = null;
    const r = await this.api.history.get(id);
    if (mine !== this.request) return;
    this.loading = false;
    if (r.ok) this.detail = r.value;
    else this.error = r.message;
  }

  close(): void {
    this.request++;
    this.openId = null;
    this.detail = null;
    this.loading = false;
    this.error = null;
  }

  draft(id: number): CallDraft {
    return this.drafts[id] ?? { note: '', disposition: null };
  }

  /** The disposition field's text: the draft when edited, else what is saved. */
  dispositionText(id: number): string {
    return this.draft(id).disposition ?? (this.detail?.call.id === id ? (this.detail.call.disposition ?? '') : '');
  }

  editNote(id: number, text: string): void {
    this.drafts[id] = { ...this.draft(id), note: text };
    this.noteError = null;
    this.saved = null;
  }

  editDisposition(id: number, text: string): void {
    this.drafts[id] = { ...this.draft(id), disposition: text };
    this.dispositionError = null;
    this.saved = null;
  }

  hasUnsaved(id: number): boolean {
    const d = this.drafts[id];
    return !!d && (d.note.trim() !== '' || d.disposition !== null);
  }

  async saveNote(id: number): Promise<boolean> {
    if (this.saving) return false;
    this.saving = 'note';
    this.noteError = null;
    const r = await this.api.history.addNote({ id, text: this.draft(id).note });
    this.saving = null;
    if (!r.ok) {
      this.noteError = r.fields?.['text'] ?? r.message;
      return false;
    }
    this.clearDraft(id, 'note');
    this.applied(r.value, 'note');
    return true;
  }

  /** Saves the typed code; an empty field clears the disposition. */
  async saveDisposition(id: number, clear = false): Promise<boolean> {
    if (this.saving) return false;
    this.saving = 'disposition';
    this.dispositionError = null;
    const text = clear ? '' : this.dispositionText(id).trim();
    const r = await this.api.history.setDisposition({ id, code: text === '' ? null : text });
    this.saving = null;
    if (!r.ok) {
      this.dispositionError = r.fields?.['code'] ?? r.message;
      return false;
    }
    this.clearDraft(id, 'disposition');
    this.applied(r.value, 'disposition');
    return true;
  }

  private clearDraft(id: number, field: keyof CallDraft): void {
    const d = { ...this.draft(id), [field]: field === 'note' ? '' : null };
    if (d.note === '' && d.disposition === null) delete this.drafts[id];
    else this.drafts[id] = d;
  }

  private applied(detail: CallDetail, field: 'note' | 'disposition'): void {
    if (this.openId === detail.call.id) this.detail = detail;
    this.saved = field;
    this.updated(detail.call);
  }
}
