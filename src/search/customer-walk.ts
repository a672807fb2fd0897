import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { reusable } from '../db/reusable.js';
import { CUSTOMER_COLUMNS, PUBLIC_KINDS } from './customer.js';
import { parseQuery, type Term } from './parse.js';
import * as postgres from './postgres.js';
import { spelledMatch } from './prefix-words.js';

/**
 * Ids further apart than this are looked up with a walk of their own. Starting a walk of a common
 * word costs ~30–45 µs (FTS5 parses the expression and seeks each term's match list in each
 * segment), stepping over its matches ~0.1 µs each; "password" is in one message in seven at 1M
 * tickets, so a gap of 2,048 ids holds ~300 of its matches, about one start's worth (256 tickets'
 * 1,028 messages at 1M: 47 ms one walk each, 4.1 ms with gaps of 1,024–4,096, 18 ms in one walk).
 * A customer's tickets are scattered over the desk's history (her Opened tab: 42 tickets between
 * #115,542 and #998,128 at 1M): held to 32 walks in one compound statement, the gap grew until a
 * few walks spanned most of the match list (17–23 ms for her page, of 30).
 */
const GAP = 2048;

/**
 * GAP for the portal's documents (one per ticket): a common word is in far more of them than in
 * tickets' subjects or in messages ("password" in 486,000 of 1M at 1M tickets), so a walk steps over
 * more matches for each id it spans. Her 256 newest tickets, "password", at 1M: 2.2 ms with a walk
 * per ticket, 1.9 ms with gaps of 256, 3.4 with 1,024, 5.9 with 2,048.
 */
const DOCUMENT_GAP = 256;

/** The ids as ranges [low, high], a new range wherever two ids are more than `gap` apart. */
function ranges(sorted: readonly number[], gap = GAP): [number, number][] {
  const out: [number, number][] = [];
  for (const id of sorted) {
    const last = out[out.length - 1];
    if (last && id - last[1] <= gap) last[1] = id;
    else out.push([id, id]);
  }
  return out;
}

/**
 * Which of `ids` the index holds for `match`: a walk of the match list over each range of ids
 * (one statement, the ranges as a JSON array driving the index: FTS5 is asked again for each),
 * each row tested against the ids (`+ 0`: a test on the walk, not a probe of FTS5 per id, which
 * starts the word's walk again every time). A prefix left as a prefix (prefix-words.ts) gets one
 * walk over the whole span: FTS5 merges its match lists at every start.
 */
async function inIndex(db: Db, index: 'search_tickets' | 'search_messages', match: string, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const sorted = [...ids].sort((a, b) => a - b);
  const spans = match.includes('*') ? [[sorted[0]!, sorted[sorted.length - 1]!]] : ranges(sorted);
  // The ranges' bounds are read out of the JSON once (materialized): SQLite checks them again on every
  // row the index returns, and `value ->> 1` there parsed the pair each time (three times the walk's cost).
  const { rows } = await sql<{ id: number }>`with r as materialized
    (select value ->> 0 as low, value ->> 1 as high from json_each(${JSON.stringify(spans)}))
    select f.rowid as id from r cross join ${sql.table(index)} f where f.${sql.ref(index)} match ${match}
    and f.rowid >= r.low and f.rowid <= r.high and f.rowid + 0 in (select value from json_each(${JSON.stringify(sorted)}))`.execute(db);
  return rows.map((row) => row.id);
}

/** The public messages of these tickets (a JSON array of ids), through messages_ticket_kind: every chunk of a walk asks, compiled once (db/reusable.ts). */
const publicMessagesOf = reusable((db, ticketIds: string) => db.selectFrom('messages').select(['id', 'ticket_id'])
  .where('ticket_id', 'in', sql<number>`(select value from json_each(${ticketIds}))`).where('kind', 'in', [...PUBLIC_KINDS]));

