import type { Db } from '../db/connect.js';
import { getSetting } from '../settings/settings.js';
import { cappedCounts, statusLookup } from '../tickets/list.js';
import { EMPTY_FILTER, viewFilter } from '../tickets/list-filter.js';
import { resolvedScope } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { isTimeZone, lastDays, type LocalDay } from './days.js';
import { countsPerDay, durationsSince, oldestUnanswered, ratingCounts } from './queries.js';

export const WINDOW_DAYS = 30;
const UNANSWERED_SHOWN = 8;

export interface DayFigures extends LocalDay { created: number; solved: number }

export interface Dashboard {
  timeZone: string;
  /** Capped counts (COUNT_CAP+1 means "more than"); `pending` is null when the workflow has no pending status. */
  counts: { myOpen: number; unassigned: number; pending: number | null };
  days: DayFigures[];
  medianFirstResponseMs: number | null;
  medianResolutionMs: number | null;
  ratings: { good: number; bad: number; percentGood: number | null };
  unanswered: { id: number; subject: string; created_at: string }[];
}

/** The middle value of sorted numbers (the mean of the two middle ones for an even count). */
export function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "A day" in statistics is a day in the site's time zone (an unknown stored zone falls back to UTC). */
export async function siteTimeZone(db: Db): Promise<string> {
  const zone = await getSetting(db, 'site_time_zone');
  return zone && isTimeZone(zone) ? zone : 'UTC';
}

/**
 * The agent's home, scoped like every list: an agent of restricted groups only sees figures about
 * their groups' tickets, so the dashboard never reveals what the list would hide.
 */
export async function dashboardFor(db: Db, actor: Actor, now = new Date()): Promise<Dashboard> {
  const timeZone = await siteTimeZone(db);
  const days = lastDays(timeZone, now, WINDOW_DAYS);
  const from = days[0]!.start;
  const to = days.at(-1)!.end;
  const lookup = await statusLookup(db);
  const hasPending = lookup(['pending']).length > 0;
  const views = ['my_open', 'unassigned', ...(hasPending ? ['pending'] : [])];
  const counts = await cappedCounts(db, actor, views.map((view) => ({ ...EMPTY_FILTER, view, ...viewFilter(view) })), lookup);
  const scope = await resolvedScope(db, actor);
  const perDay = await countsPerDay(db, scope, days);
  const ratings = await ratingCounts(scope, from, to);
  const rated = ratings.good + ratings.bad;
  return {
    timeZone,
    counts: { myOpen: counts[0]!, unassigned: counts[1]!, pending: hasPending ? counts[2]! : null },
    days: days.map((day, i) => ({ ...day, ...perDay[i]! })),
    medianFirstResponseMs: median(await durationsSince(scope, 'first_response_at', from, to)),
    medianResolutionMs: median(await durationsSince(scope, 'solved_at', from, to)),
    ratings: { ...ratings, percentGood: rated === 0 ? null : Math.round((ratings.good / rated) * 100) },
    unanswered: await oldestUnanswered(scope, lookup(['draft']), UNANSWERED_SHOWN),
  };
}
