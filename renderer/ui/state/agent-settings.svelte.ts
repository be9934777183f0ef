import type { AgentView, Preferences } from '../../../preload/contract';
import { t } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type AgentPrefs = Preferences['agent'];
/** The preferences edited in a number field (seconds). */
export type AgentNumber = 'wrapUpSec' | 'wrapUpExtendSec';
export type QuietCalls = AgentPrefs['quietCalls'];
/** Field keys for messages: the preference leaf the control edits, as main names it (`agent.wrapUpSec`). */
export type AgentField = `agent.${keyof AgentPrefs}`;

/** Bounds of each number, the same as preload/contract/settings.ts (main checks them again). */
export const agentBounds: Readonly<Record<AgentNumber, { min: number; max: number }>> = {
  wrapUpSec: { min: 0, max: 1800 },
  wrapUpExtendSec: { min: 10, max: 600 },
};

const defaults: AgentPrefs = { wrapUpSec: 30, wrapUpExtendSec: 30, doNotDisturb: false, quietCalls: 'ring' };
const numbers: readonly AgentNumber[] = ['wrapUpSec', 'wrapUpExtendSec'];
const draftsOf = (prefs: AgentPrefs): Record<AgentNumber, string> => ({
  wrapUpSec: String(prefs.wrapUpSec),
  wrapUpExtendSec: String(prefs.wrapUpExtendSec),
});

/**
 * After-call work and availability (docs/desktop.md, "Agent status"): how
 * long a wrap-up lasts and what More time adds, what happens to calls while
 * the agent is quiet (away or do-not-disturb), and the do-not-disturb switch
 * itself. The numbers and the quiet-call choice are preferences saved at once
 * as one-leaf patches; do-not-disturb is the agent's status, so it goes
 * through agent:set-do-not-disturb and shows what main's agent view says.
 */
export class AgentSettingsModel extends PreferenceSection<AgentField> {
  agent = $state.raw<AgentPrefs>(defaults);
  /** What each number field shows: the agent's typing until it is saved or refused. */
  drafts = $state<Record<AgentNumber, string>>(draftsOf(defaults));
  /** Main's agent view (agent:status, agent:changed); null until it has answered. */
  view = $state.raw<AgentView | null>(null);
  /** How a quiet call is refused (the calls preference), for the words under "Refuse at once". */
  declineWith = $state<Preferences['calls']['declineWith']>('busy');
  /** The switch's position while main is asked; null when nothing is in flight. */
  private wantedDnd = $state<boolean | null>(null);

  /** The switch shows main's agent view; the preference stands in until the view has arrived. */
  readonly doNotDisturb = $derived(this.wantedDnd ?? this.view?.doNotDisturb ?? this.agent.doNotDisturb);
  readonly quietNow = $derived(this.view?.quiet ?? false);

  /** Loads the saved preferences and the agent's view; follows main's pushes. Returns the dispose. */
  start(): () => void {
    let pushed = false;
    const stops = [
      this.followSettings(),
      this.api.agent.onChanged((view) => {
        pushed = true;
        this.view = view;
      }),
    ];
    void this.api.agent.status().then((r) => {
      // A push that arrived first is newer than this answer.
      if (r.ok && !pushed) this.view = r.value;
    });
    return () => {
      for (const stop of stops) stop();
    };
  }

  load(preferences: Pick<Preferences, 'agent'> & Partial<Pick<Preferences, 'calls'>>) {
    // Spread over defaults: a view from an older main (or a test's partial one) may lack the section.
    const next = { ...defaults, ...preferences.agent };
    this.agent = next;
    this.declineWith = preferences.calls?.declineWith ?? 'busy';
    // A number the agent is typing, has had refused or is saving keeps its text; the others follow the saved value.
    const drafts = { ...this.drafts };
    for (const key of numbers) {
      if (!this.keepsDraft(`agent.${key}`)) drafts[key] = String(next[key]);
    }
    this.drafts = drafts;
  }

  /** Typing: the field follows; nothing is saved until the agent leaves it or presses Enter. */
  editNumber(key: AgentNumber, text: string) {
    this.drafts = { ...this.drafts, [key]: text };
    this.editing(`agent.${key}`);
    this.confirmation = null;
  }

  /** The agent left the field, pressed Enter or stepped with an arrow key: check, then save. */
  commitNumber(key: AgentNumber, text = this.drafts[key]) {
    this.drafts = { ...this.drafts, [key]: text };
    this.committed(`agent.${key}`);
    const field: AgentField = `agent.${key}`;
    const { min, max } = agentBounds[key];
    const trimmed = text.trim();
    const value = Number(trimmed);
    if (trimmed === '' || !Number.isInteger(value) || value < min || value > max) {
      this.errors = { ...this.errors, [field]: t('desktop.agent.check.wholeSeconds', { min, max }) };
      this.confirmation = null;
      return Promise.resolve(false);
    }
    // Equal to the saved value, with nothing else on its way: nothing to save. (Stepping 3 → 4 → 3 quickly
    // must still send the 3: main will otherwise end on the 4.)
    if (value === this.agent[key] && !this.errors[field] && !this.saveInFlight(field)) {
      this.drafts = { ...this.drafts, [key]: String(value) };
      return Promise.resolve(true);
    }
    this.agent = { ...this.agent, [key]: value };
    const done =
      key === 'wrapUpExtendSec'
        ? t('desktop.agent.saved.extend', { value })
        : value === 0
          ? t('desktop.agent.saved.wrapUpOff')
          : t('desktop.agent.saved.wrapUp', { value });
    return this.save({ agent: { [key]: value } }, field, done);
  }

  setQuietCalls(choice: QuietCalls) {
    this.agent = { ...this.agent, quietCalls: choice };
    return this.save(
      { agent: { quietCalls: choice } },
      'agent.quietCalls',
      t(choice === 'ring' ? 'desktop.agent.saved.quietRing' : 'desktop.agent.saved.quietReject'),
    );
  }

  /** Do-not-disturb is the agent's status: main switches it, keeps it in the preferences and answers with its view. */
  async setDoNotDisturb(on: boolean): Promise<boolean> {
    const field: AgentField = 'agent.doNotDisturb';
    this.formError = null;
    this.confirmation = null;
    this.clearError(field);
    this.wantedDnd = on;
    this.saving = true;
    try {
      const r = await this.api.agent.setDoNotDisturb({ on });
      if (!r.ok) {
        this.errors = { ...this.errors, [field]: r.fields?.on ?? r.message };
        return false;
      }
      this.view = r.value;
      this.confirmation = t(r.value.doNotDisturb ? 'desktop.agent.saved.dndOn' : 'desktop.agent.saved.dndOff');
      return true;
    } catch {
      this.formError = t('common.noAnswer');
      return false;
    } finally {
      // Whatever main answered, the switch now shows its view again.
      this.wantedDnd = null;
      this.saving = false;
    }
  }
}
