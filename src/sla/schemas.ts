import * as z from 'zod';
import { flag, list, optionalId, text, withBlank } from '../lib/form.js';
import { isTimeZone, type Holiday, type Range } from './clock.js';

const RANGE = /^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/;

/** "09:00-12:00, 13:00-17:30" → [[540, 720], [780, 1050]]; '' is a day off. Null when malformed. */
export function parseDayHours(value: string): Range[] | null {
  const ranges: Range[] = [];
  for (const part of value.split(/[,;]/).map((p) => p.trim()).filter(Boolean)) {
    const m = RANGE.exec(part);
    if (!m) return null;
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Number(m[3]) * 60 + Number(m[4]);
    if (Number(m[2]) > 59 || Number(m[4]) > 59 || start >= end || end > 1440) return null;
    ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) if (ranges[i]![0] < ranges[i - 1]![1]) return null;
  return ranges;
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The form's text for a day's ranges. */
export function formatDayHours(ranges: readonly Range[]): string {
  return ranges.map(([s, e]) => `${hhmm(s)}-${hhmm(e)}`).join(', ');
}

const ONE_OFF = /^(\d{4})-(\d{2})-(\d{2})(?:\s+(.*))?$/;
const YEARLY = /^(\d{2})-(\d{2})(?:\s+(.*))?$/;

function validDay(month: number, day: number, year = 2024): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * One holiday a line: `2026-12-24 Christmas Eve` (that day only) or `12-25 Christmas Day` (every
 * year). Null when a line is malformed.
 */
export function parseHolidays(value: string): Holiday[] | null {
  const holidays: Holiday[] = [];
  for (const line of value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const one = ONE_OFF.exec(line);
    if (one) {
      if (!validDay(Number(one[2]), Number(one[3]), Number(one[1]))) return null;
      holidays.push({ date: `${one[1]}-${one[2]}-${one[3]}`, yearly: false, name: (one[4] ?? '').trim() });
      continue;
    }
    const yearly = YEARLY.exec(line);
    if (!yearly || !validDay(Number(yearly[1]), Number(yearly[2]))) return null;
    holidays.push({ date: `0000-${yearly[1]}-${yearly[2]}`, yearly: true, name: (yearly[3] ?? '').trim() });
  }
  return holidays;
}

export function formatHolidays(holidays: readonly Holiday[]): string {
  return holidays.map((h) => `${h.yearly ? h.date.slice(5) : h.date}${h.name ? ` ${h.name}` : ''}`).join('\n');
}

const dayHours = () => withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().transform((value, ctx) => {
  const ranges = parseDayHours(value);
  if (ranges === null) {
    ctx.addIssue({ code: 'custom', message: 'sla.errors.hours' });
    return z.NEVER;
  }
  return ranges;
})), [] as Range[]);

/** The business hours form: a name, a time zone, one field per weekday, holidays one a line. */
export const calendarSchema = z.object({
  name: text({ max: 100 }),
  timeZone: text({ max: 100 }).refine((zone) => zone === '' || isTimeZone(zone), { error: 'sla.errors.timeZone' }),
  day0: dayHours(), day1: dayHours(), day2: dayHours(), day3: dayHours(), day4: dayHours(), day5: dayHours(), day6: dayHours(),
  holidays: withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(20_000, { error: 'errors.tooLong' }).transform((value, ctx) => {
    const holidays = parseHolidays(value);
    if (holidays === null) {
      ctx.addIssue({ code: 'custom', message: 'sla.errors.holidays' });
      return z.NEVER;
    }
    return holidays;
  })), [] as Holiday[]),
  isDefault: flag(),
});
export type CalendarInput = z.output<typeof calendarSchema>;

/** Minutes for a target: empty is "no target", else a whole number from 1 to a year. */
const minutes = () => withBlank(z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()
  .refine((v) => v === '' || (/^\d{1,6}$/.test(v) && Number(v) >= 1 && Number(v) <= 525_600), { error: 'sla.errors.minutes' })
  .transform((v) => (v === '' ? null : Number(v)))), null);

const ids = () => withBlank(list().transform((values) => values.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0)), []);

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const CHANNELS = ['portal', 'email', 'agent', 'api'] as const;

/** The SLA policy form. */
export const policySchema = z.object({
  name: text({ max: 100 }),
  position: withBlank(z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : '0'), z.string()
    .regex(/^\d{1,6}$/, { error: 'sla.errors.position' }).transform(Number)), 0),
  active: flag(),
  priorities: withBlank(list().transform((values) => values.filter((v): v is (typeof PRIORITIES)[number] => (PRIORITIES as readonly string[]).includes(v))), []),
  typeIds: ids(), groupIds: ids(), organizationIds: ids(), brandIds: ids(),
  channels: withBlank(list().transform((values) => values.filter((v) => (CHANNELS as readonly string[]).includes(v))), []),
  tags: withBlank(z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(1000, { error: 'errors.tooLong' })
    .transform((v) => [...new Set(v.split(/[\s,]+/).map((t) => t.trim().toLowerCase()).filter(Boolean))])), [] as string[]),
  firstReplyMinutes: minutes(), firstReplyBusiness: flag(),
  nextReplyMinutes: minutes(), nextReplyBusiness: flag(),
  resolutionMinutes: minutes(), resolutionBusiness: flag(),
  calendarId: optionalId(),
  pauseOnHold: flag(),
  warnMinutes: withBlank(z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : '0'), z.string()
    .refine((v) => /^\d{1,5}$/.test(v) && Number(v) <= 10_080, { error: 'sla.errors.warn' }).transform(Number)), 0),
});
export type PolicyInput = z.output<typeof policySchema>;
