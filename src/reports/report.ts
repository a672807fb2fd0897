import type { Db } from '../db/connect.js';
import { getSetting } from '../settings/settings.js';
import { REPORTS_ZONE_KEY } from './rebuild.js';
import {
  createdWithSla, durations, keyNames, openAt, perDay, ratingCounts,
  type DayRange, type Dimension, type ReportScope,
} from './queries.js';
import { totalOf, valueAt, type Dense } from './histogram.js';
import { ROLLUP_KEY } from './rollup.js';
import { rolledUp } from './rollup-queries.js';
import { reportTimeZone } from './zone.js';

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
export function median(sorted: ArrayLike<number>): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value at least `p` percent of the values do not exceed. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function spread(values: readonly number[]): Spread {
  // A typed array sorts numbers natively, several times faster than an array with a comparator.
  const sorted = Float64Array.from(values).sort();
  return { n: sorted.length, median: median(sorted), p90: percentile(sorted, 90) };
}

/**
 * The same from a histogram (the daily rollup's, histogram.ts): each value at a rank estimated in
 * its bucket, to whole seconds; exact for values alone in their bucket, and within 4.43 % + 1 s.
 */
export function histogramSpread(h: Dense): Spread {
  const n = totalOf(h);
  const at = (rank: number) => Math.round(valueAt(h, rank));
  return {
    n,
    median: n === 0 ? null : n % 2 === 1 ? at((n + 1) / 2) : (at(n / 2) + at(n / 2 + 1)) / 2,
    p90: n === 0 ? null : at(Math.max(1, Math.ceil(0.9 * n))),
  };
}

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

/** The local dates from `from` to `to`, both included. */
export function datesOf(range: DayRange): string[] {
  const dates: string[] = [];
  const end = Date.parse(`${range.to}T00:00:00Z`);
  for (let at = Date.parse(`${range.from}T00:00:00Z`); at <= end; at += 86_400_000) dates.push(new Date(at).toISOString().slice(0, 10));
  return dates;
}

/**
 * A key's counts and durations, before the percentiles: rows of one dimension add up to the whole.
 * The durations as they are (read from the ticket rows) or as a histogram (from the daily rollup).
 */
export interface Tally {
  created: number;
  firstReply: number[] | Dense;
  resolution: number[] | Dense;
  sla: Record<Target, { met: number; missed: number }>;
  ratings: { good: number; bad: number };
}

const emptyTally = (): Tally => ({
  created: 0, firstReply: [], resolution: [], ratings: { good: 0, bad: 0 },
  sla: { first_reply: { met: 0, missed: 0 }, next_reply: { met: 0, missed: 0 }, resolution: { met: 0, missed: 0 } },
});

const spreadOf = (durations: number[] | Dense) => (Array.isArray(durations) ? spread(durations) : histogramSpread(durations));

async function tallyBy(db: Db, scope: ReportScope, dim: Dimension, range: DayRange): Promise<Map<string, Tally>> {
  const [created, firstReply, resolution, ratings] = await Promise.all([
    createdWithSla(db, scope, dim, range), durations(db, scope, dim, 'first_reply', range),
    durations(db, scope, dim, 'resolution', range), ratingCounts(db, scope, dim, range),
  ]);
  const keys = new Set([...created.keys(), ...firstReply.keys(), ...resolution.keys(), ...ratings.keys()]);
  return new Map([...keys].map((key) => [key, {
    created: created.get(key)?.created ?? 0,
    firstReply: firstReply.get(key) ?? [],
    resolution: resolution.get(key) ?? [],
    sla: created.get(key)?.sla ?? emptyTally().sla,
    ratings: ratings.get(key) ?? { good: 0, bad: 0 },
  }]));
}

/** The whole, from the rows (read from the ticket rows) of a dimension where each ticket is in exactly one row (not tags). */
function sumOf(tallies: Iterable<Tally>): Tally {
  const sum = emptyTally();
  for (const one of tallies) {
    sum.created += one.created;
    // concat, not push(...): a busy quarter holds more durations than a call takes arguments.
    sum.firstReply = (sum.firstReply as number[]).concat(one.firstReply as number[]);
    sum.resolution = (sum.resolution as number[]).concat(one.resolution as number[]);
    sum.ratings.good += one.ratings.good;
    sum.ratings.bad += one.ratings.bad;
    for (const target of SLA_TARGETS) {
      sum.sla[target].met += one.sla[target].met;
      sum.sla[target].missed += one.sla[target].missed;
    }
  }
  return sum;
}

