import type { CallActionName, CallSnapshot } from '../../../preload/contract';
import { SvelteSet } from 'svelte/reactivity';
import type { ConsoleApi } from '../../../preload/ui-api';

/**
 * Where the agent's next action is after an action: the slot of a call card
 * (its hold/mute toggle, its first button) or the dialer. The calls column
 * moves focus there once the new snapshot rendered, so focus never falls
 * back to the page body.
 */
export type FocusTarget = { callId: string; slot: 'card' | 'hold' | 'mute' | 'first' } | { dialer: true };

/**
 * Calls as pushed by main. The UI offers exactly `allowedActions`; it never
 * decides telephony rules. One request per call at a time: a double click on
 * Answer sends one answer, not an answer and a refusal.
 */
export class CallsModel {
  list = $state.raw<CallSnapshot[]>([]);
  target = $state('');
  /** The last refused action or dial, in main's words. */
  error = $state<string | null>(null);
  busy = $state(false);
  /** Calls with a request in flight (their buttons wait). */
  readonly inFlight = new SvelteSet<string>();
  /** The call whose keypad is open (physical digits go to it). */
  keypadFor = $state<string | null>(null);
  /** The card the agent last focused (keyboard commands act on it). */
  focusedId = $state<string | null>(null);
  /** Where focus goes after the next render; the calls column consumes it. */
  focusRequest = $state.raw<FocusTarget | null>(null);
  /**
   * The clock the call timers read (each computes from its call's timestamps).
   * It ticks once a second only while a call is up, and is set afresh with
   * every snapshot, so a call's timer is exact the moment it appears.
   */
  now = $state(Date.now());
  #ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly api: ConsoleApi) {}

  /** Subscribes first, then reads; returns the unsubscribe (listener and ticker). */
  start(): () => void {
    let pushed = false;
    let stopped = false;
    const off = this.api.calls.onChanged((list) => {
      pushed = true;
      this.take(list);
    });
    void this.api.calls.list().then((r) => {
      // An answer after the stop would start a ticker nobody clears.
      if (r.ok && !pushed && !stopped) this.take(r.value);
    });
    return () => {
      stopped = true;
      off();
      this.tick(false);
    };
  }

  /** Runs the one-second tick while `on`; an idle console keeps no timer. */
  private tick(on: boolean) {
    if (on && this.#ticker === null) this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
    if (!on && this.#ticker !== null) {
      clearInterval(this.#ticker);
      this.#ticker = null;
    }
  }

  private take(list: CallSnapshot[]) {
    this.list = list;
    this.now = Date.now();
    // An ended call's timer stands still (its endedAt), so only a call still up needs the tick.
    this.tick(list.some((c) => c.state !== 'ended'));
    if (this.keypadFor && !list.some((c) => c.id === this.keypadFor && c.allowedActions.includes('dtmf'))) this.keypadFor = null;
    if (this.focusedId && !list.some((c) => c.id === this.focusedId)) this.focusedId = null;
  }

  async dial(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    const r = await this.api.calls.dial({ target: this.target });
    this.busy = false;
    if (r.ok) {
      this.target = '';
      this.focusRequest = { callId: r.value.id, slot: 'first' };
    } else {
      this.error = r.message;
    }
  }

  /** The history's call back (or a dropped number): ready to dial, never dialled. */
  prefill(number: string) {
    this.target = number;
    this.error = null;
    this.focusRequest = { dialer: true };
  }

  async act(action: CallActionName, callId: string, tones?: string): Promise<void> {
    if (this.inFlight.has(callId) && action !== 'dtmf') return;
    this.error = null;
    this.inFlight.add(callId);
    const c = this.api.calls;
    try {
      const r =
        action === 'dtmf'
          ? await c.dtmf({ callId, tones: tones ?? '' })
          : action === 'decline'
            ? await c.decline({ callId })
            : await c[action]({ callId });
      if (!r.ok) this.error = r.message;
      else this.focusAfter(action, callId);
    } finally {
      this.inFlight.delete(callId);
    }
  }

  toggleKeypad(callId: string) {
    this.keypadFor = this.keypadFor === callId ? null : callId;
  }

  private focusAfter(action: CallActionName, callId: string) {
    switch (action) {
      case 'answer':
      case 'swap':
        this.focusedId = callId;
        this.focusRequest = { callId, slot: 'hold' };
        return;
      case 'hold':
      case 'unhold':
        this.focusRequest = { callId, slot: 'hold' };
        return;
      case 'mute':
      case 'unmute':
        this.focusRequest = { callId, slot: 'mute' };
        return;
      case 'hangup':
      case 'decline': {
        // The next call that is still up, else the dialer.
        const next = this.list.find((k) => k.id !== callId && k.state !== 'ended');
        this.focusRequest = next ? { callId: next.id, slot: 'card' } : { dialer: true };
        return;
      }
      case 'dtmf':
        return;
    }
  }
}
