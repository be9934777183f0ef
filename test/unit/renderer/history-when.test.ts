/**
 * History's start-time column (formatWhen, renderer/ui/i18n/index.svelte.ts):
 * by the day, short enough for the column whole, in the shown language; and
 * the day clock behind it (renderer/ui/state/today.ts), which moves "today"
 * on at local midnight with one timer and no tick.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime, formatWhen, locale } from '../../../renderer/ui/i18n/index.svelte';
import { formatStepTime } from '../../../renderer/ui/state/history-describe';
import { followDays, untilMidnight } from '../../../renderer/ui/state/today';

// Local times, so the cases hold in whatever time zone the tests run.
const at = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
const now = at(2026, 11, 30, 10, 0); // a Monday

afterEach(() => {
  locale.choice = 'system';
  vi.useRealTimers();
});

describe('formatWhen', () => {
  it('gives the time alone today, even for a call at one minute past midnight', () => {
    expect(formatWhen(at(2026, 11, 30, 9, 5), now)).toMatch(/^9:05\sAM$/);
    expect(formatWhen(at(2026, 11, 30, 0, 1), now)).toMatch(/^12:01\sAM$/);
  });

  it('says yesterday for the calendar day before, however few hours ago', () => {
    expect(formatWhen(at(2026, 11, 29, 23, 59), now)).toMatch(/^Yesterday, 11:59\sPM$/);
    expect(formatWhen(at(2026, 11, 29, 0, 0), now)).toMatch(/^Yesterday, 12:00\sAM$/);
  });

  it('names the weekday within the week, the day and month this year, the date alone before', () => {
    expect(formatWhen(at(2026, 11, 26, 14, 5), now)).toMatch(/^Thu 2:05\sPM$/);
    expect(formatWhen(at(2026, 11, 23, 14, 5), now)).toMatch(/^Nov 23, 2:05\sPM$/);
    expect(formatWhen(at(2026, 1, 2, 8, 0), now)).toMatch(/^Jan 2, 8:00\sAM$/);
    expect(formatWhen(at(2025, 12, 31, 23, 44), now)).toBe('Dec 31, 2025');
  });

  it('is never longer than the full date and time it stands for', () => {
    for (let days = 0; days < 400; days += 1) {
      const start = now - days * 86_400_000 - 7 * 3_600_000;
      expect(formatWhen(start, now).length, new Date(start).toString()).toBeLessThanOrEqual(formatDateTime(start).length);
    }
  });

  it('follows the shown language', async () => {
    locale.choice = 'de';
    await locale.ready();
    expect(formatWhen(at(2026, 11, 30, 9, 5), now)).toBe('09:05');
    expect(formatWhen(at(2026, 11, 29, 23, 59), now)).toBe('Gestern, 23:59');
    expect(formatWhen(at(2026, 11, 26, 14, 5), now)).toBe('Do., 14:05');
    // German writes the hour with two digits, as its own short time style does, in every time built from parts.
    expect(formatWhen(at(2026, 11, 26, 9, 5), now)).toBe('Do., 09:05');
    expect(formatStepTime(at(2026, 11, 26, 9, 5) + 7000)).toBe('09:05:07');
    locale.choice = 'en';
    await locale.ready();
    expect(formatStepTime(at(2026, 11, 26, 9, 5) + 7000)).toMatch(/^9:05:07\sAM$/);
  });
});

describe('followDays', () => {
  it('reads now at once, again just after each local midnight, and stops with no timer left', () => {
    vi.useFakeTimers({ now: at(2026, 11, 30, 23, 0) });
    const seen: number[] = [];
    const stop = followDays((t) => seen.push(t));
    expect(seen).toEqual([at(2026, 11, 30, 23, 0)]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(3_600_000); // midnight itself: not yet past it
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(seen.at(-1)).toBe(at(2026, 12, 1, 0, 0) + 1000);
    vi.advanceTimersByTime(86_400_000);
    expect(seen).toHaveLength(3);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts to midnight by the calendar, not by 24 hours', () => {
    expect(untilMidnight(at(2026, 11, 30, 23, 0))).toBe(at(2026, 12, 1) - at(2026, 11, 30, 23, 0));
    expect(untilMidnight(at(2026, 11, 30))).toBe(at(2026, 12, 1) - at(2026, 11, 30));
  });
});
