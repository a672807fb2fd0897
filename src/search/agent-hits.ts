import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import { visibleTickets } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import type { TicketConditions } from './filters.js';
import { CLOSE, OPEN } from './highlight.js';

/**
 * How many of the newest matching rows of each index are ranked. bm25 costs about 1 µs per row it
 * scores (DESIGN.md), so a word in half the desk would take seconds: instead the walk goes newest
 * first (rowid order, which FTS5 gives for free), applies scope and filters on the way, and stops
 * after this many. Ranking happens among those; older matches are reached by narrowing the query.
 */
export const RANK_WINDOW = 400;

/** The ticket's row in scope and through the filters, for `exists (...)` against a ticket id. */
export function scopedTicket(db: Db, actor: Actor, c: TicketConditions) {
  let q = visibleTickets(db, actor);
  if (c.statusIds) q = q.where('tickets.status_id', 'in', [...c.statusIds, -1]);
  if (c.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
  else if (c.assignee !== undefined) q = q.where('tickets.assignee_id', '=', c.assignee);
  if (c.typeIds) q = q.where('tickets.type_id', 'in', [...c.typeIds, -1]);
  if (c.organizationIds) q = q.where('tickets.organization_id', 'in', [...c.organizationIds, -1]);
  return q;
}

export interface TicketHit { ticketId: number; score: number }
export interface MessageHit { ticketId: number; messageId: number; kind: MessageKind; score: number }

/** Tickets whose subject, requester, organisation or field values match (subject weighs most). */
export async function ticketHits(db: Db, actor: Actor, c: TicketConditions, match: string): Promise<TicketHit[]> {
  const inScope = scopedTicket(db, actor, c).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = f.rowid`);
  const { rows } = await sql<TicketHit>`select f.rowid as ticketId, bm25(search_tickets, 10.0, 2.0, 1.0, 1.0) as score
    from search_tickets f
    where search_tickets match ${match} and exists ${inScope}
    order by f.rowid desc limit ${RANK_WINDOW}`.execute(db);
  return rows;
}

/** Messages (notes included: only agents search here) that match, newest first. */
export async function messageHits(db: Db, actor: Actor, c: TicketConditions, match: string): Promise<MessageHit[]> {
  const inScope = scopedTicket(db, actor, c).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = m.ticket_id`);
  const { rows } = await sql<MessageHit>`select m.ticket_id as ticketId, m.id as messageId, m.kind as kind, bm25(search_messages) as score
    from search_messages f cross join messages m on m.id = f.rowid
    where search_messages match ${match} and exists ${inScope}
    order by f.rowid desc limit ${RANK_WINDOW}`.execute(db);
  return rows;
}

/** FTS5's own snippets of a few messages: with OPEN/CLOSE marks (see highlight.ts), and without. */
export async function snippets(db: Db, match: string, messageIds: number[]): Promise<Map<number, { marked: string; plain: string }>> {
  if (messageIds.length === 0) return new Map();
  const { rows } = await sql<{ id: number; marked: string; plain: string }>`select rowid as id,
      snippet(search_messages, 0, ${OPEN}, ${CLOSE}, ${'…'}, 24) as marked,
      snippet(search_messages, 0, '', '', ${'…'}, 24) as plain
    from search_messages where search_messages match ${match} and rowid in (${sql.join(messageIds)})`.execute(db);
  return new Map(rows.map((r) => [r.id, { marked: r.marked, plain: r.plain }]));
}
