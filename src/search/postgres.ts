import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import type { MessageKind } from '../db/schema.js';
import type { visibleTickets } from '../tickets/scope.js';
import type { Term } from './parse.js';

// Search on PostgreSQL (issue 18 point 2), behind the same names as the FTS5 implementation: the
// weighted tsvector per ticket of migration 0019 and the messages' stored words of 0028, the
// same parsed terms (parse.ts), the same bounded walk newest first. Only this file and migration
// 0019 and 0028 know PostgreSQL's full-text search.

/** A word as migration 0019's deskbell_search_text() leaves it: lower case, accents dropped. */
function fold(word: string): string[] {
  return word.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * The tsquery text for the terms (all must match), or null when nothing is left to search. Every
 * word is quoted (only letters and digits reach here, so no operator can be written); a term of
 * several words (a phrase, `e-mail`) must follow each other (`<->`); the word being typed is a
 * prefix (`:*`). `weights` limits the match to parts of the ticket document (customers: `AC`).
 */
export function tsQueryText(terms: Term[], weights = ''): string | null {
  const parts = terms.flatMap((term) => {
    const words = term.words.flatMap(fold);
    if (words.length === 0) return [];
    const lexemes = words.map((w, i) => `'${w}'${term.prefix && i === words.length - 1 ? ':*' : weights ? ':' : ''}${weights}`);
    return [lexemes.length > 1 ? `(${lexemes.join(' <-> ')})` : lexemes[0]!];
  });
  return parts.length > 0 ? parts.join(' & ') : null;
}

const query = (text: string) => sql`to_tsquery('simple', ${text})`;
/** A message's words, stored by migration 0028 (a common word's walk newest first reads them, never recomputes them). */
const MESSAGE_WORDS = sql`m.search_words`;
/** ts_rank's weights for D, C, B, A: subject 10, requester and organisation 2, fields 1 (as bm25's on SQLite). */
const TICKET_WEIGHTS = sql`'{0.1, 0.1, 0.2, 1.0}'::real[]`;

/** The id of the `limit`-th newest match (the floor of the walk), or null when there are fewer. */
export async function floorOf(db: Db, index: 'search_tickets' | 'search_messages', text: string, limit: number): Promise<number | null> {
  const { rows } = await floorQuery(index, text, limit).execute(db);
  return rows[0]?.id ?? null;
}

/** floorOf's statement (its plan is tested). */
export function floorQuery(index: 'search_tickets' | 'search_messages', text: string, limit: number) {
  return index === 'search_tickets'
    ? sql<{ id: number }>`select ticket_id as id from search_tickets where document @@ ${query(text)}
      order by ticket_id desc limit 1 offset ${limit}`
    : sql<{ id: number }>`select m.id from messages m where ${MESSAGE_WORDS} @@ ${query(text)}
      order by m.id desc limit 1 offset ${limit}`;
}

/** reachOf's statement (agent-hits.ts): how many of the newest SCAN_LIMIT + 1 matches there are, and the oldest of them. */
export function reachQuery(index: 'search_tickets' | 'search_messages', text: string, limit: number) {
  const newest = index === 'search_tickets'
    ? sql`select ticket_id as id from search_tickets where document @@ ${query(text)} order by ticket_id desc limit ${limit + 1}`
    : sql`select m.id from messages m where ${MESSAGE_WORDS} @@ ${query(text)} order by m.id desc limit ${limit + 1}`;
  return sql<{ n: string; low: number | null }>`select count(*) as n, min(id) as low from (${newest}) newest`;
}

/** The tickets the searcher may see, through the filters but the tags (agent-hits.ts's scopedTicket). */
type Scope = ReturnType<typeof visibleTickets>;

/**
 * How a walk goes: its floor, whether the word is common (no ranking), the rare tag whose tickets
 * drive it (or null), how many hits it keeps, and the tags checked per match (`except` the driving one).
 */
export interface Walk {
  floor: number;
  common: boolean;
  drive: number | null;
  window: number;
  tags: (ticketId: RawBuilder<unknown>, except?: number) => RawBuilder<unknown>;
}

/**
 * A rare tag's tickets, read first (`offset 0` keeps them first): a few hundred index entries and a
 * lookup each, where the word's matches would be checked one by one (7,855 tickets and up to 20,000
 * messages for "password" at 100k tickets) for a tag on a few of them.
 */
const tagTickets = (tagId: number) => sql`(select ticket_id from ticket_tags where tag_id = ${tagId} offset 0)`;

/**
 * `and id >= floor` only when there is a floor: for a rarer word (floor 0) the condition matches
 * every row, yet PostgreSQL plans it as a third of them and ANDs the word's few matches with a bitmap
 * of the whole primary key (45 ms over 475k messages, seconds over 5M).
 */
function aboveFloor(column: RawBuilder<unknown>, floor: number) {
  return floor > 0 ? sql`and ${column} >= ${floor}` : sql``;
}

/**
 * The matches as a table. Without a floor the word has fewer than SCAN_LIMIT matches, and they are
 * read first (`offset 0` keeps PostgreSQL from merging the subquery): left to itself, the planner
 * takes the searcher's scope for a few hundred tickets (it cannot estimate the restricted-group
 * test) and probes the index once per ticket in the desk, 100,000 probes (280 ms) for a word in ten
 * tickets. With a floor (a common word) the walk newest first, scope on the way, stays as it was.
 */
function fenced(matches: RawBuilder<unknown>, floor: number) {
  return floor > 0 ? sql`(${matches})` : sql`(${matches} offset 0)`;
}

/**
 * The scope, checked match by match (`offset 0` keeps the EXISTS from becoming a join): for the
 * same misjudged estimate the planner otherwise hashes every ticket in scope (100,000, 225 ms) to
 * keep ten matches.
 */
function perMatch<T extends { offset(n: number): T }>(inScope: T, floor: number): T {
  return floor > 0 ? inScope : inScope.offset(0);
}

/** As ticketHits on SQLite; the score is minus ts_rank, so that lower is better as with bm25. */
export async function ticketHits(db: Db, scope: Scope, text: string, walk: Walk) {
  const { floor, common, drive, window } = walk;
  const inScope = perMatch(scope.select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = s.ticket_id`), drive === null ? floor : 0);
  const score = common ? sql`-1` : sql`-ts_rank(${TICKET_WEIGHTS}, s.document, ${query(text)})`;
  const from = drive === null
    ? fenced(sql`select s.ticket_id, s.document from search_tickets s where s.document @@ ${query(text)} ${aboveFloor(sql`s.ticket_id`, floor)}`, floor)
    : sql`${tagTickets(drive)} tt join search_tickets s on s.ticket_id = tt.ticket_id`;
  const driven = drive === null ? sql`` : sql`and s.document @@ ${query(text)} ${aboveFloor(sql`s.ticket_id`, floor)}`;
  const { rows } = await sql<{ ticketId: number; score: number }>`select s.ticket_id as "ticketId", ${score} as score
    from ${from} ${drive === null ? sql`s` : sql``}
    where true ${driven} ${walk.tags(sql`s.ticket_id`, drive ?? undefined)} and exists ${inScope}
    order by s.ticket_id desc limit ${window}`.execute(db);
  return rows;
}

/** As messageHits on SQLite: messages (notes too) that match, newest first. */
export async function messageHits(db: Db, scope: Scope, text: string, walk: Walk) {
  const { floor, common, drive, window } = walk;
  const inScope = perMatch(scope.select(sql`1`.as('one')).where(sql<SqlBool>`tickets.id = m.ticket_id`), drive === null ? floor : 0);
  const score = common ? sql`0` : sql`-ts_rank(${MESSAGE_WORDS}, ${query(text)})`;
  const matching = sql`${MESSAGE_WORDS} @@ ${query(text)} ${aboveFloor(sql`m.id`, floor)}`;
  const from = drive === null
    ? sql`${fenced(sql`select m.id, m.ticket_id, m.kind, m.search_words from messages m where ${matching}`, floor)} m`
    : sql`${tagTickets(drive)} tt join messages m on m.ticket_id = tt.ticket_id`;
  const { rows } = await sql<{ ticketId: number; messageId: number; kind: string; score: number }>`select m.ticket_id as "ticketId",
      m.id as "messageId", m.kind as kind, ${score} as score
    from ${from}
    where ${drive === null ? sql`true` : matching} ${walk.tags(sql`m.ticket_id`, drive ?? undefined)} and exists ${inScope}
    order by m.id desc limit ${window}`.execute(db);
  return rows;
}

/** As newestMessageHits on SQLite: the tickets' matching messages above the floor, newest first (by their ticket's index). */
export function messagesOfTickets(text: string, ticketIds: number[], floor: number) {
  return sql<{ ticketId: number; messageId: number; kind: MessageKind; score: number }>`select m.ticket_id as "ticketId", m.id as "messageId",
      m.kind as kind, 0 as score
    from messages m where m.ticket_id in (${sql.join(ticketIds)}) and ${MESSAGE_WORDS} @@ ${query(text)} ${aboveFloor(sql`m.id`, floor)}
    order by m.id desc`;
}

/** As customerMatches on SQLite: the subject and visible fields (weights A and C), public messages. */
export function customerMatches(terms: Term[], publicKinds: readonly string[]): Expression<SqlBool> {
  const ticketText = tsQueryText(terms, 'AC');
  const messageText = tsQueryText(terms);
  if (ticketText === null || messageText === null) return sql<SqlBool>`false`;
  return sql<SqlBool>`(exists (select 1 from search_tickets s where s.ticket_id = tickets.id and s.document @@ ${query(ticketText)})
    or exists (select 1 from messages m where m.ticket_id = tickets.id and m.kind in (${sql.join([...publicKinds])})
      and ${MESSAGE_WORDS} @@ ${query(messageText)}))`;
}

/**
 * As customer-walk.ts's matchingTickets on SQLite: which of these tickets (already in the customer's
 * scope) match in their subject or visible fields (weights A and C) or in a public message. Each
 * ticket's document and messages are found by ticket id and their stored words tested, so the cost
 * follows the chunk of tickets the portal's walk hands over, never the word's matches.
 */
export async function matchingTickets(db: Db, terms: Term[], ticketIds: readonly number[], publicKinds: readonly string[]): Promise<Set<number>> {
  const ticketText = tsQueryText(terms, 'AC');
  const messageText = tsQueryText(terms);
  if (ticketText === null || messageText === null || ticketIds.length === 0) return new Set();
  const ids = sql`${sql.val([...ticketIds])}::int[]`;
  // `offset 0` keeps the word's test out of the index scan: left to itself, PostgreSQL ANDed the
  // chunk's ids with a GIN bitmap of every match of a common word (110–120 ms for "password" at 1M).
  const { rows } = await sql<{ id: number }>`select s.ticket_id as id
      from (select s.ticket_id, s.document from search_tickets s where s.ticket_id = any(${ids}) offset 0) s
      where s.document @@ ${query(ticketText)}
    union
    select m.ticket_id as id
      from (select m.ticket_id, m.search_words from messages m where m.ticket_id = any(${ids}) and m.kind in (${sql.join([...publicKinds])}) offset 0) m
      where ${MESSAGE_WORDS} @@ ${query(messageText)}`.execute(db);
  return new Set(rows.map((row) => Number(row.id)));
}

/** Rebuild the ticket documents (the messages' words are a generated column, never out of step). */
export async function rebuildSearchIndex(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`delete from search_tickets`.execute(trx);
    await sql`select search_tickets_refresh(array(select id from tickets))`.execute(trx);
  });
}
