import type { Preferences } from '../../../preload/contract';
import { t, tn } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type TargetsPrefs = Preferences['targets'];
export type TargetList = keyof TargetsPrefs;
export type TargetPart = 'name' | 'address';
/** Message keys as main names them: the list (`targets.queues`) or one cell (`targets.queues.2.address`). */
export type TargetsField = `targets.${TargetList}` | `targets.${TargetList}.${number}.${TargetPart}`;

/** One row being edited; `key` keeps a row's inputs (and focus) while rows come and go. */
export interface TargetRow {
  readonly key: number;
  readonly name: string;
  readonly address: string;
}

export const targetLists: readonly TargetList[] = ['queues', 'colleagues'];
/** The contract's limits (preload/contract/settings.ts); main checks them again. */
export const targetLimits: Readonly<Record<TargetList, number>> = { queues: 200, colleagues: 500 };

const defaults: TargetsPrefs = { queues: [], colleagues: [] };
const same = (rows: readonly TargetRow[], saved: TargetsPrefs[TargetList]) =>
  rows.length === saved.length && rows.every((r, i) => r.name === saved[i]?.name && r.address === saved[i]?.address);

/**
 * The queues and colleagues the admin configured: each list edited as rows of
 * name + address and saved whole (names must be unique within a list, which
 * only the whole list can tell). Empty cells and repeated names are caught
 * here; main checks the addresses and the limits and its messages land under
 * the cell they name. Unsaved rows survive main's pushes.
 */
export class TargetsSettingsModel extends PreferenceSection<TargetsField> {
  saved = $state.raw<TargetsPrefs>(defaults);
  rows = $state.raw<Readonly<Record<TargetList, readonly TargetRow[]>>>({ queues: [], colleagues: [] });
  readonly dirty = $derived<Readonly<Record<TargetList, boolean>>>({
    queues: !same(this.rows.queues, this.saved.queues),
    colleagues: !same(this.rows.colleagues, this.saved.colleagues),
  });
  private nextKey = 1;

  /** Loads the saved lists and follows main's pushes. Returns the dispose. */
  start(): () => void {
    return this.followSettings();
  }

  load(preferences: Pick<Preferences, 'targets'>) {
    const next = { ...defaults, ...preferences.targets };
    const rows = { ...this.rows };
    // A list with unsaved edits keeps them; the others show what main has.
    for (const list of targetLists) if (!this.dirty[list]) rows[list] = next[list].map((t) => this.row(t.name, t.address));
    this.saved = next;
    this.rows = rows;
  }

  /** Adds an empty row at the end; returns its key (the view focuses its name). */
  add(list: TargetList): number {
    const row = this.row('', '');
    this.replace(list, [...this.rows[list], row]);
    return row.key;
  }

  edit(list: TargetList, key: number, part: TargetPart, value: string) {
    const index = this.rows[list].findIndex((r) => r.key === key);
    if (index < 0) return;
    this.rows = { ...this.rows, [list]: this.rows[list].map((r) => (r.key === key ? { ...r, [part]: value } : r)) };
    this.confirmation = null;
    this.clearError(`targets.${list}.${index}.${part}`);
  }

  remove(list: TargetList, key: number) {
    this.replace(
      list,
      this.rows[list].filter((r) => r.key !== key),
    );
  }

  /** Puts the saved list back, dropping unsaved edits. */
  revert(list: TargetList) {
    this.replace(
      list,
      this.saved[list].map((t) => this.row(t.name, t.address)),
    );
  }

  /** Checks the list, then saves it whole; resolves false when something must be fixed first. */
  saveList(list: TargetList): Promise<boolean> {
    const rows = this.rows[list].map((r) => ({ ...r, name: r.name.trim(), address: r.address.trim() }));
    this.rows = { ...this.rows, [list]: rows };
    const problems = checkRows(list, rows);
    this.errors = { ...this.withoutErrorsOf(list), ...problems };
    if (Object.keys(problems).length > 0) {
      this.confirmation = null;
      return Promise.resolve(false);
    }
    const entries = rows.map(({ name, address }) => ({ name, address }));
    return this.save({ targets: { [list]: entries } }, `targets.${list}`, tn(`settings.targets.saved.${list}`, entries.length));
  }

  /** The first cell with a message, for focus after a refused save. */
  firstProblem(list: TargetList): { key: number; part: TargetPart } | null {
    for (const [index, row] of this.rows[list].entries()) {
      for (const part of ['name', 'address'] as const) if (this.errors[`targets.${list}.${index}.${part}`]) return { key: row.key, part };
    }
    return null;
  }

  private row(name: string, address: string): TargetRow {
    return { key: this.nextKey++, name, address };
  }

  /** A row added or removed: indexes move, so the list's cell messages no longer point at the right rows. */
  private replace(list: TargetList, rows: readonly TargetRow[]) {
    this.rows = { ...this.rows, [list]: rows };
    this.errors = this.withoutErrorsOf(list);
    this.confirmation = null;
  }

  private withoutErrorsOf(list: TargetList) {
    return Object.fromEntries(Object.entries(this.errors).filter(([field]) => !field.startsWith(`targets.${list}`)));
  }
}

/** What is wrong before main is asked: empty cells, repeated names, too many rows. */
export function checkRows(list: TargetList, rows: readonly Pick<TargetRow, 'name' | 'address'>[]): Partial<Record<TargetsField, string>> {
  const problems: Partial<Record<TargetsField, string>> = {};
  const seen: string[] = [];
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (name === '') problems[`targets.${list}.${index}.name`] = t('settings.targets.check.nameEmpty');
    else if (seen.includes(name.toLowerCase())) problems[`targets.${list}.${index}.name`] = t('settings.targets.check.nameTwice');
    seen.push(name.toLowerCase());
    if (row.address.trim() === '') problems[`targets.${list}.${index}.address`] = t('settings.targets.check.addressEmpty');
  });
  if (rows.length > targetLimits[list]) problems[`targets.${list}`] = t(`settings.targets.check.tooMany.${list}`, { max: targetLimits[list] });
  return problems;
}
