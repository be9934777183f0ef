import { describe, expect, it } from 'vitest';
import { AFTER_PAINT_FALLBACK_MS, afterPaint, afterPaintQueue } from '../../../renderer/ui/state/after-paint';
import { manualPaintClock } from '../../support/paint-clock';

describe('afterPaint', () => {
  it('runs the work after the next frame is painted, not before, and once', () => {
    const clock = manualPaintClock();
    const ran: string[] = [];
    afterPaint(() => ran.push('title'), clock);
    expect(ran).toEqual([]);
    clock.paint();
    expect(ran).toEqual(['title']);
    clock.paint();
    clock.elapse(AFTER_PAINT_FALLBACK_MS * 2);
    expect(ran).toEqual(['title']);
    expect(clock.pending()).toBe(0);
  });

  it('runs it anyway in a window that gets no frames (hidden or minimised)', () => {
    const clock = manualPaintClock();
    const ran: string[] = [];
    afterPaint(() => ran.push('title'), clock);
    clock.elapse(AFTER_PAINT_FALLBACK_MS - 1);
    expect(ran).toEqual([]);
    clock.elapse(1);
    expect(ran).toEqual(['title']);
    expect(clock.pending()).toBe(0);
  });

  it('never runs cancelled work, and leaves nothing pending', () => {
    const clock = manualPaintClock();
    const ran: string[] = [];
    const cancel = afterPaint(() => ran.push('stale title'), clock);
    cancel();
    clock.paint();
    clock.elapse(AFTER_PAINT_FALLBACK_MS);
    expect(ran).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});

describe('afterPaintQueue', () => {
  it('applies a burst after the paint, every value, in order', () => {
    const clock = manualPaintClock();
    const applied: number[] = [];
    const queue = afterPaintQueue<number>((v) => applied.push(v), clock);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(applied).toEqual([]);
    clock.paint();
    expect(applied).toEqual([1, 2, 3]);
    queue.push(4);
    expect(applied).toEqual([1, 2, 3]);
    clock.paint();
    expect(applied).toEqual([1, 2, 3, 4]);
  });

  it('applies nothing once disposed', () => {
    const clock = manualPaintClock();
    const applied: number[] = [];
    const queue = afterPaintQueue<number>((v) => applied.push(v), clock);
    queue.push(1);
    queue.dispose();
    clock.paint();
    clock.elapse(AFTER_PAINT_FALLBACK_MS);
    expect(applied).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});
