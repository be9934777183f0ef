/**
 * What "now" is for a list that shows dates by the day (history's start
 * times: "14:05", "Yesterday, 14:05", "Tue 14:05"). It is read when the list
 * appears and again just after each local midnight, by one timer armed for
 * that moment: never a ticking one (docs/performance.md, idle timers). A
 * timer that fires late, after the laptop slept, still reads the clock then.
 */
export interface DayClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserClock: DayClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Milliseconds from `at` to the next local midnight (a DST day is 23 or 25 hours long, so it is asked of Date). */
export function untilMidnight(at: number): number {
  const next = new Date(at);
  next.setHours(24, 0, 0, 0);
  return next.getTime() - at;
}

/** Calls `set` with the time now, then again after each local midnight, until the returned stop is called. */
export function followDays(set: (now: number) => void, clock: DayClock = browserClock): () => void {
  let handle: unknown = null;
  const read = () => {
    const now = clock.now();
    set(now);
    // A second past midnight: a timer is never early by more than the clock's own rounding.
    handle = clock.setTimeout(read, untilMidnight(now) + 1000);
  };
  read();
  return () => clock.clearTimeout(handle);
}
