import { t } from '../i18n/index.svelte';
import { targetOf, type TargetEntry } from './target-search';
import type { TargetsModel } from './targets.svelte';
import type { StartKind, TransferModel } from './transfer.svelte';

/**
 * The keyboard transfer picker: opened for one call, it searches the same
 * targets as the panel; Enter transfers blind (main's default blind),
 * Shift+Enter attended. Typing a name only searches — a name never becomes a
 * number target — while a bare number or SIP address is offered first, so
 * Enter on it transfers there.
 */
export class PickerModel {
  /** The call being transferred; null while the picker is closed. */
  callId = $state<string | null>(null);
  /** The call's name for the picker's title. */
  party = $state('');
  query = $state('');
  /** Index of the highlighted result. */
  active = $state(0);
  /** Why Enter did nothing, or main's refusal (worded with the target). */
  error = $state<string | null>(null);
  busy = $state(false);

  /** With an empty query: the starred targets, then the recent numbers. */
  readonly results = $derived.by<TargetEntry[]>(() =>
    this.query.trim() === ''
      ? dedupe([...this.targets.starred, ...this.targets.entries.filter((e) => e.kind === 'recent')])
      : this.targets.search(this.query),
  );
  readonly isOpen = $derived(this.callId !== null);
  readonly current = $derived<TargetEntry | null>(this.results[this.active] ?? null);

  /** The picker talks to main only through the targets and transfer models it is given. */
  constructor(
    private readonly targets: TargetsModel,
    private readonly transfers: TransferModel,
  ) {}

  /** Nothing to subscribe: the targets and transfer models keep their own. Returns the close. */
  start(): () => void {
    return () => this.close();
  }

  /** Opens the picker for a call (bound to a key on the focused call card); `party` names the call in its title. */
  open(callId: string, party = ''): void {
    this.callId = callId;
    this.party = party;
    this.query = '';
    this.active = 0;
    this.error = null;
  }

  close(): void {
    this.callId = null;
    this.query = '';
    this.error = null;
  }

  type(query: string): void {
    this.query = query;
    this.active = 0;
    this.error = null;
  }

  /** Moves the highlight, wrapping at both ends. */
  step(delta: number): void {
    const n = this.results.length;
    if (n === 0) return;
    this.active = (((this.active + delta) % n) + n) % n;
  }

  highlight(index: number): void {
    if (index >= 0 && index < this.results.length) this.active = index;
  }

  /**
   * Transfers the call to the highlighted target. Resolves true when main
   * accepted it (the picker has closed); false leaves it open with the reason.
   */
  async choose(kind: StartKind): Promise<boolean> {
    const callId = this.callId;
    if (callId === null || this.busy) return false;
    const entry = this.current;
    if (!entry) {
      this.error = this.query.trim() === '' ? t('targets.picker.type') : t('targets.picker.none', { query: this.query.trim() });
      return false;
    }
    const target = targetOf(entry);
    if (!target) {
      this.error = t('targets.no-address', { target: entry.name });
      return false;
    }
    this.busy = true;
    this.error = null;
    const ok = await this.transfers.startTransfer(callId, target, kind, entry.name);
    this.busy = false;
    if (this.callId !== callId) return ok;
    if (ok) this.close();
    else this.error = this.transfers.errors[callId]?.message ?? null;
    return ok;
  }
}

function dedupe(entries: TargetEntry[]): TargetEntry[] {
  return entries.filter((e, i) => entries.findIndex((o) => o.key === e.key) === i);
}

/** The transfer keys in words, for the lead's keyboard help and the panel's hint. */
export function transferKeyHelp(): { drag: string; picker: string; undo: string } {
  return { drag: t('transfer.help.drag'), picker: t('transfer.help.picker'), undo: t('transfer.help.undo') };
}
