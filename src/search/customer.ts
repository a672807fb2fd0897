import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { matchExpression, parseQuery, type Term } from './parse.js';
import { floorOf } from './agent-hits.js';
import * as postgres from './postgres.js';

/** What customers may match: the subject and fields they can see, and public messages (never notes). */
export const CUSTOMER_COLUMNS = ['subject', 'fields_public'];
export const PUBLIC_KINDS = ['reply', 'update', 'chat'] as const;

/**
 * How a customer's search runs (on PostgreSQL only `walk`, for a common word; otherwise no plan: the
 * scope's newest SEARCH_WINDOW tickets, each checked through its stored words). `tickets`: each ticket is checked
 * through the index, one rowid lookup per ticket and per message (what a query without a plan
 * gets). `index`: the index was read once, for every match of a word in at most SCAN_LIMIT
 * messages and tickets, already narrowed to the scope's tickets (`ticketIds`), which the page and
 * both tabs' counts then look up. `walk`: the word is common (more than SCAN_LIMIT matches in either index):
 * the page walks the scope's own tickets in its order and checks them a chunk at a time
 * (portal/search-walk.ts), stopping when the page is full.
 */
export type CustomerSearchPlan = { drive: 'tickets' } | { drive: 'walk' } | { drive: 'index'; ticketIds: readonly number[] };

/**
 * Scopes up to this many tickets are read from their own tickets, each ticket's public messages
 * looked up among the matches; a larger scope from the matches.
 */
export const SCOPE_FIRST = 2000;

/** The searcher's scope (visibleTickets and the chosen view, not the tab), as the plan needs it. */
export interface CustomerScope {
  /** How many tickets it holds, counted no further than `atMost`. */
  size(atMost: number): Promise<number>;
  /** The ids of its tickets for which `matched` (a condition on `tickets`) holds: one statement. */
  idsWhere(matched: Expression<SqlBool>): Promise<number[]>;
}

/**
 * Choose the plan: a common word (more than SCAN_LIMIT matches in either index) walks the scope's
 * tickets; a rarer one is read from the index whole, every match however old, narrowed to the
 * scope's tickets once. A customer with thousands of tickets searching "password" took seconds.
 */
export async function planCustomerSearch(db: Db, input: string, scope: CustomerScope): Promise<CustomerSearchPlan | undefined> {
  const { terms } = parseQuery(input, { filters: false });
  // PostgreSQL: a common word walks the scope as on SQLite (checking a chunk of tickets' stored words
  // costs the same whatever the word); a rarer one checks the newest SEARCH_WINDOW tickets of the
  // scope, each through its stored words (no plan).
  if (isPostgres(db)) return await isCommon(db, terms) ? { drive: 'walk' } : undefined;
  const { tickets: ticketMatch, messages: messageMatch } = customerMatchTexts(db, terms);
  // Nothing to search: the newest SEARCH_WINDOW tickets of the scope, each checked.
  if (ticketMatch === null || messageMatch === null) return undefined;
  // A common word fills a page from the scope's newest tickets: reading its matches (20,000 message
  // rows, ~2.5 µs each, then narrowed and counted) cost ~60 ms at 100k tickets, seconds at 1M.
  if (await isCommon(db, terms)) return { drive: 'walk' };
  const ticketIndex = sql`select rowid from search_tickets where search_tickets match ${ticketMatch}`;
  const messageIndex = sql`search_messages match ${messageMatch}`;
  const kinds = sql.join([...PUBLIC_KINDS]);
  // Read once here, and kept only for the scope's tickets: the page and both tabs' counts then look
  // up that small set, where each of them used to look up every match again. A smaller scope starts
  // from its own tickets, and their public messages (messages_ticket_kind) are looked up in the
  // matches' ids, without reading each matching message's row.
  const ticketIds = await scope.idsWhere(await scope.size(SCOPE_FIRST + 1) <= SCOPE_FIRST
    ? sql<SqlBool>`(tickets.id in (${ticketIndex}) or exists (select 1 from messages m where m.ticket_id = tickets.id
      and m.kind in (${kinds}) and m.id in (select f.rowid from search_messages f where ${messageIndex})))`
    : sql<SqlBool>`tickets.id in (${ticketIndex} union select m.ticket_id from search_messages f
      cross join messages m on m.id = f.rowid where ${messageIndex} and m.kind in (${kinds}))`);
  return { drive: 'index', ticketIds };
}

