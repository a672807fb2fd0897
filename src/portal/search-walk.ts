import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { reusableShapes } from '../db/reusable.js';
import { matchingTickets } from '../search/index.js';
import { keysAfter, orderedKeys, statusLookup, type StatusLookup } from '../tickets/list.js';
import { cursorOf, encodeCursor, PAGE_SIZE } from '../tickets/cursor.js';
import { sortParts, type ListFilter } from '../tickets/list-filter.js';
import { scopeShape } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { myTicketsFound } from './queries.js';

type CursorValues = (string | number)[];

/**
 * One request looks at no more than this many of the scope's tickets: a word common in the desk but
 * rare in this scope would otherwise walk all of it. The page then shows what was found so far,
 * and its "Older tickets" link goes on from the last ticket looked at.
 */
export const WALK_BUDGET = 4000;
/** Tab counts of a walked search stop here ("50+"): counting every match is what made it slow. */
export const WALK_COUNT_CAP = PAGE_SIZE;
const FIRST_CHUNK = 128;
const LAST_CHUNK = 2048;
const LEAST_CHUNK = 16;

/**
 * The next chunk's size: as many tickets as the matches still wanted should take at the rate found
 * so far, a quarter more, in a power of two (each size is its own prepared statement). Every ticket
 * of a chunk is checked against the index (~40 µs for its messages at 1M tickets), so doubling the
 * chunk when a few matches were missing checked hundreds of tickets for them.
 */
export function nextChunk(found: number, walked: number, want: number): number {
  const rate = Math.max(found, 0.5) / walked;
  const size = 2 ** Math.ceil(Math.log2(((want - found) / rate) * 1.25));
  return Math.min(Math.max(size, LEAST_CHUNK), LAST_CHUNK);
}

/** One walk: the tickets of `filter` (its search aside) after `after` in its order, until `want` match. */
interface WalkSpec { filter: ListFilter; after: CursorValues | null; want: number }

interface Walk {
  /** The matching tickets' ids, in the filter's order, at most `want`. */
  ids: number[];
  /** Where the walk stopped for its budget before finding `want`: the cursor to go on from. */
  stoppedAt: CursorValues | null;
}

/**
 * For each spec, the first `want` tickets of its filter's scope (visibleTickets and every filter but
 * the search) that match `search`, in the filter's order: the scope's tickets are read in that order a
 * chunk at a time (the list's own keyset walk) and checked against the index (matchingTickets). A
 * common word fills a page within a few hundred tickets, so the cost follows the page, not the word's
 * tens of thousands of matches (seconds for "password" at 1M tickets, when every match was read and
 * counted). After the first chunk, each is sized by the rate of matches so far (nextChunk). The
 * walks' chunks are checked together, one statement for each index for all of them: FTS5 merges a
 * prefix's whole match list every time a walk of it starts.
 */
export async function walkMatches(db: Db, actor: Actor, search: string, specs: WalkSpec[]): Promise<Walk[]> {
  const lookup = await statusLookup(db);
  const walks = specs.map((spec) => ({ spec, ids: [] as number[], cursor: spec.after, walked: 0, size: FIRST_CHUNK, done: false, stoppedAt: null as CursorValues | null }));
  for (let open = walks; open.length > 0; open = walks.filter((w) => !w.done)) {
    const chunks = await Promise.all(open.map((w) => chunkRows(db, actor, w.spec.filter, w.cursor, lookup, w.size)));
    const hits = await matchingTickets(db, search, [...new Set(chunks.flat().map((row) => row.id))]);
    open.forEach((w, i) => {
      const rows = chunks[i]!;
      for (const row of rows) {
        if (hits.has(row.id)) w.ids.push(row.id);
        if (w.ids.length === w.spec.want) { w.done = true; return; }
      }
      w.walked += rows.length;
      w.cursor = rows.length > 0 ? cursorOf(rows[rows.length - 1]!, w.spec.filter.sort) : w.cursor;
      if (rows.length < w.size) w.done = true;
      else if (w.walked >= WALK_BUDGET) [w.done, w.stoppedAt] = [true, w.cursor];
      else w.size = Math.min(nextChunk(w.ids.length, w.walked, w.spec.want), WALK_BUDGET - w.walked);
    });
  }
  return walks.map((w) => ({ ids: w.ids, stoppedAt: w.stoppedAt }));
}

/**
 * The next `size` tickets of the filter's scope (its search aside) after `cursor`, in its order. A
 * tab holds a few of the desk's statuses, and its tickets may be few among the requester's or the
 * organisation's (the Opened tab: 172 of Acme's 5,938 at 100k tickets, 12 of a customer's 421):
 * walked along (requester_id | organization_id, last_activity_at, id), a chunk read every ticket
 * of the scope to find them, and the walk went through all of them before the tab's page was full
 * (88 ms of CPU for 8,820 tickets at 10M). So in activity order each of the tab's statuses is read
 * along its own index (requester_id | organization_id, status_id, visibility, last_activity_at,
 * id: migrations 0022, 0050) and the parts are merged (a compound ORDER BY: SQLite reads each part
 * along its index and merges them lazily, so each reads only the rows the chunk takes from it, plus
 * one). Only the ids and the cursor's columns are read. The portal's sorts only (not "Next SLA due").
 */
