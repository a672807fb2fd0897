import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { ChangeCache } from '../db/change-cache.js';
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

/** The ticket's row in scope and through the filters, for `exists (...)` against a ticket id; `tags: false` leaves the tags to the caller. */
export function scopedTicket(db: Db, actor: Actor, c: TicketConditions, tags = true) {
  let q = visibleTickets(db, actor);
  if (c.statusIds) q = q.where('tickets.status_id', 'in', [...c.statusIds, -1]);
  if (c.assignee === 'none') q = q.where('tickets.assignee_id', 'is', null);
  else if (c.assignee !== undefined) q = q.where('tickets.assignee_id', '=', c.assignee);
  if (c.typeIds) q = q.where('tickets.type_id', 'in', [...c.typeIds, -1]);
  if (c.organizationIds) q = q.where('tickets.organization_id', 'in', [...c.organizationIds, -1]);
  // Tags alone (no words): a rare tag's few tickets are read through ticket_tags (tag_id, ticket_id);
  // a common one is checked per ticket along the sort, which finds a page quickly.
  if (tags && c.rareTag) q = q.where('tickets.id', 'in', db.selectFrom('ticket_tags').select('ticket_id').where('tag_id', '=', c.rareTag.id));
  if (tags) for (const tagId of c.tagIds ?? []) if (tagId !== c.rareTag?.id) q = q.where((eb) => eb.exists(taggedWith(db, tagId, sql.ref('tickets.id'))));
  return q;
}

/** The tag on the ticket whose id is `ticketId`: one probe of ticket_tags' index. */
export function taggedWith(db: Db, tagId: number, ticketId: RawBuilder<unknown> | ReturnType<typeof sql.ref>) {
  return db.selectFrom('ticket_tags').select(sql`1`.as('one')).where('ticket_tags.tag_id', '=', tagId).where(sql<SqlBool>`ticket_tags.ticket_id = ${ticketId}`);
}

/**
 * The tags, each checked on the match's ticket id, before the scope: a probe of ticket_tags' index costs
 * a tenth of reading the ticket's row, and with a tag on one ticket in five most matches stop there
 * (the walk reads about five times as many matches as the word alone). `except`: a tag already
 * applied by driving the walk from its tickets.
 */
export function tagChecks(db: Db, c: TicketConditions, ticketId: RawBuilder<unknown>, except?: number): RawBuilder<unknown> {
  const checks = (c.tagIds ?? []).filter((id) => id !== except).map((id) => sql`and exists ${taggedWith(db, id, ticketId)}`);
  return sql.join(checks, sql` `);
}

/**
 * A walk's floor as an integer, for every `rowid >= floor` over an FTS5 index (tickets, messages,
 * help articles): better-sqlite3 binds a JS number as a real, and FTS5 then walks the match list
 * slower (4.1 against 1.7 ms for `tag:legal password`'s messages at 100k tickets, same plan).
 */
export const rowidAtLeast = (floor: number) => sql`cast(${floor} as integer)`;

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
 * alone is cheap (~1 ms for 20,000 at 1M tickets), unlike scoring them, yet two of them were a
 * third of a common word's search: remembered until the database changes, and for FLOOR_GRACE_MS
 * after it was read even when it does (searches while typing and paging, or between writes, read it once).
 */
export async function floorOf(db: Db, index: Index, match: string): Promise<number | null> {
  return remembered(db, floors, `${index} ${match}`, async () => {
    if (isPostgres(db)) return postgres.floorOf(db, index, match, SCAN_LIMIT);
    const { rows } = await sql<{ id: number }>`select rowid as id from ${sql.table(index)} where ${sql.table(index)} match ${match}
      order by rowid desc limit 1 offset ${SCAN_LIMIT}`.execute(db);
    return rows[0]?.id ?? null;
  });
}