/**
 * Whether either index holds more than SCAN_LIMIT matches. The words as typed first, the last one
 * not as a prefix: FTS5 merges a prefix's whole match list before the first row (~5 ms for
 * `password*` at 100k tickets, ten times that at 1M), while the word alone is walked newest first
 * and stops at the limit. Only when the words alone are rare can their prefix still be common.
 */
async function isCommon(db: Db, terms: Term[]): Promise<boolean> {
  for (const variant of terms.some((term) => term.prefix) ? [terms.map((term) => ({ ...term, prefix: false })), terms] : [terms]) {
    const { tickets, messages } = customerMatchTexts(db, variant);
    if (tickets === null || messages === null) return false;
    if (await floorOf(db, 'search_messages', messages) !== null) return true;
    if (await floorOf(db, 'search_tickets', tickets) !== null) return true;
  }
  return false;
}

/**
 * What each index is asked for a customer's terms, in the database's own syntax: every message's
 * words, and the tickets' customer-visible parts only (FTS5's columns, PostgreSQL's weights A and C).
 */
function customerMatchTexts(db: Db, terms: Term[]): { tickets: string | null; messages: string | null } {
  return isPostgres(db)
    ? { tickets: postgres.tsQueryText(terms, 'AC'), messages: postgres.tsQueryText(terms) }
    : { tickets: matchExpression(terms, CUSTOMER_COLUMNS), messages: matchExpression(terms) };
}

/**
 * "This ticket (the outer query's `tickets` row) matches the customer's search", for a query that
 * already starts from the customer's scope (visibleTickets). With the `tickets` plan, checked
 * ticket by ticket through the index (a rowid lookup per ticket and per message), so its cost
 * follows the size of the customer's scope, which the caller bounds, not the size of the desk.
 * CROSS JOIN keeps that order: left to itself, SQLite drove the join from the word's match list
 * (73 s for "please" in 2.3M messages). With the `index` plan, the tickets the plan read. Filters mean nothing
 * here: `status:x` and `#12` are plain words. Nothing searchable (only punctuation) matches nothing.
 */
export function customerMatches(db: Db, input: string, plan: CustomerSearchPlan = { drive: 'tickets' }): Expression<SqlBool> {
  const { terms } = parseQuery(input, { filters: false });
  // The tickets a plan already found (a walk's page, on either database).
  if (plan.drive === 'index' && isPostgres(db)) return sql<SqlBool>`tickets.id = any(${sql.val([...plan.ticketIds])}::int[])`;
  if (isPostgres(db)) return postgres.customerMatches(terms, PUBLIC_KINDS);
  const ticketMatch = matchExpression(terms, CUSTOMER_COLUMNS);
  const messageMatch = matchExpression(terms);
  if (ticketMatch === null || messageMatch === null) return sql<SqlBool>`0`;
  if (plan.drive === 'index') return sql<SqlBool>`tickets.id in (select value from json_each(${JSON.stringify(plan.ticketIds)}))`;
  return sql<SqlBool>`(exists (select 1 from search_tickets where search_tickets match ${ticketMatch} and search_tickets.rowid = tickets.id)
    or exists (select 1 from messages m cross join search_messages on search_messages.rowid = m.id
      where m.ticket_id = tickets.id and m.kind in (${sql.join([...PUBLIC_KINDS])}) and search_messages match ${messageMatch}))`;
}
