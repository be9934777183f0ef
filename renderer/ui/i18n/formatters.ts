/**
 * Intl formatters are costly to build (a date formatter ≈ 0.15 ms) and a scrolling list formats
 * every row: one per language tag and options, built once. Plain bookkeeping, not state.
 */
const formatters = new Map<string, unknown>();

export function cached<T>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (f === undefined) formatters.set(key, (f = make()));
  return f;
}

export const numberFormat = (tag: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat =>
  cached(`n|${tag}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(tag, options));

/** Local calendar days from `at` to `now` (0 the same day, 1 the day before), whatever the day's length in hours. */
export function calendarDaysBefore(at: number, now: number): number {
  const day = (ms: number) => {
    const d = new Date(ms);
    return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000;
  };
  return day(now) - day(at);
}

export const sameLocalYear = (at: number, now: number) => new Date(at).getFullYear() === new Date(now).getFullYear();
