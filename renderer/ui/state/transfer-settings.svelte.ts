import type { Preferences } from '../../../preload/contract';
import { t } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type TransferPrefs = Preferences['transfer'];
/** The preferences edited in a number field (seconds). */
export type TransferNumber = 'safeBlindTimeoutSec' | 'undoWindowSec' | 'completeTimeoutSec';
export type IncomingRefer = TransferPrefs['incomingRefer'];
/** Field keys for messages: the preference leaf the control edits, as main names it (`transfer.undoWindowSec`). */
export type TransferField = `transfer.${keyof TransferPrefs}`;

/** Bounds of each number, the same as preload/contract/settings.ts (main checks them again). */
export const transferBounds: Readonly<Record<TransferNumber, { min: number; max: number; whole: boolean }>> = {
  safeBlindTimeoutSec: { min: 5, max: 300, whole: true },
  // Fractions are allowed by the contract (main rounds to milliseconds).
  undoWindowSec: { min: 0, max: 10, whole: false },
  completeTimeoutSec: { min: 2, max: 60, whole: true },
};

const defaults: TransferPrefs = {
  safeBlind: true,
  safeBlindTimeoutSec: 30,
  undoWindowSec: 3,
  completeTimeoutSec: 8,
  incomingRefer: 'ask',
};

const numbers: readonly TransferNumber[] = ['safeBlindTimeoutSec', 'undoWindowSec', 'completeTimeoutSec'];
const draftsOf = (prefs: TransferPrefs): Record<TransferNumber, string> => ({
  safeBlindTimeoutSec: String(prefs.safeBlindTimeoutSec),
  undoWindowSec: String(prefs.undoWindowSec),
  completeTimeoutSec: String(prefs.completeTimeoutSec),
});

/**
 * The agent's transfer settings: safe blind, the no-answer time, the undo
 * window, the completion wait and what happens when the far end REFERs a call
 * to us. Every change is saved at once through settings:update as a one-leaf
 * patch; numbers are checked here first (so a typo never reaches main) and
 * main's refusals are shown under the control that caused them.
 */
export class TransferSettingsModel extends PreferenceSection<TransferField> {
  transfer = $state.raw<TransferPrefs>(defaults);
  /** What each number field shows: the agent's typing until it is saved or refused. */
  drafts = $state<Record<TransferNumber, string>>(draftsOf(defaults));

  /** Loads the saved preferences and follows main's pushes. Returns the dispose. */
  start(): () => void {
    return this.followSettings();
  }

  load(preferences: Pick<Preferences, 'transfer'>) {
    // Spread over defaults: a view from an older main (or a test's partial one) may lack the section.
    const next = { ...defaults, ...preferences.transfer };
    this.transfer = next;
    // A number the agent is typing, has had refused or is saving keeps its text; the others follow the saved value.
    const drafts = { ...this.drafts };
    for (const key of numbers) {
      if (!this.keepsDraft(`transfer.${key}`)) drafts[key] = String(next[key]);
    }
    this.drafts = drafts;
  }

  setSafeBlind(on: boolean) {
    this.transfer = { ...this.transfer, safeBlind: on };
    return this.save({ transfer: { safeBlind: on } }, 'transfer.safeBlind', t(on ? 'settings.transfer.saved.safeBlindOn' : 'settings.transfer.saved.safeBlindOff'));
  }

  /** Typing: the field follows; nothing is saved until the agent leaves it or presses Enter. */
  editNumber(key: TransferNumber, text: string) {
    this.drafts = { ...this.drafts, [key]: text };
    this.editing(`transfer.${key}`);
    this.confirmation = null;
  }

  /** The agent left the field, pressed Enter or stepped with an arrow key: check, then save. */
  commitNumber(key: TransferNumber, text = this.drafts[key]) {
    this.drafts = { ...this.drafts, [key]: text };
    this.committed(`transfer.${key}`);
    const field: TransferField = `transfer.${key}`;
    const { min, max, whole } = transferBounds[key];
    const trimmed = text.trim();
    const value = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
      const message = t(whole ? 'settings.transfer.check.wholeSeconds' : 'settings.transfer.check.seconds', { min, max });
      this.errors = { ...this.errors, [field]: message };
      this.confirmation = null;
      return Promise.resolve(false);
    }
    // Equal to the saved value, with nothing else on its way: nothing to save. (Stepping 3 → 4 → 3 quickly
    // must still send the 3: main will otherwise end on the 4.)
    if (value === this.transfer[key] && !this.errors[field] && !this.saveInFlight(field)) {
      this.drafts = { ...this.drafts, [key]: String(value) };
      return Promise.resolve(true);
    }
    this.transfer = { ...this.transfer, [key]: value };
    return this.save({ transfer: { [key]: value } }, field, this.savedText(key, value));
  }

  setIncomingRefer(choice: IncomingRefer) {
    this.transfer = { ...this.transfer, incomingRefer: choice };
    return this.save(
      { transfer: { incomingRefer: choice } },
      'transfer.incomingRefer',
      t(choice === 'follow' ? 'settings.transfer.saved.referFollow' : 'settings.transfer.saved.referAsk'),
    );
  }

  private savedText(key: TransferNumber, value: number) {
    switch (key) {
      case 'safeBlindTimeoutSec':
        return t('settings.transfer.saved.noAnswer', { value });
      case 'undoWindowSec':
        return value === 0 ? t('settings.transfer.saved.undoOff') : t('settings.transfer.saved.undo', { value });
      case 'completeTimeoutSec':
        return t('settings.transfer.saved.completeWait', { value });
    }
  }
}
