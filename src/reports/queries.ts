import { sql } from 'kysely';
import type { Db } from '../db/connect.js';

/**
 * Every query of the reports reads `report_facts` through one index range of one of its day columns
 * (the range's local dates, inclusive), restricted to the reader's own tickets when they may not see
 * everyone's. Counts and sums are taken in SQL; durations are read as numbers for the percentiles.
 */

export const DIMENSIONS = ['none', 'group', 'agent', 'type', 'channel', 'brand', 'tag'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Local dates, both included. */
export interface DayRange { from: string; to: string }
/** Whose tickets: everyone's (null), or one assignee's. */
export interface ReportScope { assigneeId: number | null }

type DayColumn = 'created_day' | 'solved_day' | 'done_day' | 'first_reply_day' | 'rating_day';
const allFacts = (db: Db) => db.selectFrom('report_facts as f');
type Facts = ReturnType<typeof allFacts>;

const KEY: Record<Exclude<Dimension, 'none'>, string> = {
  group: 'f.group_id', agent: 'f.assignee_id', type: 'f.type_id', channel: 'f.channel', brand: 'f.brand_id', tag: 'tt.tag_id',
};

function facts(db: Db, scope: ReportScope, dim: Dimension): Facts {
  // A ticket counts once for each of its tags (and not at all without one) when broken down by tag.
  // (The join's table is named in raw SQL only, so the builder's type stays the one of the facts.)
  let query = dim === 'tag'
    ? db.selectFrom('report_facts as f').innerJoin('ticket_tags as tt', 'tt.ticket_id', 'f.ticket_id') as unknown as Facts
    : allFacts(db);
  if (scope.assigneeId !== null) query = query.where('f.assignee_id', '=', scope.assigneeId);
  return query;
}

function inRange(query: Facts, column: DayColumn, range: DayRange): Facts {
  return query.where(`f.${column}`, '>=', range.from).where(`f.${column}`, '<=', range.to);
}

/** The dimension's key, as `k` ('' for the whole). */
function keyOf(dim: Dimension) {
  return (dim === 'none' ? sql<string | number | null>`''` : sql<string | number | null>`${sql.ref(KEY[dim])}`).as('k');
}

/** Group by the dimension's key (as `k`), or not at all for the whole. */
function byKey(query: Facts, dim: Dimension) {
  const selected = query.select(keyOf(dim));
  return dim === 'none' ? selected : selected.groupBy(sql.ref(KEY[dim]));
}

const keyText = (k: unknown) => (k === null || k === undefined ? '' : String(k));

/** Tickets per local day in the range, by one of the day columns. */
export async function perDay(db: Db, scope: ReportScope, column: 'created_day' | 'solved_day' | 'done_day', range: DayRange): Promise<Map<string, number>> {
  const rows = await inRange(facts(db, scope, 'none'), column, range)
    .select([sql<string>`${sql.ref(`f.${column}`)}`.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(`f.${column}`).execute();
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

/**
 * The backlog when the range starts: tickets created before it and not done before it, i.e. not done
 * at all or done since (two short ranges of the done_day index, however old the desk).
 */
export async function openAt(db: Db, scope: ReportScope, from: string): Promise<number> {
  const count = async (query: Facts) => Number((await query.where('f.created_day', '<', from)
    .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return await count(facts(db, scope, 'none').where('f.done_day', 'is', null))
    + await count(facts(db, scope, 'none').where('f.done_day', '>=', from));
}

export interface CreatedAndSla {
  created: number;
  sla: Record<'first_reply' | 'next_reply' | 'resolution', { met: number; missed: number }>;
}

/** Per key: the tickets created in the range, and how their SLA targets ended. */
export async function createdWithSla(db: Db, scope: ReportScope, dim: Dimension, range: DayRange): Promise<Map<string, CreatedAndSla>> {
  const tally = (column: string, outcome: string) => sql<number>`sum(case when ${sql.ref(column)} = ${outcome} then 1 else 0 end)`;
  const rows = await byKey(inRange(facts(db, scope, dim), 'created_day', range), dim)
    .select((eb) => [
      eb.fn.countAll<number>().as('created'),
      tally('f.sla_first_reply', 'met').as('fr_met'), tally('f.sla_first_reply', 'missed').as('fr_missed'),
      tally('f.sla_next_reply', 'met').as('nr_met'), tally('f.sla_next_reply', 'missed').as('nr_missed'),
      tally('f.sla_resolution', 'met').as('rs_met'), tally('f.sla_resolution', 'missed').as('rs_missed'),
    ]).execute();
  return new Map(rows.map((r) => [keyText(r.k), {
    created: Number(r.created),
    sla: {
      first_reply: { met: Number(r.fr_met ?? 0), missed: Number(r.fr_missed ?? 0) },
      next_reply: { met: Number(r.nr_met ?? 0), missed: Number(r.nr_missed ?? 0) },
      resolution: { met: Number(r.rs_met ?? 0), missed: Number(r.rs_missed ?? 0) },
    },
  }]));
}

/** Per key: the seconds to the first reply (of tickets first answered in the range) or to the solution (solved in it). */
export async function durations(db: Db, scope: ReportScope, dim: Dimension, what: 'first_reply' | 'resolution', range: DayRange): Promise<Map<string, number[]>> {
  const [day, value] = what === 'first_reply' ? ['first_reply_day', 'f.first_reply_seconds'] as const : ['solved_day', 'f.resolution_seconds'] as const;
  const rows = await inRange(facts(db, scope, dim), day, range).select([sql<number | null>`${sql.ref(value)}`.as('s'), keyOf(dim)]).execute();
  const out = new Map<string, number[]>();
  for (const row of rows) {
    if (row.s === null) continue;
    const key = keyText(row.k);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(Number(row.s));
  }
  return out;
}

/** Per key: good and bad ratings given in the range (a ticket's newest rating). */
export async function ratingCounts(db: Db, scope: ReportScope, dim: Dimension, range: DayRange): Promise<Map<string, { good: number; bad: number }>> {
  const rows = await byKey(inRange(facts(db, scope, dim), 'rating_day', range), dim)
    .select([
      sql<number>`sum(case when f.rating = 'good' then 1 else 0 end)`.as('good'),
      sql<number>`sum(case when f.rating = 'bad' then 1 else 0 end)`.as('bad'),
    ]).execute();
  return new Map(rows.map((r) => [keyText(r.k), { good: Number(r.good ?? 0), bad: Number(r.bad ?? 0) }]));
}

/** The names behind the keys of a dimension (channels are named by the catalogue). */
export async function keyNames(db: Db, dim: Dimension, keys: string[]): Promise<Map<string, string>> {
  const ids = keys.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  if (ids.length === 0 || dim === 'none' || dim === 'channel') return new Map();
  const named = (rows: { id: number; name: string }[]) => new Map(rows.map((r) => [String(r.id), r.name]));
  switch (dim) {
    case 'group': return named(await db.selectFrom('groups').select(['id', 'name']).where('id', 'in', ids).execute());
    case 'agent': return named(await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute());
    case 'type': return named(await db.selectFrom('ticket_types').select(['id', 'name']).where('id', 'in', ids).execute());
    case 'brand': return named(await db.selectFrom('brands').select(['id', 'name']).where('id', 'in', ids).execute());
    case 'tag': return named(await db.selectFrom('tags').select(['id', 'name']).where('id', 'in', ids).execute());
  }
}

/** The tickets created in the range, for the CSV export: their report row and what a reader needs to find them. */
export function ticketsCreatedIn(db: Db, scope: ReportScope, range: DayRange) {
  return inRange(facts(db, scope, 'none'), 'created_day', range)
    .innerJoin('tickets as t', 't.id', 'f.ticket_id')
    .leftJoin('groups as g', 'g.id', 'f.group_id')
    .leftJoin('users as a', 'a.id', 'f.assignee_id')
    .innerJoin('ticket_types as ty', 'ty.id', 'f.type_id')
    .innerJoin('brands as b', 'b.id', 'f.brand_id')
    .select(['f.ticket_id', 't.subject', 't.created_at', 't.first_response_at', 't.solved_at', 'f.channel', 'g.name as group_name',
      'a.name as assignee_name', 'ty.name as type_name', 'b.name as brand_name', 'f.first_reply_seconds', 'f.resolution_seconds',
      'f.sla_first_reply', 'f.sla_next_reply', 'f.sla_resolution', 'f.rating'])
    .orderBy('f.ticket_id')
    .execute();
}
