/**
 * Calendar days in a time zone, as UTC instants: statistics count "a day" in the site's time zone,
 * while every stored time is UTC. Pure; no I/O.
 */
export interface LocalDay {
  /** The local date, YYYY-MM-DD. */
  date: string;
  /** The UTC instant the local day starts (ISO-8601), and the instant the next one starts. */
  start: string;
  end: string;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function partsIn(timeZone: string, ms: number) {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
function offsetAt(timeZone: string, ms: number): number {
  const p = partsIn(timeZone, ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of local midnight starting this local date (the offset is read twice for DST days). */
function midnight(timeZone: string, year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - offsetAt(timeZone, wall);
  return wall - offsetAt(timeZone, guess);
}

/** The UTC instant (ISO-8601) local midnight starts a local date (YYYY-MM-DD); `days` later for a range's end. */
export function localDayStart(timeZone: string, date: string, days = 0): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(midnight(timeZone, year, month, day + days)).toISOString();
}

const knownZones = new Set<string>();

/** Whether the runtime knows this IANA zone. */
export function isTimeZone(value: string): boolean {
  if (dateFormats.has(value) || knownZones.has(value)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    return false;
  }
  // Only zones the runtime knows are remembered, so the set stays as small as the zone database.
  knownZones.add(value);
  return true;
}

/** The last `count` local days up to and including today, oldest first. */
export function lastDays(timeZone: string, now: Date, count: number): LocalDay[] {
  const today = partsIn(timeZone, now.getTime());
  const days: LocalDay[] = [];
  for (let back = count - 1; back >= 0; back--) {
    // Date.UTC normalises day underflow (day 0 is the last day of the month before).
    const at = new Date(Date.UTC(today.year, today.month - 1, today.day - back));
    const [y, m, d] = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate()];
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    days.push({
      date: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      start: new Date(midnight(timeZone, y, m, d)).toISOString(),
      end: new Date(midnight(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate())).toISOString(),
    });
  }
  return days;
}
