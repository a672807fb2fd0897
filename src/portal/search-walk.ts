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
const FIRST_CHUNK = 128;
const LAST_CHUNK = 2048;

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
 * counted). The walks' chunks are checked together, one walk of each index for all of them: FTS5
 * merges a prefix's whole match list every time a walk of it starts.
 */
export async function walkMatches(db: Db, actor: Actor, search: string, specs: WalkSpec[]): Promise<Walk[]> {
  const lookup = await statusLookup(db);
  const walks = specs.map((spec) => ({ spec, ids: [] as number[], cursor: spec.after, walked: 0, size: FIRST_CHUNK, done: false, stoppedAt: null as CursorValues | null }));
  for (let open = walks; open.length > 0; open = walks.filter((w) => !w.done)) {
    const chunks = await Promise.all(open.map((w) =>
      pageSubquery(db, actor, { ...w.spec.filter, search: null, searchPlan: undefined }, w.cursor, lookup, w.size - 1).execute()));
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
      else w.size = Math.min(w.size * 2, LAST_CHUNK, WALK_BUDGET - w.walked);
    });
  }
  return walks.map((w) => ({ ids: w.ids, stoppedAt: w.stoppedAt }));
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
  const page = await myTicketsPage(db, actor, { ...filter, searchPlan: { drive: 'index', ticketIds: walk!.ids } }, after);
  const next = page.next ?? (walk!.stoppedAt ? encodeCursor(walk!.stoppedAt) : null);
  const counts = {} as Record<K, WalkedCount>;
  for (const tab of Object.keys(tabs) as K[]) counts[tab] = countOf(counted.includes(tab) ? others[counted.indexOf(tab)]! : walk!);
  return { rows: page.rows, next, counts, partial: walk!.stoppedAt !== null };
}
