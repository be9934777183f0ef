/**
 * Runs work the agent does not need to see a change once the frame that shows
 * the change has been painted: the next animation frame, then a task queued
 * from it. The window title and a history refresh wait there, so they never sit
 * between a ringing call and its card on screen (docs/performance.md, "The
 * ringing card"). A hidden or minimised window gets no animation frames, so a
 * fallback timer runs the work anyway. Returns a cancel; the work runs once.
 */
export interface PaintClock {
  requestAnimationFrame(cb: () => void): number;
  cancelAnimationFrame(id: number): void;
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export const browserClock: PaintClock = {
  requestAnimationFrame: (cb) => requestAnimationFrame(cb),
  cancelAnimationFrame: (id) => cancelAnimationFrame(id),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/** At most this long when no frame comes (a hidden window): the title still follows the calls. */
export const AFTER_PAINT_FALLBACK_MS = 100;

export function afterPaint(work: () => void, clock: PaintClock = browserClock, fallbackMs = AFTER_PAINT_FALLBACK_MS): () => void {
  let done = false;
  let afterFrame: unknown = null;
  const run = () => {
    if (done) return;
    cancel();
    work();
  };
  const frame = clock.requestAnimationFrame(() => {
    // The frame's callbacks run before its style, layout and paint; a task queued here runs after them.
    afterFrame = clock.setTimeout(run, 0);
  });
  const fallback = clock.setTimeout(run, fallbackMs);
  function cancel() {
    done = true;
    clock.cancelAnimationFrame(frame);
    clock.clearTimeout(fallback);
    if (afterFrame !== null) clock.clearTimeout(afterFrame);
  }
  return cancel;
}

/**
 * Applies pushed values in order, each batch after the next paint: a burst of pushes that arrives
 * while a card is being shown is handled once that card is on screen, none is lost or reordered.
 */
export function afterPaintQueue<T>(apply: (value: T) => void, clock: PaintClock = browserClock): { push(value: T): void; dispose(): void } {
  let queued: T[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel = null;
    const batch = queued;
    queued = [];
    for (const value of batch) apply(value);
  };
  return {
    push(value) {
      queued.push(value);
      cancel ??= afterPaint(flush, clock);
    },
    dispose() {
      cancel?.();
      cancel = null;
      queued = [];
    },
  };
}
