import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { rowidAtLeast } from './agent-hits.js';
import { matchExpression, parseQuery } from './parse.js';

/** What customers may match (as search/customer.ts): the subject and visible fields, public messages. */
const CUSTOMER_COLUMNS = ['subject', 'fields_public'];
const PUBLIC_KINDS = ['reply', 'update', 'chat'] as const;

/**
 * Which of `ids` the index holds for `match`: one walk of the match list between the lowest and the
 * highest id (bound as integers), each row tested against the ids (`+ 0`: a test on the walk, not a
 * probe of FTS5 per id, which re-reads a common word's match list every time). One walk, not one
 * per cluster of ids: the last word is a prefix (`password*`), and FTS5 merges a prefix's whole
 * match list each time a walk starts (~5 ms for "password" at 100k tickets), whatever its range.
 */
async function inIndex(db: Db, index: 'search_tickets' | 'search_messages', match: string, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const [low, high] = [Math.min(...ids), Math.max(...ids)];
  const { rows } = await sql<{ id: number }>`select rowid as id from ${sql.table(index)} where ${sql.table(index)} match ${match}
    and rowid >= ${rowidAtLeast(low)} and rowid <= ${rowidAtLeast(high)} and rowid + 0 in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
  return rows.map((row) => row.id);
}

/**
 * Which of these tickets (already in the customer's scope) match the search: their subject or public
 * fields, or one of their public messages (never notes), found through messages_ticket_kind. Its
 * cost follows the number of tickets given, not the number of the word's matches: the portal walks
 * the scope's tickets in the page's order and asks this of a chunk at a time, until the page is full.
 */
export async function matchingTickets(db: Db, input: string, ticketIds: readonly number[]): Promise<Set<number>> {
  const { terms } = parseQuery(input, { filters: false });
  const ticketMatch = matchExpression(terms, CUSTOMER_COLUMNS);
  const messageMatch = matchExpression(terms);
  const found = new Set<number>();
  if (ticketMatch === null || messageMatch === null || ticketIds.length === 0) return found;
  for (const id of await inIndex(db, 'search_tickets', ticketMatch, ticketIds)) found.add(id);
  const messages = await db.selectFrom('messages').select(['id', 'ticket_id'])
    .where('ticket_id', 'in', sql<number>`(select value from json_each(${JSON.stringify(ticketIds.filter((id) => !found.has(id)))}))`)
    .where('kind', 'in', [...PUBLIC_KINDS]).execute();
  const ticketOf = new Map(messages.map((m) => [m.id, m.ticket_id]));
  for (const id of await inIndex(db, 'search_messages', messageMatch, messages.map((m) => m.id))) found.add(ticketOf.get(id)!);
  return found;
}