/**
 * Floors (and reaches) stay good for FLOOR_GRACE_MS across writes: on a desk being written to, every
 * search would otherwise read them again (~2 ms of a common word's ~4 at 1M). A floor read a little
 * earlier is still a bound: matches written since lie above it, so the walk reads at most SCAN_LIMIT
 * plus those; matches deleted since make it read fewer. A word that became common meanwhile is
 * ranked by relevance over its SCAN_LIMIT-odd matches for those seconds more.
 */
const FLOOR_GRACE_MS = 10_000;
const floors = new ChangeCache<number | null>(200, FLOOR_GRACE_MS);
const reaches = new ChangeCache<{ floor: number | null; matches: number }>(200, FLOOR_GRACE_MS);

/** The cache's value, or inside a transaction (which may see its own writes) the value read afresh. */
function remembered<T>(db: Db, cache: ChangeCache<T>, key: string, read: () => Promise<T>): Promise<T> {
  return db.isTransaction ? read() : cache.get(db, key, read);
}

/**
 * How to walk one index for these terms. bm25 reads the whole match list of every term once per
 * query to weigh it (76 ms for a word in 2.3M messages), so a query with a word that common is
 * put in recency order instead; and the walk (scope and filters applied on the way) never goes
 * past the newest SCAN_LIMIT matches, so `assignee:me` over a common word stays bounded.
 */
async function plan(db: Db, index: Index, match: string, termMatches: string[], c: TicketConditions) {
  // Counting the matches costs a little more than finding the floor: only with a tag that may drive.
  const { floor, matches } = c.rareTag ? await reachOf(db, index, match) : { floor: await floorOf(db, index, match), matches: 0 };
  let common = floor !== null;
  for (const term of termMatches) if (!common && termMatches.length > 1) common = (await floorOf(db, index, term)) !== null;
  // A rare tag with fewer tickets than the walk has matches to read: start from its tickets.
  const drive = c.rareTag && c.rareTag.tickets < matches ? c.rareTag.id : null;
  return { floor: floor ?? 0, common, drive };
}

/**
 * floorOf, and how many matches the walk reads at most (the word's matches, up to SCAN_LIMIT + 1):
 * one read of the same newest rowids.
 */
async function reachOf(db: Db, index: Index, match: string): Promise<{ floor: number | null; matches: number }> {
  return remembered(db, reaches, `${index} ${match}`, async () => {
    const { rows } = isPostgres(db)
      ? await postgres.reachQuery(index, match, SCAN_LIMIT).execute(db)
      : await sql<{ n: number; low: number | null }>`select count(*) as n, min(id) as low from (select rowid as id from ${sql.table(index)}
        where ${sql.table(index)} match ${match} order by rowid desc limit ${SCAN_LIMIT + 1})`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    return { floor: n > SCAN_LIMIT ? Number(rows[0]!.low) : null, matches: n };
  });
}

/**
 * Which indexes put these terms in recency order (common: every ticket hit scores -1, every message
 * hit 0), for agent.ts to read no more of them than the page needs.
 */
export async function commonIn(db: Db, c: TicketConditions, match: string, termMatches: string[]): Promise<{ tickets: boolean; messages: boolean }> {
  return {
    tickets: (await plan(db, 'search_tickets', match, termMatches, c)).common,
    messages: (await plan(db, 'search_messages', match, termMatches, c)).common,
  };
}