export function chunkQuery(db: Db, actor: Actor, filter: ListFilter, cursor: CursorValues | null, lookup: StatusLookup, size: number) {
  const plain = { ...filter, search: null, searchPlan: undefined };
  const statusIds = filter.statusId === null && filter.categories ? lookup(filter.categories) : [];
  const { column, ascending } = sortParts(filter.sort);
  if (statusIds.length < 2 || column !== 'activity' || (filter.requesterId === null && filter.organizationId === null)) {
    return orderedKeys(db, actor, plain, cursor, lookup, size);
  }
  const direction = sql.raw(ascending ? 'asc' : 'desc');
  const order = sql`last_activity_at ${direction}, id ${direction}`;
  const parts = statusIds.map((statusId) => keysAfter(db, actor, { ...plain, categories: null, statusId }, cursor, lookup));
  // PostgreSQL merges parts in order only when each is ordered and limited itself (a Merge Append
  // of index scans); given the bare parts it read all of each and sorted them (18,556 of Acme's
  // tickets for a chunk of 128: 80–95 ms at 1M).
  const [first, ...rest] = isPostgres(db)
    // (The same columns as a part: the builder's type of the ticket query is kept.)
    ? parts.map((part, i) => db.selectFrom(part.orderBy(order).limit(sql.lit(size)).as(`part${i}`)).selectAll() as unknown as typeof part)
    : parts;
  return rest.reduce((union, part) => union.unionAll(part), first!).orderBy(order).limit(sql.lit(size));
}

/** What a chunk reads of each ticket: its id and what the cursor is made of. */
interface ChunkRow { id: number; last_activity_at: string; created_at: string; priority_rank: number }

/**
 * chunkQuery's statement of each shape, compiled once (db/reusable.ts): a request runs a chunk or two
 * per tab, and building and compiling one through Kysely (a union of up to five scoped parts) cost
 * 50–90 µs of CPU each, more than SQLite took to answer most of them.
 */
const chunkStatements = reusableShapes<ChunkRow>();

/** chunkQuery's rows: the people's ids and the cursor's values are the statement's values, all else its shape. */
function chunkRows(db: Db, actor: Actor, filter: ListFilter, cursor: CursorValues | null, lookup: StatusLookup, size: number) {
  const values = [actor.id, actor.organizationId, filter.requesterId, filter.organizationId, filter.ccUserId ?? null, ...(cursor ?? [])];
  const people = { requesterId: null, organizationId: null, ccUserId: null };
  const shape = JSON.stringify([scopeShape(actor), { ...filter, ...people, search: null, searchPlan: null },
    lookup(filter.categories), cursor?.length ?? null, size]);
  return chunkStatements(db, shape, values, ([id, organizationId, requesterId, filterOrganizationId, ccUserId, ...after]) => chunkQuery(db,
    { ...actor, id: id as number, organizationId: organizationId as number | null },
    { ...filter, requesterId: requesterId as number | null, organizationId: filterOrganizationId as number | null, ccUserId: ccUserId as number | null },
    cursor && (after as CursorValues), lookup, size));
}

/** A tab's count: exact up to WALK_COUNT_CAP, else "at least" (`more`). */
export interface WalkedCount { count: number; more: boolean }

function countOf(walk: Walk): WalkedCount {
  return { count: Math.min(walk.ids.length, WALK_COUNT_CAP), more: walk.ids.length > WALK_COUNT_CAP || walk.stoppedAt !== null };
}

/**
 * The page and the tabs' counts of a walked search, all in one walk. The current tab's count comes
 * from its page when that starts at the top; every other count walks from the top, stopping at
 * WALK_COUNT_CAP + 1.
 */
export async function walkedSearch<K extends string>(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null,
  current: K, tabs: Record<K, ListFilter>) {
  const counted = (Object.keys(tabs) as K[]).filter((tab) => tab !== current || after !== null);
  const [walk, ...others] = await walkMatches(db, actor, filter.search ?? '', [
    { filter, after, want: PAGE_SIZE + 1 },
    ...counted.map((tab) => ({ filter: tabs[tab], after: null, want: WALK_COUNT_CAP + 1 })),
  ]);
  const page = await myTicketsFound(db, actor, walk!.ids, filter.sort);
  const next = page.next ?? (walk!.stoppedAt ? encodeCursor(walk!.stoppedAt) : null);
  const counts = {} as Record<K, WalkedCount>;
  for (const tab of Object.keys(tabs) as K[]) counts[tab] = countOf(counted.includes(tab) ? others[counted.indexOf(tab)]! : walk!);
  return { rows: page.rows, next, counts, partial: walk!.stoppedAt !== null };
}
