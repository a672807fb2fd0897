import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { TicketScope } from '../tickets/scope.js';
import type { LocalDay } from './days.js';

/**
 * The dashboard's figures, each a bounded read: every query starts from the agent's scope (resolvedScope) and reads
 * one 30-day index range (created_at, solved_at, first_response_at, ratings.created_at), never the
 * whole table.
 */

/** Tickets created and solved on each local day: two indexed range counts per day, in one statement. */
export async function countsPerDay(db: Db, scope: TicketScope, days: LocalDay[]): Promise<{ created: number; solved: number }[]> {
  const count = (column: 'tickets.created_at' | 'tickets.solved_at', day: LocalDay) =>
    sql<number>`(${scope().where(column, '>=', day.start).where(column, '<', day.end)
      .select((eb) => eb.fn.countAll<number>().as('n'))})`;
  const columns = days.flatMap((day, i) => [
    count('tickets.created_at', day).as(`c${i}`),
    count('tickets.solved_at', day).as(`s${i}`),
  ]);
  const row = await db.selectNoFrom(columns).executeTakeFirstOrThrow() as Record<string, number>;
  return days.map((_, i) => ({ created: Number(row[`c${i}`]), solved: Number(row[`s${i}`]) }));
}

/** The most durations a median is taken from: beyond it, an even sample of the window. */
export const MEDIAN_SAMPLE = 2000;

/**
 * How long tickets waited, for those whose first answer (or solution) fell in the window: the
 * milliseconds from creation, sorted. Past MEDIAN_SAMPLE tickets only every k-th id is read (a sample
 * spread over the whole window), so a busy month costs the same as a quiet one. Timestamps are
 * subtracted here, not in SQL, so the query stays portable (date arithmetic differs by database).
 */
export async function durationsSince(scope: TicketScope, column: 'first_response_at' | 'solved_at', from: string, to: string): Promise<number[]> {
  const inWindow = () => scope().where(`tickets.${column}`, '>=', from).where(`tickets.${column}`, '<', to);
  const { n } = await inWindow().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const every = Math.ceil(Number(n) / MEDIAN_SAMPLE);
  const rows = await (every > 1 ? inWindow().where(sql`tickets.id % ${every}`, '=', 0) : inWindow())
    .select(['tickets.created_at as started', `tickets.${column} as ended`]).execute();
  return rows.map((row) => Date.parse(row.ended!) - Date.parse(row.started)).filter((ms) => ms >= 0).sort((a, b) => a - b);
}

/** Good and bad ratings given in the window on tickets the agent may see. */
export async function ratingCounts(scope: TicketScope, from: string, to: string): Promise<{ good: number; bad: number }> {
  const rows = await scope().innerJoin('ratings', 'ratings.ticket_id', 'tickets.id')
    .where('ratings.created_at', '>=', from).where('ratings.created_at', '<', to)
    .select((eb) => ['ratings.score', eb.fn.countAll<number>().as('n')]).groupBy('ratings.score').execute();
  const of = (score: string) => Number(rows.find((r) => r.score === score)?.n ?? 0);
  return { good: of('good'), bad: of('bad') };
}

/**
 * The oldest public tickets still waiting for a first answer from staff. The three `is null`
 * conditions repeat the partial index's own (migration 0021), so SQLite reads it from the oldest end;
 * they already leave out solved, closed and cancelled tickets, and drafts are excluded with `not in`
 * (an `in` list of the open statuses would lure the planner onto the status index and a sort).
 */
export async function oldestUnanswered(scope: TicketScope, draftIds: number[], limit: number) {
  let query = scope()
    .where('tickets.first_response_at', 'is', null).where('tickets.solved_at', 'is', null).where('tickets.closed_at', 'is', null)
    .where('tickets.visibility', '=', 'public');
  if (draftIds.length > 0) query = query.where('tickets.status_id', 'not in', draftIds);
  return query.select(['tickets.id', 'tickets.subject', 'tickets.created_at'])
    .orderBy('tickets.created_at').orderBy('tickets.id').limit(limit).execute();
}
