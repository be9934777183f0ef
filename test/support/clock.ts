/**
 * Clocks for the `Clock` port (main/calls/call/ports.ts): a fake one that only
 * moves when the test says so, and the real one with every timer cut short.
 */
import type { Clock } from '../../main/calls/call/ports';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * Time stands still until advance() or runAll(). Timers fire in the order they
 * are due (ties: the order they were set), each at its due time; a timer set by
 * a firing one fires in the same advance() when it is due by then. `pending` is
 * how many timers are set and not yet fired or cancelled: 0 after a test means
 * nothing leaked.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<Timer>();

  constructor(start = 1_000) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (fn: () => void, ms: number): (() => void) => {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return () => {
      this.#timers.delete(timer);
    };
  };

  get pending(): number {
    return this.#timers.size;
  }

  /** When the next timer is due, or null when none is set. */
  get nextAt(): number | null {
    return this.#next(Infinity)?.at ?? null;
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then as real time
   * would: now() reads each timer's due time while it fires, and the end time after.
   */
  advance(ms: number): void {
    const to = this.#now + ms;
    for (let timer = this.#next(to); timer; timer = this.#next(to)) {
      this.#now = Math.max(this.#now, timer.at);
      this.#fire(timer);
    }
    this.#now = to;
  }

  /** Sets the time without firing anything (what a test does to stamp the next event). */
  set(now: number): void {
    this.#now = now;
  }

  /**
   * Fires every timer, each at its own due time (now() moves to it), until none
   * is left; throws after `limit` timers, which means something re-arms forever.
   */
  runAll(limit = 10_000): void {
    for (let n = 0; ; n++) {
      const timer = this.#next(Infinity);
      if (!timer) return;
      if (n >= limit) throw new Error(`FakeClock.runAll: still ${this.pending} timer(s) after ${limit}: something re-arms forever`);
      this.#now = Math.max(this.#now, timer.at);
      this.#fire(timer);
    }
  }

  #next(dueBy: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at > dueBy) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #fire(timer: Timer) {
    this.#timers.delete(timer);
    timer.fn();
  }
}

/** The real clock, with every timer shortened to at most `maxMs`: real sockets, quick time-outs. */
export function hurriedClock(maxMs: number): Clock {
  return {
    now: Date.now,
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, Math.min(ms, maxMs));
      return () => clearTimeout(t);
    },
  };
}
