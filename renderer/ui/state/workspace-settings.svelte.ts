import type { Preferences } from '../../../preload/contract';
import { t } from '../i18n/index.svelte';
import { PreferenceSection } from './preference-section.svelte';

export type WorkspacePrefs = Preferences['workspace'];
export type DropAction = WorkspacePrefs['dropAction'];
export type WorkspaceField = `workspace.${keyof WorkspacePrefs}`;

const defaults: WorkspacePrefs = { dropAction: 'ask', favourites: [] };

/**
 * The agent's workspace settings: what dropping a call on a target does
 * without a modifier key (ask, or start a blind or an attended transfer at
 * once). Saved at once as a one-leaf patch; the favourites are starred in the
 * workspace itself, not here.
 */
export class WorkspaceSettingsModel extends PreferenceSection<WorkspaceField> {
  workspace = $state.raw<WorkspacePrefs>(defaults);

  /** Loads the saved preferences and follows main's pushes. Returns the dispose. */
  start(): () => void {
    return this.followSettings();
  }

  load(preferences: Pick<Preferences, 'workspace'>) {
    // Spread over defaults: a view from an older main (or a test's partial one) may lack the section.
    this.workspace = { ...defaults, ...preferences.workspace };
  }

  chooseDropAction(dropAction: DropAction) {
    this.workspace = { ...this.workspace, dropAction };
    return this.save({ workspace: { dropAction } }, 'workspace.dropAction', t(`settings.workspace.saved.${dropAction}`));
  }
}
