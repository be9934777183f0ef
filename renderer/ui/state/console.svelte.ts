import type { AppInfo } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { AccountFormModel } from './account-form.svelte';
import { LineModel } from './line.svelte';
import { NoticesModel } from './notices.svelte';

export type ConsoleView = 'calls' | 'history' | 'settings';

/** The UI's root state: one instance per window, built over window.consoleApi. */
export class ConsoleModel {
  readonly line: LineModel;
  readonly notices: NoticesModel;
  readonly account: AccountFormModel;
  info = $state.raw<AppInfo | null>(null);
  view = $state<ConsoleView>('calls');
  private stops: Array<() => void> = [];

  constructor(private readonly api: ConsoleApi) {
    this.line = new LineModel(api);
    this.notices = new NoticesModel(api);
    this.account = new AccountFormModel(api);
  }

  start(): () => void {
    this.stops.push(this.line.start(), this.notices.start());
    this.stops.push(
      this.api.settings.onChanged((s) => {
        // Another window (or main) changed the account: show it unless the agent is editing.
        if (!this.account.saving) this.account.saved = s.account;
      }),
    );
    void this.api.settings.get().then((r) => {
      if (!r.ok) return;
      this.account.load(r.value.account);
      // First start: nothing to do before a SIP account exists.
      if (!r.value.account) this.view = 'settings';
    });
    void this.api.app.info().then((r) => {
      if (r.ok) this.info = r.value;
    });
    return () => this.dispose();
  }

  dispose() {
    for (const stop of this.stops.splice(0)) stop();
  }
}
