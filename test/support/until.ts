/**
 * Waiting in tests: `until` checks a condition now, then on every wake-up and
 * every `intervalMs`, and resolves with its first truthy value — or rejects
 * after `timeoutMs` saying what it waited for. Polling is fine in tests; code
 * that ships waits on events.
 */

export interface UntilOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** What is awaited, for the time-out message. */
  what?: string;
  /** How often to check without being woken (default 50 ms). */
  intervalMs?: number;
  /**
   * Subscribes a re-check to an event source (e.g. every push to the UI); returns
   * the unsubscribe. The check then runs synchronously inside the event, so a
   * state that lasts only until the next event is still seen.
   */
  wake?: (check: () => void) => () => void;
  /** More to say when it times out (the state the test saw last). */
  detail?: () => string;
}

type Falsy = undefined | null | false | 0 | '';

export function until<T>(condition: () => T | Falsy | Promise<T | Falsy>, options: UntilOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, what = 'condition', intervalMs = 50, wake, detail } = options;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    // An asynchronous condition is never evaluated twice at once; a wake-up meanwhile re-checks after it.
    let running = false;
    let again = false;
    // Set once subscribed; finish() may run before that (a wake-up during the subscription itself).
    const woken: { off?: () => void } = {};
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      woken.off?.();
      settle();
    };
    const check = (): void => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      let value: T | Falsy | Promise<T | Falsy>;
      try {
        value = condition();
      } catch (e) {
        finish(() => reject(e));
        return;
      }
      if (value instanceof Promise) {
        running = true;
        value.then(
          (v) => {
            running = false;
            if (v) finish(() => resolve(v));
            else if (again) {
              again = false;
              check();
            }
          },
          (e: unknown) => finish(() => reject(e)),
        );
        return;
      }
      if (value) {
        const v = value;
        finish(() => resolve(v));
      }
    };
    const poll = setInterval(check, intervalMs);
    const timer = setTimeout(() => {
      const more = detail ? `; ${detail()}` : '';
      finish(() => reject(new Error(`timed out (${timeoutMs} ms) waiting for ${what}${more}`)));
    }, timeoutMs);
    woken.off = wake?.(check);
    if (done) woken.off?.();
    else check();
  });
}
