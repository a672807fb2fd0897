// The SLA clock (issue 21): business time as pure functions over a calendar, with no I/O. Instants
// are epoch milliseconds; a calendar's hours are wall-clock minutes in its IANA time zone, turned
// into instants day by day through Intl, so a day that loses or gains an hour (DST) counts the
// working time it really has.

/** One working range of a day: minutes after local midnight, [start, end), 0 ≤ start < end ≤ 1440. */
export type Range = readonly [number, number];

/** A holiday: one date (`2026-12-24`), or every year on a month and day (`yearly`, the year ignored). */
export interface Holiday { date: string; yearly: boolean; name?: string }

export interface Calendar {
  timeZone: string;
  /** Working ranges per weekday, 0 = Sunday … 6 = Saturday. */
  week: readonly (readonly Range[])[];
  holidays: readonly Holiday[];
}

/** Round the clock, every day: what a target "in calendar hours" counts. */
export const ALWAYS: Calendar = { timeZone: 'UTC', week: Array.from({ length: 7 }, () => [[0, 1440] as const]), holidays: [] };

const MINUTE = 60_000;
/** How far the clock looks ahead before it gives up (a calendar with no working time at all). */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the zone. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

interface Wall { y: number; m: number; d: number; hh: number; mm: number; ss: number }

function wallAt(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, hh: parts.hour! % 24, mm: parts.minute!, ss: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3 600 000). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallAt(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss);
  return asUtc - (ms - (ms % 1000 + 1000) % 1000);
}

/**
 * The instant of a wall-clock time in the zone. A time that does not exist (skipped by a spring
 * change) maps to the same distance after the gap; an ambiguous one (autumn) to its first instance.
 */
export function instantOf(y: number, m: number, d: number, minutes: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d) + minutes * MINUTE;
  // The offsets a day either side bracket any change near this time (zones change at most once a day).
  const before = guess - offsetAt(guess - 86_400_000, timeZone);
  const after = guess - offsetAt(guess + 86_400_000, timeZone);
  const reads = (t: number) => { const w = wallAt(t, timeZone); return Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm) === guess - (guess % MINUTE); };
  const fits = [before, after].filter(reads).sort((a, b) => a - b);
  return fits[0] ?? before;
}

interface Day { y: number; m: number; d: number }

function nextDay(day: Day): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + 1));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function isoDate(day: Day): string {
  return `${String(day.y).padStart(4, '0')}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}

function isHoliday(day: Day, holidays: readonly Holiday[]): boolean {
  const date = isoDate(day);
  return holidays.some((h) => (h.yearly ? h.date.slice(5) === date.slice(5) : h.date === date));
}

/** The working intervals of a local day, as instants, in order. */
function workingIntervals(day: Day, calendar: Calendar): Array<[number, number]> {
  if (isHoliday(day, calendar.holidays)) return [];
  const weekday = new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay();
  const ranges = [...(calendar.week[weekday] ?? [])].sort((a, b) => a[0] - b[0]);
  return ranges.map(([s, e]) => [instantOf(day.y, day.m, day.d, s, calendar.timeZone), instantOf(day.y, day.m, day.d, e, calendar.timeZone)]);
}

function hasWorkingTime(calendar: Calendar): boolean {
  return calendar.week.some((ranges) => ranges.some(([s, e]) => e > s));
}

/**
 * The instant `ms` milliseconds of working time after `from`. Null when the calendar has no working
 * time within three years (no hours at all, or every day a holiday).
 */
export function addWorkingTime(from: number, ms: number, calendar: Calendar): number | null {
  if (ms <= 0) return from;
  if (!hasWorkingTime(calendar)) return null;
  let remaining = ms;
  const w = wallAt(from, calendar.timeZone);
  // Start a day early: cheap insurance against an offset change around midnight.
  let day: Day = nextDay({ y: w.y, m: w.m, d: w.d - 2 });
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day)) {
    for (const [start, end] of workingIntervals(day, calendar)) {
      const s = Math.max(start, from);
      if (end <= s) continue;
      if (remaining <= end - s) return s + remaining;
      remaining -= end - s;
    }
  }
  return null;
}

/** Working time between two instants, in ms (0 when `to` is not after `from`). */
export function workingTimeBetween(from: number, to: number, calendar: Calendar): number {
  if (to <= from) return 0;
  const w = wallAt(from, calendar.timeZone);
  let day: Day = nextDay({ y: w.y, m: w.m, d: w.d - 2 });
  let total = 0;
  for (let i = 0; i < MAX_DAYS * 10; i++, day = nextDay(day)) {
    if (Date.UTC(day.y, day.m - 1, day.d) - 2 * 86_400_000 > to) break;
    for (const [start, end] of workingIntervals(day, calendar)) {
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (e > s) total += e - s;
    }
  }
  return total;
}

/** "Add N business minutes to instant T in calendar C". */
export function addBusinessMinutes(at: number, minutes: number, calendar: Calendar): number | null {
  return addWorkingTime(at, minutes * MINUTE, calendar);
}

/** "Business minutes between A and B" (whole minutes, rounded down). */
export function businessMinutesBetween(from: number, to: number, calendar: Calendar): number {
  return Math.floor(workingTimeBetween(from, to, calendar) / MINUTE);
}

/**
 * One SLA target's clock: it started at `startedAt`, runs for `minutes` of working time (business
 * hours in the calendar, or round the clock), and stands still while paused. Time spent paused is
 * kept in the clock's own unit (working ms), so the due time moves by exactly what the pause took.
 */
export interface Clock {
  startedAt: number;
  minutes: number;
  business: boolean;
  /** Working time spent paused before the current pause, in ms. */
  pausedMs: number;
  /** Since when the clock stands still, or null while it runs. */
  pausedSince: number | null;
}

function unitOf(clock: Pick<Clock, 'business'>, calendar: Calendar): Calendar {
  return clock.business ? calendar : ALWAYS;
}

/** When the target falls due, or null while paused (or when the calendar never works). */
export function dueAt(clock: Clock, calendar: Calendar): number | null {
  if (clock.pausedSince !== null) return null;
  return addWorkingTime(clock.startedAt, clock.minutes * MINUTE + clock.pausedMs, unitOf(clock, calendar));
}

export function pauseClock(clock: Clock, at: number): Clock {
  return clock.pausedSince !== null ? clock : { ...clock, pausedSince: at };
}

export function resumeClock(clock: Clock, at: number, calendar: Calendar): Clock {
  if (clock.pausedSince === null) return clock;
  return { ...clock, pausedMs: clock.pausedMs + workingTimeBetween(clock.pausedSince, at, unitOf(clock, calendar)), pausedSince: null };
}

/** Working time the clock has used by `at` (pauses left out), in ms. */
export function elapsed(clock: Clock, at: number, calendar: Calendar): number {
  const unit = unitOf(clock, calendar);
  const until = clock.pausedSince ?? at;
  return Math.max(0, workingTimeBetween(clock.startedAt, until, unit) - clock.pausedMs);
}
