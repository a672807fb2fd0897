import type { Db } from '../db/connect.js';
import { likeIgnoringCase } from '../db/dialect.js';
import { LINK_SIDES } from '../kernel/index.js';
import { likePattern } from '../people/queries.js';
import { visibleTickets } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { sql } from 'kysely';
import type { LinkKind } from './schema.js';

/** How many merges mail and the portal follow at most (a merged ticket's survivor merged again...). */
const MAX_HOPS = 10;

/** The ticket a ticket was merged into, or null. */
export async function mergedInto(db: Db, ticketId: number): Promise<number | null> {
  const row = await db.selectFrom('ticket_links').select('other_id').where('ticket_id', '=', ticketId).where('kind', '=', 'merged').executeTakeFirst();
  return row?.other_id ?? null;
}

/** Where a ticket lives on: itself, or the ticket it was merged into (followed through later merges). */
export async function survivorOf(db: Db, ticketId: number): Promise<number> {
  let id = ticketId;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const next = await mergedInto(db, id);
    if (next === null || next === ticketId) return id;
    id = next;
  }
  return id;
}

export interface ShownLink {
  id: number;
  kind: LinkKind;
  /** How the link reads from this ticket: a history kind (`parent_of`, `child_of`, `merged_into`...). */
  label: string;
  other: { id: number; subject: string; status_name: string; status_category: string };
  /** Related, duplicate and parent links can be taken away; merges and splits are facts. */
  removable: boolean;
}

/** A ticket's links, both ways, to the tickets the actor can see, oldest first. */
export async function ticketLinks(db: Db, actor: Actor, ticketId: number): Promise<ShownLink[]> {
  // Most tickets have no links: one look at the two indexes first (the scoped joins below cost a
  // quarter of a millisecond to build and run on every ticket page). `exists`, not `limit 1`: so
  // PostgreSQL keeps the statement prepared (src/db/pg-statements.ts, isNameable).
  const { rows: [any] } = await sql<{ linked: number }>`select (exists (select 1 from ticket_links where ticket_id = ${ticketId})
    or exists (select 1 from ticket_links where other_id = ${ticketId})) as linked`.execute(db);
  if (!any?.linked) return [];
  const side = (mine: 'ticket_id' | 'other_id', theirs: 'ticket_id' | 'other_id') => visibleTickets(db, actor)
    .innerJoin('ticket_links as l', `l.${theirs}`, 'tickets.id')
    .innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['l.id', 'l.kind', 'tickets.id as other_id', 'tickets.subject', 'statuses.name as status_name', 'statuses.category as status_category'])
    .where(`l.${mine}`, '=', ticketId).execute();
  const shown = (rows: Awaited<ReturnType<typeof side>>, index: 0 | 1) => rows.map((r): ShownLink => ({
    id: r.id, kind: r.kind, label: LINK_SIDES[r.kind][index],
    other: { id: r.other_id, subject: r.subject, status_name: r.status_name, status_category: r.status_category },
    removable: r.kind === 'related' || r.kind === 'duplicate' || r.kind === 'parent',
  }));
  return [...shown(await side('ticket_id', 'other_id'), 0), ...shown(await side('other_id', 'ticket_id'), 1)].sort((a, b) => a.id - b.id);
}

/** Tickets the agent may merge into this one: by number or by words of the subject, newest first. */
export async function mergeCandidates(db: Db, actor: Actor, ticketId: number, query: string) {
  const term = query.trim().replace(/^#/, '');
  if (term === '') return [];
  let q = visibleTickets(db, actor).innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .innerJoin('users as requester', 'requester.id', 'tickets.requester_id').innerJoin('brands', 'brands.id', 'tickets.brand_id')
    .select(['tickets.id', 'tickets.subject', 'statuses.name as status_name', 'statuses.category as status_category',
      'requester.name as requester_name', 'brands.name as brand_name'])
    .where('tickets.id', '!=', ticketId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ticket_links').select('ticket_links.id')
      .whereRef('ticket_links.ticket_id', '=', 'tickets.id').where('ticket_links.kind', '=', 'merged'))));
  q = /^\d{1,12}$/.test(term) ? q.where('tickets.id', '=', Number(term)) : q.where(likeIgnoringCase(db, sql.ref('tickets.subject'), likePattern(term)));
  return q.orderBy('tickets.id', 'desc').limit(10).execute();
}

/**
 * For a page of a merged ticket: the ticket it lives on, when the actor sees both (a customer who
 * cannot see the survivor stays on the merged ticket and reads its "merged into" note); else null.
 */
export async function survivorTicket(db: Db, actor: Actor, ticketId: number): Promise<number | null> {
  if (await mergedInto(db, ticketId) === null) return null;
  const visible = async (id: number) => (await visibleTickets(db, actor).select('tickets.id').where('tickets.id', '=', id).executeTakeFirst()) !== undefined;
  if (!(await visible(ticketId))) return null;
  const survivor = await survivorOf(db, ticketId);
  return survivor !== ticketId && await visible(survivor) ? survivor : null;
}
