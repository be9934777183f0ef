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
