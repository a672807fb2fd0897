import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import type { MessageKind } from '../db/schema.js';
import { visibleTickets } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import type { TicketConditions } from './filters.js';
import { matchExpression, type Term } from './parse.js';
import * as postgres from './postgres.js';

/**
 * How many of the newest matching rows of each index are ranked. bm25 costs about 1 µs per row it
 * scores (DESIGN.md), so a word in half the desk would take seconds: instead the walk goes newest
 * first (rowid order, which FTS5 gives for free), applies scope and filters on the way, and stops
 * after this many. Ranking happens among those; older matches are reached by narrowing the query.
 */
export const RANK_WINDOW = 400;
/** The walk reads no further back than this many matches; a word with more is "common". */
export const SCAN_LIMIT = 20_000;

/** The ticket's row in scope and through the filters, for `exists (...)` against a ticket id. */
export function scopedTicket(db: Db, actor: Actor, c: TicketConditions) {
  let q = visibleTickets(db, actor);
  if (c.statusIds) q = q.where('tickets.status_id', 'in', [...c.statusIds, -1]);
  if (c.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
  else if (c.assignee !== undefined) q = q.where('tickets.assignee_id', '=', c.assignee);
  if (c.typeIds) q = q.where('tickets.type_id', 'in', [...c.typeIds, -1]);
  if (c.organizationIds) q = q.where('tickets.organization_id', 'in', [...c.organizationIds, -1]);
  // Checked per matching ticket by the primary key (ticket_id, tag_id): the walk visits at most
  // SCAN_LIMIT tickets, while `in (tickets of the tag)` built the tag's whole ticket list on every
  // query (5 ms for a tag on one ticket in five at 100k tickets).
  for (const tagId of c.tagIds ?? []) {
    q = q.where((eb) => eb.exists(db.selectFrom('ticket_tags').select(sql`1`.as('one'))
      .where('ticket_tags.tag_id', '=', tagId).where(sql<SqlBool>`ticket_tags.ticket_id = tickets.id`)));
  }
  return q;
}

export interface TicketHit { ticketId: number; score: number }
export interface MessageHit { ticketId: number; messageId: number; kind: MessageKind; score: number }

type Index = 'search_tickets' | 'search_messages';

/**
 * What the index is asked for these terms, all of which must match: an FTS5 MATCH expression on
 * SQLite, a tsquery on PostgreSQL (src/search/postgres.ts); null when nothing is left to search.
 */
export function matchFor(db: Db, terms: Term[]): string | null {
  return isPostgres(db) ? postgres.tsQueryText(terms) : matchExpression(terms);
}

/**
 * The rowid of the `SCAN_LIMIT`-th newest match, or null when there are fewer: reading rowids
 * alone is cheap (under a millisecond for 20,000), unlike scoring them.
 */
export async function floorOf(db: Db, index: Index, match: string): Promise<number | null> {
  if (isPostgres(db)) return postgres.floorOf(db, index, match, SCAN_LIMIT);
  const { rows } = await sql<{ id: number }>`select rowid as id from ${sql.table(index)} where ${sql.table(index)} match ${match}
    order by rowid desc limit 1 offset ${SCAN_LIMIT}`.execute(db);
  return rows[0]?.id ?? null;
}

/**
 * How to walk one index for these terms. bm25 reads the whole match list of every term once per
 * query to weigh it (76 ms for a word in 2.3M messages), so a query with a word that common is
 * put in recency order instead; and the walk (scope and filters applied on the way) never goes
 * past the newest SCAN_LIMIT matches, so `assignee:me` over a common word stays bounded.
 */
async function plan(db: Db, index: Index, match: string, termMatches: string[]) {
  const floor = await floorOf(db, index, match);
  let common = floor !== null;
  for (const term of termMatches) if (!common && termMatches.length > 1) common = (await floorOf(db, index, term)) !== null;
  return { floor: floor ?? 0, common };
}

/** Tickets whose subject, requester, organisation or field values match (subject weighs most). */
export async function ticketHits(db: Db, actor: Actor, c: TicketConditions, match: string, termMatches: string[]): Promise<TicketHit[]> {
  const { floor, common } = await plan(db, 'search_tickets', match, termMatches);
  if (isPostgres(db)) return postgres.ticketHits(db, scopedTicket(db, actor, c), match, floor, common, RANK_WINDOW);
  const inScope = scopedTicket(db, actor, c).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = f.rowid`);
  const score = common ? sql`-1` : sql`bm25(search_tickets, 10.0, 2.0, 1.0, 1.0)`;
  const { rows } = await sql<TicketHit>`select f.rowid as ticketId, ${score} as score
    from search_tickets f
    where search_tickets match ${match} and f.rowid >= ${floor} and exists ${inScope}
    order by f.rowid desc limit ${RANK_WINDOW}`.execute(db);
  return rows;
}

/** Messages (notes included: only agents search here) that match, newest first. */
export async function messageHits(db: Db, actor: Actor, c: TicketConditions, match: string, termMatches: string[]): Promise<MessageHit[]> {
  const { floor, common } = await plan(db, 'search_messages', match, termMatches);
  if (isPostgres(db)) return postgres.messageHits(db, scopedTicket(db, actor, c), match, floor, common, RANK_WINDOW) as Promise<MessageHit[]>;
  const inScope = scopedTicket(db, actor, c).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = m.ticket_id`);
  const score = common ? sql`0` : sql`bm25(search_messages)`;
  const { rows } = await sql<MessageHit>`select m.ticket_id as ticketId, m.id as messageId, m.kind as kind, ${score} as score
    from search_messages f cross join messages m on m.id = f.rowid
    where search_messages match ${match} and f.rowid >= ${floor} and exists ${inScope}
    order by f.rowid desc limit ${RANK_WINDOW}`.execute(db);
  return rows;
}

/**
 * The text of the messages to excerpt. Not FTS5's snippet(): it re-reads the word's whole match list
 * for every message (0.3 to 0.8 s each for a word in 2.3M messages); the excerpt is cut here instead
 * (see excerptHtml), from rows fetched by primary key.
 */
export async function messageTexts(db: Db, messageIds: number[]): Promise<Map<number, string>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db.selectFrom('messages').select(['id', 'body_text']).where('id', 'in', messageIds).execute();
  return new Map(rows.map((r) => [r.id, r.body_text]));
}
