import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { rowidAtLeast } from './agent-hits.js';
import { CUSTOMER_COLUMNS, PUBLIC_KINDS } from './customer.js';
import { parseQuery } from './parse.js';
import { spelledMatch } from './prefix-words.js';

/**
 * Ids further apart than this are looked up with a walk of their own: starting a walk of a word
 * costs about as much as stepping over ten thousand ids' worth of a common word's matches (~0.07 µs
 * each), and a chunk of recently active tickets can mix new messages with an old ticket's.
 */
const GAP = 16_384;
/** At most this many walks in one statement (SQLite allows 500 parts in a compound select). */
const MOST_RANGES = 32;

/** The ids as ranges [low, high], a new range wherever two ids are more than `gap` apart. */
function ranges(sorted: readonly number[], gap = GAP): [number, number][] {
  const out: [number, number][] = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && id - last[1] <= gap) last[1] = id;
    else out.push([id, id]);
  }
  return out.length > MOST_RANGES ? ranges(sorted, gap * 4) : out;
}

/**
 * Which of `ids` the index holds for `match`: a walk of the match list over each range of ids
 * (bound as integers), each row tested against the ids (`+ 0`: a test on the walk, not a probe of
 * FTS5 per id, which re-reads a common word's match list every time). A prefix left as a prefix
 * (prefix-words.ts) gets one walk over the whole span: FTS5 merges its match lists at every start.
 */
async function inIndex(db: Db, index: 'search_tickets' | 'search_messages', match: string, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const sorted = [...ids].sort((a, b) => a - b);
  const spans = match.includes('*') ? [[sorted[0]!, sorted[sorted.length - 1]!] as [number, number]] : ranges(sorted);
  const list = JSON.stringify(sorted);
  const walks = spans.map(([low, high]) => sql`select rowid as id from ${sql.table(index)} where ${sql.table(index)} match ${match}
    and rowid >= ${rowidAtLeast(low)} and rowid <= ${rowidAtLeast(high)} and rowid + 0 in (select value from json_each(${list}))`);
  const { rows } = await sql<{ id: number }>`${sql.join(walks, sql` union all `)}`.execute(db);
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
  const found = new Set<number>();
  if (terms.length === 0 || ticketIds.length === 0) return found;
  const ticketMatch = await spelledMatch(db, 'search_tickets', terms, CUSTOMER_COLUMNS);
  const messageMatch = await spelledMatch(db, 'search_messages', terms);
  if (ticketMatch !== null) for (const id of await inIndex(db, 'search_tickets', ticketMatch, ticketIds)) found.add(id);
  if (messageMatch === null) return found;
  const messages = await db.selectFrom('messages').select(['id', 'ticket_id'])
    .where('ticket_id', 'in', sql<number>`(select value from json_each(${JSON.stringify(ticketIds.filter((id) => !found.has(id)))}))`)
    .where('kind', 'in', [...PUBLIC_KINDS]).execute();
  const ticketOf = new Map(messages.map((m) => [m.id, m.ticket_id]));
  for (const id of await inIndex(db, 'search_messages', messageMatch, messages.map((m) => m.id))) found.add(ticketOf.get(id)!);
  return found;
}
