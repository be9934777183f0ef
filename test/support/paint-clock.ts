/**
 * A PaintClock (renderer/ui/state/after-paint.ts) the test drives: `paint()`
 * runs the pending animation-frame callbacks, then the tasks they queued;
 * `elapse(ms)` runs the timers due by then (the fallback of a hidden window).
 */
import type { PaintClock } from '../../renderer/ui/state/after-paint';

export function manualPaintClock(): PaintClock & { paint(): void; elapse(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  const frames = new Map<number, () => void>();
  const timers = new Map<number, { at: number; cb: () => void }>();
  const runDue = () => {
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) return;
      timers.delete(due[0]);
      due[1].cb();
    }
  };
  return {
    requestAnimationFrame(cb) {
      const id = nextId++;
      frames.set(id, cb);
      return id;
    },
    cancelAnimationFrame(id) {
      frames.delete(id);
    },
    setTimeout(cb, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, cb });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id as number);
    },
    paint() {
      const due = [...frames.values()];
      frames.clear();
      for (const cb of due) cb();
      runDue();
    },
    elapse(ms) {
      now += ms;
      runDue();
    },
    pending: () => frames.size + timers.size,
  };
}
