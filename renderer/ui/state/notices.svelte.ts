import type { Notice } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

/** Notices main wants the agent to see once (e.g. a settings file kept aside); held in main until dismissed. */
export class NoticesModel {
  list = $state.raw<readonly Notice[]>([]);

  constructor(private readonly api: ConsoleApi) {}

  start(): () => void {
    const off = this.api.app.onNotice((notice) => this.add([notice]));
    void this.api.app.notices().then((r) => {
      if (r.ok) this.add(r.value);
    });
    return off;
  }

  /** Adds or refreshes by id (a notice may arrive both pushed and in the initial read). */
  add(notices: readonly Notice[]) {
    // A handful of notices at most: a linear scan is clearer than an index.
    const kept = this.list.filter((n) => !notices.some((m) => m.id === n.id));
    this.list = [...kept, ...notices].sort((a, b) => a.at - b.at);
  }

  async dismiss(id: string) {
    this.list = this.list.filter((n) => n.id !== id);
    await this.api.app.dismissNotice(id);
  }
}