/** Tickets whose subject, requester, organisation or field values match (subject weighs most). */
export async function ticketHits(db: Db, actor: Actor, c: TicketConditions, match: string, termMatches: string[], window = RANK_WINDOW): Promise<TicketHit[]> {
  const { floor, common, drive } = await plan(db, 'search_tickets', match, termMatches, c);
  if (isPostgres(db)) return postgres.ticketHits(db, scopedTicket(db, actor, c, false), match, { floor, common, drive, window, tags: (ticketId, except) => tagChecks(db, c, ticketId, except) });
  // Every tag checked per match, even a rare one: probing FTS5 once per tagged ticket costs ~0.1 ms
  // a probe (it reopens the index each time), reading the matches' rowids ~0.1 µs each.
  const inScope = scopedTicket(db, actor, c, false).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = f.rowid`);
  const score = common ? sql`-1` : sql`bm25(search_tickets, 10.0, 2.0, 1.0, 1.0)`;
  const { rows } = await sql<TicketHit>`select f.rowid as ticketId, ${score} as score
    from search_tickets f
    where search_tickets match ${match} and f.rowid >= ${rowidAtLeast(floor)} ${tagChecks(db, c, sql`f.rowid`)} and exists ${inScope}
    order by f.rowid desc limit ${window}`.execute(db);
  return rows;
}

/** Messages (notes included: only agents search here) that match, newest first. */
export async function messageHits(db: Db, actor: Actor, c: TicketConditions, match: string, termMatches: string[]): Promise<MessageHit[]> {
  const { floor, common, drive } = await plan(db, 'search_messages', match, termMatches, c);
  if (isPostgres(db)) {
    return postgres.messageHits(db, scopedTicket(db, actor, c, false), match,
      { floor, common, drive, window: RANK_WINDOW, tags: (ticketId, except) => tagChecks(db, c, ticketId, except) }) as Promise<MessageHit[]>;
  }
  // A match's ticket is known only from its message row (~2.5 µs to read): with a rare tag, the
  // matches' rowids are instead checked against its tickets' messages, a set of a few thousand at most
  // (`+ 0`: a test of the walk, not a lookup of FTS5 per message, which would reopen the index each time).
  const driven = drive === null ? sql`` : sql`and f.rowid + 0 in (select tm.id from ticket_tags tt
    join messages tm on tm.ticket_id = tt.ticket_id where tt.tag_id = ${drive})`;
  const inScope = scopedTicket(db, actor, c, false).select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = m.ticket_id`);
  const score = common ? sql`0` : sql`bm25(search_messages)`;
  const { rows } = await sql<MessageHit>`select m.ticket_id as ticketId, m.id as messageId, m.kind as kind, ${score} as score
    from search_messages f cross join messages m on m.id = f.rowid
    where search_messages match ${match} and f.rowid >= ${rowidAtLeast(floor)} ${driven} ${tagChecks(db, c, sql`m.ticket_id`, drive ?? undefined)} and exists ${inScope}
    order by f.rowid desc limit ${RANK_WINDOW}`.execute(db);
  return rows;
}

/**
 * Each ticket's newest matching message (above the walk's floor), for tickets already found in
 * scope and through the filters: the excerpt of a ticket hit when the word is common in the
 * messages. Only the matches from the oldest of their messages on are read, each checked against
 * the set of their messages' ids (`+ 0`: as in messageHits). One lower bound: given two, FTS5
 * walked from the floor (1.4 against 0.2 ms at 1M tickets).
 */
export async function newestMessageHits(db: Db, c: TicketConditions, match: string, termMatches: string[], ticketIds: number[]): Promise<Map<number, MessageHit>> {
  if (ticketIds.length === 0) return new Map();
  const { floor } = await plan(db, 'search_messages', match, termMatches, c);
  const { rows } = isPostgres(db)
    ? await postgres.messagesOfTickets(match, ticketIds, floor).execute(db)
    : await sql<MessageHit>`select m.ticket_id as ticketId, m.id as messageId, m.kind as kind, 0 as score
      from search_messages f cross join messages m on m.id = f.rowid
      where search_messages match ${match}
        and f.rowid >= max(${rowidAtLeast(floor)}, (select min(o.id) from messages o where o.ticket_id in (${sql.join(ticketIds)})))
        and f.rowid + 0 in (select o.id from messages o where o.ticket_id in (${sql.join(ticketIds)}))
      order by f.rowid desc`.execute(db);
  const newest = new Map<number, MessageHit>();
  for (const row of rows) if (!newest.has(row.ticketId)) newest.set(row.ticketId, { ...row, score: 0 });
  return newest;
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
