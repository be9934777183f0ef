/**
 * When a search runs while the agent types. The first keystroke after a
 * pause runs at once (the list answers the first character without waiting);
 * keystrokes that follow within `quietMs` of each other wait until typing
 * pauses, so a burst of ten characters costs one or two queries, not ten.
 * Which answer is shown is the page store's business (generations), not
 * this one's: here only the timing.
 */
export interface TypingTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: TypingTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

export class TypingDebounce {
  private timer: unknown = null;
  private lastInput = -Infinity;
  private pending: string | null = null;

  constructor(
    private readonly run: (value: string) => void,
    private readonly quietMs: number,
    private readonly timers: TypingTimers = realTimers,
  ) {}

  /** A new value of the search box. */
  input(value: string): void {
    const now = this.timers.now();
    const idle = now - this.lastInput >= this.quietMs && this.timer === null;
    this.lastInput = now;
    if (idle) {
      this.run(value);
      return;
    }
    this.pending = value;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.fire(), this.quietMs);
  }

  /** Runs what is waiting now (Enter in the search box). */
  flush(): void {
    if (this.timer !== null) this.fire();
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private fire(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const value = this.pending;
    this.pending = null;
    if (value !== null) this.run(value);
  }
}
