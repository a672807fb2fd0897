import { untilChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { reusable } from '../db/reusable.js';
import { compareText } from '../lib/order.js';

/** A ticket's tags, by name. */
export async function tagsOfTicket(db: Db, ticketId: number): Promise<string[]> {
  // Sorted here, not by `order by`: so PostgreSQL keeps the statement prepared (lib/order.ts).
  return (await tagRows(db, ticketId)).map((r) => r.name).sort(compareText);
}

const tagRows = reusable((db, ticketId: number) => db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
  .select('tags.name').where('ticket_tags.ticket_id', '=', ticketId));

/** The tags of a page of tickets in one query (the list shows them per row). */
export async function tagsOfTickets(db: Db, ticketIds: readonly number[]): Promise<Map<number, string[]>> {
  const byTicket = new Map<number, string[]>();
  if (ticketIds.length === 0) return byTicket;
  const rows = await db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id')
    .select(['ticket_tags.ticket_id', 'tags.name']).where('ticket_tags.ticket_id', 'in', [...ticketIds]).orderBy('tags.name').execute();
  for (const row of rows) byTicket.set(row.ticket_id, [...(byTicket.get(row.ticket_id) ?? []), row.name]);
  return byTicket;
}

/** How many tag names the pages suggest. */
export const SUGGESTIONS = 500;

/**
 * Tag names to suggest while typing (a datalist: works without JavaScript too), by name. No counts:
 * every ticket page and list shows them, and counting uses would read all of ticket_tags each time.
 */
const suggestions = untilChanged(async (db: Db, _: '') => (await db.selectFrom('tags').select('name').orderBy('name').limit(SUGGESTIONS).execute()).map((r) => r.name), 1);
export const tagSuggestions = (db: Db): Promise<string[]> => suggestions(db, '');

/** Every tag with the number of tickets carrying it, by name (the admin page). */
export async function tagsWithCounts(db: Db) {
  const rows = await db.selectFrom('tags').leftJoin('ticket_tags', 'ticket_tags.tag_id', 'tags.id')
    .select(['tags.id', 'tags.name', (eb) => eb.fn.count<number>('ticket_tags.ticket_id').as('tickets')])
    .groupBy(['tags.id', 'tags.name']).orderBy('tags.name').execute();
  return rows.map((r) => ({ ...r, tickets: Number(r.tickets) }));
}

export async function findTag(db: Db, id: number) {
  return db.selectFrom('tags').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export async function findTagByName(db: Db, name: string) {
  return db.selectFrom('tags').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

/** The tickets carrying a tag (ids). */
export async function ticketsTagged(db: Db, tagId: number): Promise<number[]> {
  return (await db.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', tagId).orderBy('ticket_id').execute()).map((r) => r.ticket_id);
}

/** From this many tickets on, a tag is common: a list page or a search checks it per ticket instead of starting from its tickets. */
export const COMMON_TAG = 2000;

/**
 * The tag's tickets, counted no further than COMMON_TAG (a bounded walk of ticket_tags (tag_id,
 * ticket_id), ~0.1 ms), remembered until the database changes: a tag's density moves slowly.
 */
export const taggedTicketsUpTo = untilChanged(async (db: Db, tagId: number): Promise<number> => {
  const some = db.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', tagId).limit(COMMON_TAG);
  const { n } = await db.selectFrom(some.as('some')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
});
