import type { DemoPace, DemoView, Result } from '../../../preload/contract';
import type { ConsoleApi } from '../../../preload/ui-api';

/**
 * The built-in demo as main runs it (docs/demo.md): whether it is on,
 * starting or off, whether it can run here at all, and the pace of its
 * callers. Starting, leaving and sending a caller are main's to do; a
 * refusal is shown in main's words. `inDemo` is what the header and the
 * first-run screen follow.
 */
export class DemoModel {
  view = $state.raw<DemoView | null>(null);
  /** Main's refusal of the last request, in its words. */
  error = $state<string | null>(null);
  /** A request is on its way (a second click waits for it). */
  busy = $state(false);
  /** A caller was sent: said once, politely. */
  confirmation = $state<string | null>(null);

  /** The demo runs (or is on its way in or out): the line is the demo's. */
  readonly inDemo: boolean;
  readonly available: boolean;

  constructor(private readonly api: ConsoleApi) {
    this.inDemo = $derived(this.view?.state === 'on' || this.view?.state === 'leaving');
    this.available = $derived(this.view?.available ?? false);
  }

  start(): () => void {
    let pushed = false;
    const off = this.api.demo.onChanged((v) => {
      pushed = true;
      this.view = v;
    });
    void this.api.demo.state().then((r) => {
      if (r.ok && !pushed) this.view = r.value;
    });
    return off;
  }

  /** Resolves with the view main answered, once known (the first-run screen waits for it). */
  async load(): Promise<DemoView | null> {
    if (this.view) return this.view;
    const r = await this.api.demo.state();
    if (r.ok) this.view = r.value;
    return r.ok ? r.value : null;
  }

  begin(pace?: DemoPace): Promise<boolean> {
    return this.run(() => this.api.demo.start({ pace: pace ?? this.view?.pace ?? 'steady' }));
  }

  leave(): Promise<boolean> {
    return this.run(() => this.api.demo.leave());
  }

  setPace(pace: DemoPace): Promise<boolean> {
    return this.run(() => this.api.demo.setPace({ pace }));
  }

  async sendCaller(confirmation: string): Promise<boolean> {
    const ok = await this.run(() => this.api.demo.sendCaller());
    if (ok) this.confirmation = confirmation;
    return ok;
  }

  private async run(fn: () => Promise<Result<DemoView>>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    this.confirmation = null;
    try {
      const r = await fn();
      if (r.ok) this.view = r.value;
      else this.error = r.message;
      return r.ok;
    } finally {
      this.busy = false;
    }
  }
}
