/**
 * "Remind me" times (issue 20), worked out in the agent's own time zone: later today (in three
 * hours), tomorrow at 9:00, next Monday at 9:00; or a date and time the agent typed (a
 * datetime-local value, read in the same zone). All as UTC ISO instants.
 */
export const PRESETS = ['later_today', 'tomorrow', 'next_monday'] as const;
export type Preset = (typeof PRESETS)[number];

const LATER_TODAY_MS = 3 * 3600_000;

/** The wall clock of an instant in a zone: year, month (1–12), day, hour, minute, ISO weekday (1 = Monday). */
function wallClock(ms: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const n = (type: string) => Number(part(type));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday')) + 1;
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour'), minute: n('minute'), second: n('second'), weekday };
}

/** Milliseconds the zone is ahead of UTC at the given instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/** A wall-clock time in the zone as an instant (across a DST change, the offset at the instant itself). */
function wallToIso(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): string {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let ms = wall - zoneOffset(wall, timeZone);
  ms = wall - zoneOffset(ms, timeZone);
  return new Date(ms).toISOString();
}

/** The instant a preset means for someone in `timeZone` at `now`. */
export function presetTime(preset: Preset, timeZone: string, now = Date.now()): string {
  if (preset === 'later_today') return new Date(Math.ceil((now + LATER_TODAY_MS) / 60_000) * 60_000).toISOString();
  const today = wallClock(now, timeZone);
  // Days ahead: tomorrow, or the coming Monday (a week on when today is Monday). Date.UTC rolls months over.
  const ahead = preset === 'tomorrow' ? 1 : ((8 - today.weekday) % 7) || 7;
  const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
  return wallToIso(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 9, 0, timeZone);
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** A datetime-local value read in the zone, as an instant; null when it is no real date and time. */
export function localToIso(value: string, timeZone: string): string | null {
  const m = LOCAL_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  return wallToIso(year, month, day, hour, minute, timeZone);
}

/** An instant as a datetime-local value in the zone (the custom field's default: tomorrow 9:00). */
export function isoToLocal(iso: string, timeZone: string): string {
  const w = wallClock(Date.parse(iso), timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}