function figuresOf(tally: Tally): Figures {
  const resolution = spreadOf(tally.resolution);
  return {
    created: tally.created,
    solved: resolution.n,
    firstReply: spreadOf(tally.firstReply),
    resolution,
    sla: Object.fromEntries(SLA_TARGETS.map((target) => {
      const { met, missed } = tally.sla[target];
      return [target, { met, missed, percent: percent(met, met + missed) }];
    })) as Figures['sla'],
    ratings: { ...tally.ratings, percent: percent(tally.ratings.good, tally.ratings.good + tally.ratings.bad) },
  };
}

/**
 * The report over a range of local days: created and solved per day, the backlog at the end of each
 * day (created before, not yet solved, closed or cancelled), and the figures for the whole and per
 * value of the dimension.
 */
export async function buildReport(db: Db, scope: ReportScope, range: DayRange, by: Dimension): Promise<Report> {
  const timeZone = await reportTimeZone(db);
  const builtIn = await getSetting(db, REPORTS_ZONE_KEY);
  const { created, solved, done, openAtStart, rowTallies, totalTally } = scope.assigneeId === null && await rolledUpTo(db, range.to)
    ? await fromRollup(db, by, range)
    : await fromFacts(db, scope, by, range);
  const total = figuresOf(totalTally);
  let backlog = openAtStart;
  const days = datesOf(range).map((date) => {
    backlog += (created.get(date) ?? 0) - (done.get(date) ?? 0);
    return { date, created: created.get(date) ?? 0, solved: solved.get(date) ?? 0, backlog };
  });
  const names = await keyNames(db, by, [...rowTallies.keys()]);
  const rows = by === 'none' ? [] : [...rowTallies.entries()].map(([key, tally]) => ({ key, name: names.get(key) ?? null, ...figuresOf(tally) }))
    .sort((a, b) => b.created - a.created || b.solved - a.solved || a.key.localeCompare(b.key));
  return {
    range, by, timeZone, own: scope.assigneeId !== null,
    staleZone: builtIn !== undefined && builtIn !== timeZone ? builtIn : null,
    days, total, rows,
  };
}

interface Tallied {
  created: Map<string, number>;
  solved: Map<string, number>;
  done: Map<string, number>;
  openAtStart: number;
  rowTallies: Map<string, Tally>;
  totalTally: Tally;
}

/** Whether the daily rollup holds every ticket up to this local day (rollup.ts). */
async function rolledUpTo(db: Db, day: string): Promise<boolean> {
  const upto = await getSetting(db, ROLLUP_KEY);
  return upto !== undefined && upto >= day;
}

/**
 * The whole desk's figures from the daily rollup: the range's days times the dimension's values,
 * not its tickets. An agent's own report reads their own ticket rows (`fromFacts`), as many as one
 * person's tickets in the range.
 */
async function fromRollup(db: Db, by: Dimension, range: DayRange): Promise<Tallied> {
  const rolled = await rolledUp(db, by, range);
  const per = (key: 'created' | 'solved' | 'done') => new Map([...rolled.days].map(([day, counts]) => [day, counts[key]]));
  return { created: per('created'), solved: per('solved'), done: per('done'), openAtStart: rolled.openAtStart, rowTallies: rolled.rows, totalTally: rolled.total };
}

/** The figures from the ticket rows of the range (`report_facts`). */
async function fromFacts(db: Db, scope: ReportScope, by: Dimension, range: DayRange): Promise<Tallied> {
  // Each ticket is in one row of a dimension, so the rows add up to the whole (one set of queries),
  // except by tag, where a ticket is in as many rows as it has tags, or in none.
  const [created, solved, done, openAtStart, rowTallies, tagTotal] = await Promise.all([
    perDay(db, scope, 'created_day', range), perDay(db, scope, 'solved_day', range), perDay(db, scope, 'done_day', range),
    openAt(db, scope, range.from),
    tallyBy(db, scope, by, range), by === 'tag' ? tallyBy(db, scope, 'none', range) : Promise.resolve(null),
  ]);
  return { created, solved, done, openAtStart, rowTallies, totalTally: tagTotal?.get('') ?? sumOf(rowTallies.values()) };
}
