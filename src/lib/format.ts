import { escapeHtml } from './text.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

// What Intl writes for a time depends only on the formatter and the minute (no format here shows
// seconds), and a desk shows the same times again and again (a list re-rendered, a conversation
// re-read): keep the strings, keyed by formatter and minute. Intl formatting with a time zone costs
// several microseconds a call, three or four calls a shown time, fifty times a list page. Bounded:
// emptied when full.
const MEMO_LIMIT = 20_000;
const memo = new Map<string, string>();
function kept(key: string, write: () => string): string {
  let text = memo.get(key);
  if (text === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    text = write();
    memo.set(key, text);
  }
  return text;
}

function formatMinute(id: string, formatter: Intl.DateTimeFormat, at: Date): string {
  return kept(`${id}|${Math.floor(at.getTime() / 60_000)}`, () => formatter.format(at));
}

/**
 * The Intl locale for a catalogue language. The desk's English is British in its dates
 * ("2 Mar 2026, 14:30"), whatever the browser's region; other languages are taken as they are.
 */
export function intlLocale(locale: string | undefined): string {
  return !locale || locale === 'en' ? 'en-GB' : locale;
}

/** A stored UTC time as the viewer reads it: in their time zone, written the way their language writes dates. */
export function formatTime(iso: string | null | undefined, timeZone = 'UTC', locale = 'en'): string {
  if (!iso) return '';
  const id = `${locale}|${timeZone}`;
  let formatter = formatters.get(id);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(intlLocale(locale), {
      timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
    });
    formatters.set(id, formatter);
  }
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? formatter.format(at) : formatMinute(id, formatter, at);
}

/** A calendar date (YYYY-MM-DD, no time zone) as the viewer's language writes it: "1 Mar 2026", "1. März 2026". */
export function formatDate(date: string | null | undefined, locale = 'en'): string {
  return calendarDate(date, locale, 'date', { year: 'numeric', month: 'short', day: 'numeric' });
}

/** A calendar date as a short day label, for a chart's axis: "14 Mar", "14. März". */
export function formatDayMonth(date: string, locale = 'en'): string {
  return calendarDate(date, locale, 'day-month', { month: 'short', day: 'numeric' });
}

/** A calendar date through a formatter made once per language and shape (a report draws 90 labels and more). */
function calendarDate(date: string | null | undefined, locale: string, shape: string, options: Intl.DateTimeFormatOptions): string {
  if (!date) return '';
  const at = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(at.getTime())) return date;
  const id = `${shape}|${locale}`;
  let formatter = formatters.get(id);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(intlLocale(locale), { timeZone: 'UTC', ...options });
    formatters.set(id, formatter);
  }
  return kept(`${id}|${date}`, () => formatter.format(at));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const relativeFormatters = new Map<string, Intl.RelativeTimeFormat>();
const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** "5 min ago", "in 2 hr", "yesterday" in the language: few distinct values, kept once written. */
function relative(locale: string, value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return kept(`rel|${locale}|${unit}|${value}`, () => {
    let formatter = relativeFormatters.get(locale);
    if (!formatter) relativeFormatters.set(locale, (formatter = new Intl.RelativeTimeFormat(intlLocale(locale), { style: 'short', numeric: 'auto' })));
    return formatter.format(value, unit);
  });
}

/** A part of a time (its wall day, clock, weekday, or date) in the zone, as formatMinute keeps it. */
function part(locale: string, timeZone: string, kind: 'day' | 'clock' | 'weekday' | 'month' | 'year', at: Date): string {
  return formatMinute(`${kind}|${locale}|${timeZone}`, partFormatter(locale, timeZone, kind), at);
}

function partFormatter(locale: string, timeZone: string, kind: 'day' | 'clock' | 'weekday' | 'month' | 'year'): Intl.DateTimeFormat {
  const id = `${kind}|${locale}|${timeZone}`;
  let formatter = partFormatters.get(id);
  if (!formatter) {
    const options: Intl.DateTimeFormatOptions = {
      day: { year: 'numeric', month: '2-digit', day: '2-digit' },
      clock: { hour: '2-digit', minute: '2-digit' },
      weekday: { weekday: 'short' },
      month: { month: 'short', day: 'numeric' },
      year: { year: 'numeric', month: 'short', day: 'numeric' },
    }[kind] as Intl.DateTimeFormatOptions;
    partFormatters.set(id, (formatter = new Intl.DateTimeFormat(kind === 'day' ? 'en-CA' : intlLocale(locale), { ...options, timeZone })));
  }
  return formatter;
}

