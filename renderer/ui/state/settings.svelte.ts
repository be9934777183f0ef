import type { ConsoleApi } from '../../../preload/ui-api';
import { AccountFormModel } from './account-form.svelte';
import { AgentSettingsModel } from './agent-settings.svelte';
import { AppearanceModel } from './appearance.svelte';
import { AudioSettingsModel } from './audio-settings.svelte';
import { DesktopSettingsModel } from './desktop-settings.svelte';
import { LineModel } from './line.svelte';
import { ProviderSettingsModel } from './provider-settings.svelte';
import { TargetsSettingsModel } from './targets-settings.svelte';
import { TransferSettingsModel } from './transfer-settings.svelte';
import { WorkspaceSettingsModel } from './workspace-settings.svelte';

/**
 * Models the settings view shares with the rest of the window: the account
 * form and the line belong to the console model (the header shows the line,
 * a first start opens on the account), the appearance model is built at
 * startup so the theme applies before the first paint. Their owner starts
 * them; a model not handed in is built and started here.
 */
export interface SharedSettingsModels {
  account?: AccountFormModel;
  line?: LineModel;
  appearance?: AppearanceModel;
}

/**
 * Every settings section's model, for <SettingsView>. One `start()` loads and
 * follows what each section shows and returns the one dispose; the view
 * itself starts nothing, so leaving it keeps the models (and their drafts).
 */
export class SettingsModels {
  readonly account: AccountFormModel;
  readonly line: LineModel;
  readonly appearance: AppearanceModel;
  readonly provider: ProviderSettingsModel;
  readonly targets: TargetsSettingsModel;
  readonly workspace: WorkspaceSettingsModel;
  readonly audio: AudioSettingsModel;
  readonly transfer: TransferSettingsModel;
  readonly agent: AgentSettingsModel;
  readonly desktop: DesktopSettingsModel;
  private readonly starters: Array<() => () => void> = [];

  constructor(
    private readonly api: ConsoleApi,
    shared: SharedSettingsModels = {},
  ) {
    this.line = shared.line ?? this.owned(new LineModel(api));
    this.appearance = shared.appearance ?? this.owned(new AppearanceModel(api));
    this.account = shared.account ?? this.ownAccount(new AccountFormModel(api));
    // The account form tells the line's real outcome after a save, not only "saved".
    this.account.followLine(this.line);
    this.provider = this.owned(new ProviderSettingsModel(api));
    this.targets = this.owned(new TargetsSettingsModel(api));
    this.workspace = this.owned(new WorkspaceSettingsModel(api));
    this.audio = this.owned(new AudioSettingsModel(api));
    this.transfer = this.owned(new TransferSettingsModel(api));
    this.agent = this.owned(new AgentSettingsModel(api));
    this.desktop = this.owned(new DesktopSettingsModel(api));
  }

  /** Starts every model built here; returns the dispose that stops them all. */
  start(): () => void {
    const stops = this.starters.map((start) => start());
    return () => {
      for (const stop of stops.splice(0).reverse()) stop();
    };
  }

  private owned<M extends { start(): () => void }>(model: M): M {
    this.starters.push(() => model.start());
    return model;
  }

  /** An account form of our own loads the saved account and follows it, as the console model does for its own. */
  private ownAccount(account: AccountFormModel): AccountFormModel {
    this.starters.push(() => {
      const stop = this.api.settings.onChanged((view) => {
        if (!account.saving) account.saved = view.account;
      });
      void this.api.settings.get().then((r) => {
        if (r.ok) account.load(r.value.account);
      });
      return stop;
    });
    return account;
  }
}
