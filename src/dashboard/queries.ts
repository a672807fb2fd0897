import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import { visibleTickets } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import type { LocalDay } from './days.js';

/**
 * The dashboard's figures, each a bounded read: every query starts from the agent's scope and reads
 * one 30-day index range (created_at, solved_at, first_response_at, ratings.created_at), never the
 * whole table.
 */

/** Tickets created and solved on each local day: two indexed range counts per day, in one statement. */
export async function countsPerDay(db: Db, actor: Actor, days: LocalDay[]): Promise<{ created: number; solved: number }[]> {
  const count = (column: 'tickets.created_at' | 'tickets.solved_at', day: LocalDay) =>
    sql<number>`(${visibleTickets(db, actor).where(column, '>=', day.start).where(column, '<', day.end)
      .select((eb) => eb.fn.countAll<number>().as('n'))})`;
  const columns = days.flatMap((day, i) => [
    count('tickets.created_at', day).as(`c${i}`),
    count('tickets.solved_at', day).as(`s${i}`),
  ]);
  const row = await db.selectNoFrom(columns).executeTakeFirstOrThrow() as Record<string, number>;
  return days.map((_, i) => ({ created: Number(row[`c${i}`]), solved: Number(row[`s${i}`]) }));
}

/**
 * How long tickets waited, for those whose first answer (or solution) fell in the window: the
 * milliseconds from creation, sorted. Timestamps are subtracted here, not in SQL, so the query
 * stays portable (SQLite and PostgreSQL do date arithmetic differently).
 */
export async function durationsSince(db: Db, actor: Actor, column: 'first_response_at' | 'solved_at', from: string, to: string): Promise<number[]> {
  const rows = await visibleTickets(db, actor)
    .where(`tickets.${column}`, '>=', from).where(`tickets.${column}`, '<', to)
    .select(['tickets.created_at as started', `tickets.${column} as ended`]).execute();
  return rows.map((row) => Date.parse(row.ended!) - Date.parse(row.started)).filter((ms) => ms >= 0).sort((a, b) => a - b);
}

/** Good and bad ratings given in the window on tickets the agent may see. */
export async function ratingCounts(db: Db, actor: Actor, from: string, to: string): Promise<{ good: number; bad: number }> {
  const rows = await visibleTickets(db, actor).innerJoin('ratings', 'ratings.ticket_id', 'tickets.id')
    .where('ratings.created_at', '>=', from).where('ratings.created_at', '<', to)
    .select((eb) => ['ratings.score', eb.fn.countAll<number>().as('n')]).groupBy('ratings.score').execute();
  const of = (score: string) => Number(rows.find((r) => r.score === score)?.n ?? 0);
  return { good: of('good'), bad: of('bad') };
}

/**
 * The oldest public tickets still waiting for a first answer from staff. The three `is null`
 * conditions repeat the partial index's own (migration 0021), so SQLite reads it from the oldest end.
 */
export async function oldestUnanswered(db: Db, actor: Actor, statusIds: number[], limit: number) {
  if (statusIds.length === 0) return [];
  return visibleTickets(db, actor)
    .where('tickets.first_response_at', 'is', null).where('tickets.solved_at', 'is', null).where('tickets.closed_at', 'is', null)
    .where('tickets.visibility', '=', 'public').where('tickets.status_id', 'in', statusIds)
    .select(['tickets.id', 'tickets.subject', 'tickets.created_at'])
    .orderBy('tickets.created_at').orderBy('tickets.id').limit(limit).execute();
}

/** Status ids of the given categories (the statuses table is a handful of rows). */
export async function statusIdsIn(db: Db, categories: StatusCategory[]): Promise<number[]> {
  const rows = await db.selectFrom('statuses').select('id').where('category', 'in', categories).execute();
  return rows.map((row) => row.id);
}
