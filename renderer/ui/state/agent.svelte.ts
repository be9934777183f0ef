import type { AgentState, AgentView } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

/**
 * The agent's own status as main keeps it (available, away, wrap-up with its
 * end). The header offers exactly the view's `allowedActions`; the wrap-up
 * countdown ticks only while there is one.
 */
export class AgentModel {
  view = $state.raw<AgentView | null>(null);
  /** Main's refusal of the last change, in its words. */
  error = $state<string | null>(null);
  now = $state(Date.now());
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly api: ConsoleApi) {}

  start(): () => void {
    let pushed = false;
    const off = this.api.agent.onChanged((v) => {
      pushed = true;
      this.take(v);
    });
    void this.api.agent.status().then((r) => {
      if (r.ok && !pushed) this.take(r.value);
    });
    return () => {
      off();
      this.stopTicking();
    };
  }

  set(status: AgentState) {
    return this.run(() => this.api.agent.set({ status }));
  }
  extend() {
    return this.run(() => this.api.agent.extendWrapUp());
  }
  end() {
    return this.run(() => this.api.agent.endWrapUp());
  }

  private async run(fn: () => Promise<{ ok: true; value: AgentView } | { ok: false; message: string }>) {
    this.error = null;
    const r = await fn();
    if (r.ok) this.take(r.value);
    else this.error = r.message;
  }

  private take(v: AgentView) {
    this.view = v;
    this.now = Date.now();
    if (v.wrapUp && !this.ticker) this.ticker = setInterval(() => (this.now = Date.now()), 1000);
    if (!v.wrapUp) this.stopTicking();
  }

  private stopTicking() {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }
}
