/**
 * The UI's one message catalogue (docs/ui.md#language). Components never hold
 * a user-facing string: they call `t('area.key', { name })`, and numbers,
 * times and durations go through the `format*` helpers so they follow the
 * chosen language. English is the source catalogue and ships with the page;
 * every other language is type-checked to carry exactly its keys and is
 * fetched when chosen (./locale.svelte.ts), so `t` and `tn` stay synchronous:
 * they read the language whose catalogue is here.
 *
 * Plurals: a key with `.one` / `.other` (and, where a language needs them,
 * `.few` / `.many`…) variants is read with `tn(key, count)`, which picks the
 * variant by Intl.PluralRules.
 */
import { en, type MessageKey } from './en';
import { calendarDaysBefore, cached, hourStyle, numberFormat, sameLocalYear } from './formatters';
import { Locale } from './locale.svelte';

export type { MessageKey } from './en';
export { CatalogueLoadError, languages, systemLanguage, type Language, type LanguageChoice } from './locale.svelte';

/**
 * The language the UI speaks now; settings set `locale.choice`. German is a
 * chunk of its own, loaded the first time it is chosen. The shown language
 * goes on `<html lang>` when it is shown (screen readers pronounce by it), not
 * when it is chosen: until its messages are here the page still speaks the old one.
 */
export const locale = new Locale(
  { de: () => import('./de').then((m) => m.de) },
  {
    onShow: (language) => {
      const root = globalThis.document?.documentElement;
      if (root) root.lang = language;
    },
    onFailure: (error) => console.error(error),
  },
);

type Params = Readonly<Record<string, string | number>>;

function fill(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? formatNumber(v) : v;
  });
}

/** The message for `key` in the current language, `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Params): string {
  const text = locale.messages[key] ?? en[key];
  return fill(text, params);
}

type PluralBase<K> = K extends `${infer B}.other` ? B : never;
export type PluralKey = PluralBase<MessageKey>;

/** A counted message: `{count}` is filled, the variant chosen by the language's plural rules. */
export function tn(key: PluralKey, count: number, params?: Params): string {
  const rule = cached(`p|${locale.tag}`, () => new Intl.PluralRules(locale.tag)).select(count);
  const cat = locale.messages as Record<string, string>;
  const text = cat[`${key}.${rule}`] ?? cat[`${key}.other`] ?? (en as Record<string, string>)[`${key}.other`] ?? key;
  return fill(text, { count, ...params });
}

export function formatNumber(n: number): string {
  return numberFormat(locale.tag).format(n);
}

/** A time of day ("14:05", "09:05", "9:05 AM"), in the language's convention. */
export function formatTime(at: number): string {
  const tag = locale.tag;
  return cached(`t|${tag}`, () => new Intl.DateTimeFormat(tag, { hour: hourStyle(tag), minute: '2-digit' })).format(at);
}

/** A date and time ("29 Nov 2026, 14:05"). */
export function formatDateTime(at: number): string {
  const tag = locale.tag;
  return cached(`d|${tag}`, () => new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' })).format(at);
}

/**
 * When a call started, as short as a list column can show whole: the time for
 * today, "Yesterday, 14:05", the weekday within the week, the day and month
 * this year, the date alone before (the full date and time are in the row's
 * accessible name and its detail). `now` decides what "today" is.
 */
export function formatWhen(at: number, now: number): string {
  const tag = locale.tag;
  const daysAgo = calendarDaysBefore(at, now);
  if (daysAgo === 0) return formatTime(at);
  if (daysAgo === 1) return t('common.yesterdayAt', { time: formatTime(at) });
  const style: Intl.DateTimeFormatOptions =
    daysAgo > 1 && daysAgo < 7
      ? { weekday: 'short', hour: hourStyle(tag), minute: '2-digit' }
      : sameLocalYear(at, now)
        ? { month: 'short', day: 'numeric', hour: hourStyle(tag), minute: '2-digit' }
        : { year: 'numeric', month: 'short', day: 'numeric' };
  return cached(`w|${tag}|${JSON.stringify(style)}`, () => new Intl.DateTimeFormat(tag, style)).format(at);
}

/** A call timer: m:ss, or h:mm:ss from an hour (digits in the language's numbering). */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const two = (n: number) => numberFormat(locale.tag, { minimumIntegerDigits: 2 }).format(n);
  const one = (n: number) => numberFormat(locale.tag).format(n);
  return h > 0 ? `${one(h)}:${two(m % 60)}:${two(s % 60)}` : `${one(m)}:${two(s % 60)}`;
}

/** A duration in words for screen readers and summaries ("2 minutes 5 seconds"). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const unit = (value: number, u: 'hour' | 'minute' | 'second') =>
    numberFormat(locale.tag, { style: 'unit', unit: u, unitDisplay: 'long' }).format(value);
  const parts = [h > 0 ? unit(h, 'hour') : null, m > 0 ? unit(m, 'minute') : null, sec > 0 || s === 0 ? unit(sec, 'second') : null];
  return parts.filter(Boolean).join(' ');
}