/**
 * Which of `ids` (tickets) the portal's documents hold for `match` (null: nothing can), and which of
 * them are out of date (search_portal_dirty, migration 0054), in one statement: one snapshot, so a
 * document written meanwhile cannot be taken for current. The walks as inIndex.
 */
async function inDocuments(db: Db, match: string | null, ids: readonly number[]): Promise<{ found: number[]; stale: Set<number> }> {
  const sorted = [...ids].sort((a, b) => a - b);
  const list = JSON.stringify(sorted);
  const spans = match?.includes('*') ? [[sorted[0]!, sorted[sorted.length - 1]!]] : ranges(sorted, DOCUMENT_GAP);
  const stale = sql`select ticket_id as id, 1 as stale from search_portal_dirty where ticket_id in (select value from json_each(${list}))`;
  const { rows } = await (match === null ? sql<{ id: number; stale: number }>`${stale}` : sql<{ id: number; stale: number }>`with r as materialized
    (select value ->> 0 as low, value ->> 1 as high from json_each(${JSON.stringify(spans)}))
    select f.rowid as id, 0 as stale from r cross join search_portal f where f.search_portal match ${match}
    and f.rowid >= r.low and f.rowid <= r.high and f.rowid + 0 in (select value from json_each(${list}))
    union all ${stale}`).execute(db);
  return { found: rows.filter((row) => row.stale === 0).map((row) => row.id), stale: new Set(rows.filter((row) => row.stale === 1).map((row) => row.id)) };
}

/**
 * Which of these tickets (already in the customer's scope) match the search: their subject or public
 * fields, or one of their public messages (never notes). Each ticket is checked once, against its
 * document of everything a customer may match in it (search_portal); a ticket whose document is out
 * of date (written since, not yet indexed again) is checked part by part. Its cost follows the number
 * of tickets given, not the number of the word's matches: the portal walks the scope's tickets in the
 * page's order and asks this of a chunk at a time, until the page is full.
 */
export async function matchingTickets(db: Db, input: string, ticketIds: readonly number[]): Promise<Set<number>> {
  const { terms } = parseQuery(input, { filters: false });
  if (terms.length === 0 || ticketIds.length === 0) return new Set();
  if (isPostgres(db)) return postgres.matchingTickets(db, terms, ticketIds, PUBLIC_KINDS);
  const { found, stale } = await inDocuments(db, await spelledMatch(db, 'search_portal', terms), ticketIds);
  const current = found.filter((id) => !stale.has(id));
  // One word is in the document exactly when it is in one of its parts. Several words (or a phrase)
  // may be spread over parts the search keeps apart (one in the subject, one in a reply; a phrase
  // across two messages), so those tickets are checked part by part: the document only narrows them.
  if (terms.length > 1 || terms[0]!.words.length > 1) return inParts(db, terms, [...current, ...stale]);
  const matched = await inParts(db, terms, [...stale]);
  for (const id of current) matched.add(id);
  return matched;
}

/**
 * Which of these tickets match in their subject and public fields together, or within one public
 * message: each part through its own index, the subject's and fields' through search_tickets, the
 * messages' through search_messages (their ids through messages_ticket_kind).
 */
async function inParts(db: Db, terms: Term[], ticketIds: readonly number[]): Promise<Set<number>> {
  const found = new Set<number>();
  if (ticketIds.length === 0) return found;
  const ticketMatch = await spelledMatch(db, 'search_tickets', terms, CUSTOMER_COLUMNS);
  const messageMatch = await spelledMatch(db, 'search_messages', terms);
  if (ticketMatch !== null) for (const id of await inIndex(db, 'search_tickets', ticketMatch, ticketIds)) found.add(id);
  if (messageMatch === null) return found;
  const messages = await publicMessagesOf(db, JSON.stringify(ticketIds.filter((id) => !found.has(id))));
  const ticketOf = new Map(messages.map((m) => [m.id, m.ticket_id]));
  for (const id of await inIndex(db, 'search_messages', messageMatch, messages.map((m) => m.id))) found.add(ticketOf.get(id)!);
  return found;
}
