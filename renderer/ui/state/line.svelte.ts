import type { LineStatus } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';
import { describeLine } from './line-view';

/** The SIP line as pushed by main; the UI never guesses the state itself. */
export class LineModel {
  status = $state.raw<LineStatus | null>(null);
  readonly view = $derived(describeLine(this.status));

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads, so no change between the two is missed. Returns the unsubscribe. */
  start(): () => void {
    const off = this.api.line.onChanged((status) => {
      this.status = status;
    });
    void this.api.line.status().then((r) => {
      if (r.ok && (this.status === null || r.value.since >= this.status.since)) this.status = r.value;
    });
    return off;
  }
}
