import type { Db } from '../db/connect.js';
import { matchingTickets } from '../search/index.js';
import { cursorOf, encodeCursor, PAGE_SIZE, pageSubquery, statusLookup } from '../tickets/list.js';
import type { ListFilter } from '../tickets/list-filter.js';
import type { Actor } from '../users/actor.js';
import { myTicketsPage } from './queries.js';

type CursorValues = (string | number)[];

/**
 * One request looks at no more than this many of the scope's tickets: a word common in the desk but
 * rare in this scope would otherwise walk all of it. The page then shows what was found so far,
 * and its "Older tickets" link goes on from the last ticket looked at.
 */
export const WALK_BUDGET = 4000;
/** Tab counts of a walked search stop here ("50+"): counting every match is what made it slow. */
export const WALK_COUNT_CAP = PAGE_SIZE;
const FIRST_CHUNK = 256;
const LAST_CHUNK = 2048;

interface Walk {
  /** The matching tickets' ids, in the filter's order, at most `want`. */
  ids: number[];
  /** Where the walk stopped for its budget before finding `want`: the cursor to go on from. */
  stoppedAt: CursorValues | null;
}

/**
 * The first `want` tickets of the filter's scope (visibleTickets and every filter but the search)
 * that match its search, in the filter's order after `after`: the scope's tickets are read in that
 * order a chunk at a time (the list's own keyset walk) and each chunk is checked against the index
 * (matchingTickets). A common word fills a page within a few hundred tickets, so the cost follows
 * the page, not the word's tens of thousands of matches (~9 s for "password" at 1M tickets, when
 * every match was read and counted).
 */
export async function walkMatches(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, want: number): Promise<Walk> {
  const lookup = await statusLookup(db);
  const scope: ListFilter = { ...filter, search: null, searchPlan: undefined };
  const ids: number[] = [];
  let cursor = after;
  let walked = 0;
  for (let size = FIRST_CHUNK; ; size = Math.min(size * 2, LAST_CHUNK)) {
    const rows = await pageSubquery(db, actor, scope, cursor, lookup, size - 1).execute();
    const hits = await matchingTickets(db, filter.search ?? '', rows.map((row) => row.id));
    for (const row of rows) {
      if (!hits.has(row.id)) continue;
      ids.push(row.id);
      if (ids.length === want) return { ids, stoppedAt: null };
    }
    walked += rows.length;
    if (rows.length < size) return { ids, stoppedAt: null };
    cursor = cursorOf(rows[rows.length - 1]!, filter.sort);
    if (walked >= WALK_BUDGET) return { ids, stoppedAt: cursor };
  }
}

/** A tab's count: exact up to WALK_COUNT_CAP, else "at least" (`more`). */
export interface WalkedCount { count: number; more: boolean }

function countOf(walk: Walk): WalkedCount {
  return { count: Math.min(walk.ids.length, WALK_COUNT_CAP), more: walk.ids.length > WALK_COUNT_CAP || walk.stoppedAt !== null };
}

/**
 * The page and the tabs' counts of a walked search. The current tab's count comes from its page when
 * that starts at the top; every other count is a walk of its own, stopping at WALK_COUNT_CAP + 1.
 */
export async function walkedSearch<K extends string>(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null,
  current: K, tabs: Record<K, ListFilter>) {
  const walk = await walkMatches(db, actor, filter, after, PAGE_SIZE + 1);
  const page = await myTicketsPage(db, actor, { ...filter, searchPlan: { drive: 'index', ticketIds: walk.ids } }, after);
  const next = page.next ?? (walk.stoppedAt ? encodeCursor(walk.stoppedAt) : null);
  const counts = {} as Record<K, WalkedCount>;
  for (const tab of Object.keys(tabs) as K[]) {
    counts[tab] = tab === current && after === null ? countOf(walk) : countOf(await walkMatches(db, actor, tabs[tab], null, WALK_COUNT_CAP + 1));
  }
  return { rows: page.rows, next, counts, partial: walk.stoppedAt !== null };
}
