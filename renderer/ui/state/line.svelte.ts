import type { LineStatus } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { describeLine, describeLineOutcome } from './line-view';

/** The SIP line as pushed by main; the UI never guesses the state itself. */
export class LineModel {
  status = $state.raw<LineStatus | null>(null);
  readonly view = $derived(describeLine(this.status));
  /** The same status as the account form shows it (with what to do about a failure). */
  readonly outcome = $derived(describeLineOutcome(this.status));

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads, so no change between the two is missed. Returns the unsubscribe. */
  start(): () => void {
    // Pushes arrive in main's order: each one is the latest.
    const off = this.api.line.onChanged((status) => {
      this.status = status;
    });
    void this.refresh();
    return off;
  }

  /** Reads the status again: after an account save, so the form never shows the old line's state. */
  async refresh(): Promise<void> {
    const r = await this.api.line.status();
    if (r.ok) this.apply(r.value);
  }

  /** Registers again now; main's refusal (no account) comes back as its typed error. */
  async reconnect() {
    const r = await this.api.line.reconnect();
    if (r.ok) this.apply(r.value);
    return r;
  }

  /** A read may cross a push: the read counts only if it is not older. */
  private apply(status: LineStatus) {
    if (this.status === null || status.since >= this.status.since) this.status = status;
  }
}