/** A time's calendar day on the viewer's wall (YYYY-MM-DD). */
function wallDay(at: Date, timeZone: string): string {
  return part('en', timeZone, 'day', at);
}

// Today's date in the zone, kept for the minute: a list of fifty times asks for it fifty times.
// (Zone offsets are whole minutes, so within one minute the day cannot change.)
let today: { timeZone: string; minute: number; day: string } | null = null;
function wallToday(now: number, timeZone: string): string {
  const minute = Math.floor(now / MINUTE);
  if (today?.timeZone !== timeZone || today.minute !== minute) today = { timeZone, minute, day: wallDay(new Date(now), timeZone) };
  return today.day;
}

/** Whole calendar days between two wall days (YYYY-MM-DD). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / (24 * HOUR));
}

export interface RelativeOptions {
  timeZone: string;
  locale: string;
  /** "just now" in the viewer's language. */
  justNow: string;
  now?: number;
}

/**
 * A time as people say it, relative to now in the viewer's zone: "just now", "5 min ago", "3 hr ago"
 * (today), "yesterday 14:05", "Mon 14:05" (this week), "2 Mar" (this year), "2 Mar 2025"; and the
 * same forwards for times to come ("in 2 hr", "tomorrow 09:00").
 */
export function relativeTime(iso: string, options: RelativeOptions): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const now = options.now ?? Date.now();
  const { timeZone, locale } = options;
  const ago = now - at.getTime();
  const distance = Math.abs(ago);
  const sign = ago >= 0 ? -1 : 1;
  const atDay = wallDay(at, timeZone);
  const nowDay = wallToday(now, timeZone);
  const days = daysBetween(nowDay, atDay);
  const clock = () => part(locale, timeZone, 'clock', at);
  if (distance < MINUTE) return options.justNow;
  if (distance < HOUR) return relative(locale, sign * Math.floor(distance / MINUTE), 'minute');
  if (days === 0) return relative(locale, sign * Math.floor(distance / HOUR), 'hour');
  if (Math.abs(days) === 1) return `${relative(locale, days, 'day')} ${clock()}`;
  if (Math.abs(days) < 7) return `${part(locale, timeZone, 'weekday', at)} ${clock()}`;
  const sameYear = atDay.slice(0, 4) === nowDay.slice(0, 4);
  return part(locale, timeZone, sameYear ? 'month' : 'year', at);
}

/**
 * `<time datetime title>` with the relative time to read and the exact one (with its zone) on hover and focus.
 * The element is kept whole: what it says depends only on the time, the viewer's zone, language and
 * "today", and on how many whole minutes lie between the time and now (which side, how far), so a
 * list shown again within the same minute-distance costs one lookup per time instead of several
 * Intl calls and escapes.
 */
export function timeElement(iso: string | null | undefined, options: RelativeOptions): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return writeTimeElement(iso, options);
  const now = options.now ?? Date.now();
  const { timeZone, locale } = options;
  const ago = now - at;
  const distance = `${ago < 0 ? '-' : ''}${Math.floor(Math.abs(ago) / MINUTE)}`;
  return kept(`el|${locale}|${timeZone}|${wallToday(now, timeZone)}|${distance}|${options.justNow}|${iso}`,
    () => writeTimeElement(iso, { ...options, now }));
}

/**
 * Until when (epoch ms, exclusive) `timeElement(iso)` written at `now` reads the same: the next
 * change of its whole-minute distance from the time (timeElement's key), and at the latest the next
 * minute, before which the wall day cannot change (zone offsets are whole minutes).
 */
export function timeElementSteadyUntil(iso: string | null | undefined, now: number): number {
  const nextMinute = (Math.floor(now / MINUTE) + 1) * MINUTE;
  const at = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(at)) return nextMinute;
  const ago = now - at;
  const minutes = Math.floor(Math.abs(ago) / MINUTE);
  // Past: the distance grows at the next whole minute since. To come: it shrinks once less than
  // `minutes` whole minutes remain, and within the last minute, the sign goes when the time comes.
  const next = ago >= 0 ? at + (minutes + 1) * MINUTE : minutes === 0 ? at : at - minutes * MINUTE + 1;
  return Math.min(next, nextMinute);
}

function writeTimeElement(iso: string, options: RelativeOptions): string {
  const exact = formatTime(iso, options.timeZone, options.locale);
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(exact)}">${escapeHtml(relativeTime(iso, options))}</time>`;
}
