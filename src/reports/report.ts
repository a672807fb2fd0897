import { reportTimeZone } from './zone.js';
import type { Db } from '../db/connect.js';
import { getSetting } from '../settings/settings.js';
import { REPORTS_ZONE_KEY } from './rebuild.js';
import {
  countBefore, createdWithSla, durations, keyNames, perDay, ratingCounts,
  type DayRange, type Dimension, type ReportScope,
} from './queries.js';

export const SLA_TARGETS = ['first_reply', 'next_reply', 'resolution'] as const;
export type Target = (typeof SLA_TARGETS)[number];

/** How long tickets waited, in seconds: how many, the median and the 90th percentile. */
export interface Spread { n: number; median: number | null; p90: number | null }

export interface Figures {
  created: number;
  solved: number;
  firstReply: Spread;
  resolution: Spread;
  /** Per target: met and missed, and the share met in percent (null when none was decided). */
  sla: Record<Target, { met: number; missed: number; percent: number | null }>;
  ratings: { good: number; bad: number; percent: number | null };
}

export interface Row extends Figures { key: string; name: string | null }

export interface Day { date: string; created: number; solved: number; backlog: number }

export interface Report {
  range: DayRange;
  by: Dimension;
  timeZone: string;
  /** Only the reader's own tickets (an agent's report). */
  own: boolean;
  /** The rows were computed in another time zone than the site's now: a rebuild is due. */
  staleZone: string | null;
  days: Day[];
  total: Figures;
  /** One per value of the dimension (empty for `none`), most tickets created first. */
  rows: Row[];
}

/** The middle value (the mean of the two middle ones for an even count) of sorted numbers. */
export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value at least `p` percent of the values do not exceed. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, median: median(sorted), p90: percentile(sorted, 90) };
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/** The local dates from `from` to `to`, both included. */
export function datesOf(range: DayRange): string[] {
  const dates: string[] = [];
  const end = Date.parse(`${range.to}T00:00:00Z`);
  for (let at = Date.parse(`${range.from}T00:00:00Z`); at <= end; at += 86_400_000) dates.push(new Date(at).toISOString().slice(0, 10));
  return dates;
}

async function figuresBy(db: Db, scope: ReportScope, dim: Dimension, range: DayRange): Promise<Map<string, Figures>> {
  const [created, firstReply, resolution, ratings] = await Promise.all([
    createdWithSla(db, scope, dim, range), durations(db, scope, dim, 'first_reply', range),
    durations(db, scope, dim, 'resolution', range), ratingCounts(db, scope, dim, range),
  ]);
  const keys = new Set([...created.keys(), ...firstReply.keys(), ...resolution.keys(), ...ratings.keys()]);
  const out = new Map<string, Figures>();
  for (const key of keys) {
    const c = created.get(key);
    const r = ratings.get(key) ?? { good: 0, bad: 0 };
    const solvedTimes = resolution.get(key) ?? [];
    const sla = Object.fromEntries(SLA_TARGETS.map((target) => {
      const { met, missed } = c?.sla[target] ?? { met: 0, missed: 0 };
      return [target, { met, missed, percent: percent(met, met + missed) }];
    })) as Figures['sla'];
    out.set(key, {
      created: c?.created ?? 0,
      solved: solvedTimes.length,
      firstReply: spread(firstReply.get(key) ?? []),
      resolution: spread(solvedTimes),
      sla,
      ratings: { ...r, percent: percent(r.good, r.good + r.bad) },
    });
  }
  return out;
}

const EMPTY: Figures = {
  created: 0, solved: 0, firstReply: spread([]), resolution: spread([]),
  sla: { first_reply: { met: 0, missed: 0, percent: null }, next_reply: { met: 0, missed: 0, percent: null }, resolution: { met: 0, missed: 0, percent: null } },
  ratings: { good: 0, bad: 0, percent: null },
};

/**
 * The report over a range of local days: created and solved per day, the backlog at the end of each
 * day (created before, not yet solved, closed or cancelled), and the figures for the whole and per
 * value of the dimension.
 */
export async function buildReport(db: Db, scope: ReportScope, range: DayRange, by: Dimension): Promise<Report> {
  const timeZone = await reportTimeZone(db);
  const builtIn = await getSetting(db, REPORTS_ZONE_KEY);
  const [created, solved, done, createdBefore, doneBefore, totals, breakdown] = await Promise.all([
    perDay(db, scope, 'created_day', range), perDay(db, scope, 'solved_day', range), perDay(db, scope, 'done_day', range),
    countBefore(db, scope, 'created_day', range.from), countBefore(db, scope, 'done_day', range.from),
    figuresBy(db, scope, 'none', range), by === 'none' ? Promise.resolve(new Map<string, Figures>()) : figuresBy(db, scope, by, range),
  ]);
  // A ticket is done after it was created, so "done before the range" are all among "created before".
  let backlog = createdBefore - doneBefore;
  const days = datesOf(range).map((date) => {
    backlog += (created.get(date) ?? 0) - (done.get(date) ?? 0);
    return { date, created: created.get(date) ?? 0, solved: solved.get(date) ?? 0, backlog };
  });
  const names = await keyNames(db, by, [...breakdown.keys()]);
  const rows = [...breakdown.entries()].map(([key, figures]) => ({ key, name: names.get(key) ?? null, ...figures }))
    .sort((a, b) => b.created - a.created || b.solved - a.solved || a.key.localeCompare(b.key));
  return {
    range, by, timeZone, own: scope.assigneeId !== null,
    staleZone: builtIn !== undefined && builtIn !== timeZone ? builtIn : null,
    days, total: totals.get('') ?? EMPTY, rows,
  };
}
