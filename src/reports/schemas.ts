import * as z from 'zod';
import type { FieldErrors } from '../lib/errors.js';
import { choice, readForm, text } from '../lib/form.js';
import { DIMENSIONS, type DayRange, type Dimension } from './queries.js';

/** The longest range a report covers (a year and a day: a leap year, both ends included). */
export const MAX_DAYS = 366;
/** The range shown when none is chosen: the last 30 days up to today. */
export const DEFAULT_DAYS = 30;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar date that exists (not 2026-02-30, which some parsers roll over into March). */
function realDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

function localDate() {
  return text({ required: false, max: 10, format: { pattern: DATE, error: 'reports.errors.date' } })
    .refine((value) => value === '' || !DATE.test(value) || realDate(value), { error: 'reports.errors.date' });
}

/** The report form (a GET form: its fields are the page's query string). */
export const reportSchema = z.object({
  from: localDate(),
  to: localDate(),
  by: choice(DIMENSIONS, { blank: 'none' }),
});

export interface ReportInput { range: DayRange; by: Dimension }

const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

/**
 * The chosen range and breakdown, with the mistakes in them: an empty end is today (in the site's time
 * zone), an empty start the 30 days up to the end. The fields as typed, to show the form again.
 */
export function readReportQuery(query: unknown, today: string): { value: ReportInput; fields: { from: string; to: string; by: string }; errors: FieldErrors } {
  const raw = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const { value, errors } = readForm(reportSchema, raw);
  const to = errors.to ? today : value.to || today;
  const from = errors.from ? shift(to, -(DEFAULT_DAYS - 1)) : value.from || shift(to, -(DEFAULT_DAYS - 1));
  if (!errors.from && !errors.to) {
    if (from > to) errors.to = 'reports.errors.order';
    else if (daysBetween(from, to) > MAX_DAYS) errors.to = 'reports.errors.tooLong';
  }
  const given = (name: 'from' | 'to', fallback: string) => {
    const typed = raw[name];
    return typeof typed === 'string' && typed !== '' ? typed : fallback;
  };
  const fields = { from: given('from', from), to: given('to', to), by: value.by };
  const range = errors.from || errors.to ? { from: shift(today, -(DEFAULT_DAYS - 1)), to: today } : { from, to };
  return { value: { range, by: value.by }, fields, errors };
}
