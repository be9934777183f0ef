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

/**
 * How the language writes the hour of a time of day, as its own short time style does: "09:05" in German
 * or British English, "9:05 AM" in American English. Times built from parts (with seconds, a weekday, a
 * date) ask for it, so they agree with the plain ones.
 */
export const hourStyle = (tag: string): 'numeric' | '2-digit' =>
  cached(`h|${tag}`, () =>
    new Intl.DateTimeFormat(tag, { timeStyle: 'short' }).formatToParts(new Date(2000, 0, 1, 9, 5)).find((p) => p.type === 'hour')?.value.length === 2
      ? '2-digit'
      : 'numeric',
  );

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
