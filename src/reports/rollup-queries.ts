import type { Db } from '../db/connect.js';
import { addStored, emptyDense } from './histogram.js';
import { before, cover, SPANS } from './rollup.js';
import type { DayRange, Dimension } from './queries.js';
import type { Tally } from './report.js';

/**
 * A whole-desk report from the daily rollup (rollup.ts): the cells covering the range (a few blocks
 * of days and the days at its ends) times the dimension's values, however many tickets those days
 * hold; the range's single days for the series; and the backlog when the range starts, from the
 * whole desk's changes of it in the blocks and days before.
 */
export interface RolledUp {
  /** Per local day: created, solved, and done (solved, closed or cancelled). */
  days: Map<string, { created: number; solved: number; done: number }>;
  openAtStart: number;
  total: Tally;
  /** Per value of the dimension (none for `none`). */
  rows: Map<string, Tally>;
}

type Row = Awaited<ReturnType<typeof cellsOf>>[number];

/** The cells covering the range, one range of the key per span (an OR of them read the whole dimension). */
async function cellsOf(db: Db, dim: Dimension, range: DayRange) {
  const cells = cover(range.from, range.to);
  const parts = await Promise.all(SPANS.map((span) => [span, cells.filter((c) => c.span === span).map((c) => c.day)] as const)
    .filter(([, days]) => days.length > 0)
    .map(([span, days]) => db.selectFrom('report_days')
      .select(['key', 'created', 'fr_met', 'fr_missed', 'nr_met', 'nr_missed', 'rs_met', 'rs_missed', 'good', 'bad', 'first_reply', 'resolution'])
      .where('dim', '=', dim).where('span', '=', span).where('day', 'in', days).execute()));
  return parts.flat();
}

const emptyTally = (): Tally => ({
  created: 0, firstReply: emptyDense(), resolution: emptyDense(), ratings: { good: 0, bad: 0 },
  sla: { first_reply: { met: 0, missed: 0 }, next_reply: { met: 0, missed: 0 }, resolution: { met: 0, missed: 0 } },
});

function add(tally: Tally, row: Row): void {
  tally.created += Number(row.created);
  tally.sla.first_reply.met += Number(row.fr_met);
  tally.sla.first_reply.missed += Number(row.fr_missed);
  tally.sla.next_reply.met += Number(row.nr_met);
  tally.sla.next_reply.missed += Number(row.nr_missed);
  tally.sla.resolution.met += Number(row.rs_met);
  tally.sla.resolution.missed += Number(row.rs_missed);
  tally.ratings.good += Number(row.good);
  tally.ratings.bad += Number(row.bad);
  addStored(tally.firstReply as ReturnType<typeof emptyDense>, row.first_reply);
  addStored(tally.resolution as ReturnType<typeof emptyDense>, row.resolution);
}

/**
 * The backlog when a day starts: the whole desk's changes of it on every day before, summed from
 * blocks of 64 and 8 days and single days: a few dozen rows in one statement (PostgreSQL reads
 * them in three ranges of the key), not one row per day since the desk began.
 */
async function backlogBefore(db: Db, day: string): Promise<number> {
  const row = await db.selectFrom('report_days').select((eb) => eb.fn.sum<number>('backlog').as('n')).where('dim', '=', 'days')
    .where((eb) => eb.or(before(day).map(({ span, from, below }) =>
      eb.and([eb('span', '=', span), ...(from === null ? [] : [eb('day', '>=', from)]), eb('day', '<', below)]))))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function rolledUp(db: Db, dim: Dimension, range: DayRange): Promise<RolledUp> {
  const [series, openAtStart, whole, keyed] = await Promise.all([
    db.selectFrom('report_days').select(['day', 'created', 'solved', 'done'])
      .where('dim', '=', 'days').where('span', '=', 1).where('day', '>=', range.from).where('day', '<=', range.to).execute(),
    backlogBefore(db, range.from),
    cellsOf(db, 'none', range),
    dim === 'none' ? Promise.resolve([]) : cellsOf(db, dim, range),
  ]);
  const days = new Map(series.map((row) => [row.day, { created: Number(row.created), solved: Number(row.solved), done: Number(row.done) }]));
  const total = emptyTally();
  for (const row of whole) add(total, row);
  const rows = new Map<string, Tally>();
  for (const row of keyed) {
    let tally = rows.get(row.key);
    if (!tally) rows.set(row.key, (tally = emptyTally()));
    add(tally, row);
  }
  return { days, openAtStart, total, rows };
}
