import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { reusableShapes } from '../db/reusable.js';
import { renderMarkdown } from '../messages/markdown.js';
import { getSetting } from '../settings/settings.js';
import { cappedCounts, filteredTickets, foundSubquery, pageSubquery, SEARCH_WINDOW, statusLookup } from '../tickets/list.js';
import { OUTER_ORDER, PAGE_SIZE, pageOf } from '../tickets/cursor.js';
import type { ListFilter, SortKey } from '../tickets/list-filter.js';
import { scopeShape } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';

type CursorValues = (string | number)[];

/**
 * One page of the customer's list. Every row comes from filteredTickets, so from visibleTickets:
 * the same scope as the agent list and the ticket page. Only what a customer may see is selected
 * (the requester's and last replier's names, the status's customer label; never internal status
 * names, emails, assignees or groups), so a template cannot show more by mistake.
 */
export async function myTicketsPage(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, size = PAGE_SIZE) {
  const lookup = await statusLookup(db);
  const rows = await pageRows(db, pageSubquery(db, actor, filter, after, lookup, size), filter.sort).execute();
  return pageOf(rows, filter.sort, size);
}

/** What a row of the customer's list shows, joined onto the page's tickets (pageSubquery or foundSubquery), in the sort. */
function pageRows(db: Db, page: ReturnType<typeof pageSubquery>, sort: SortKey) {
  return db.selectFrom(page.as('t'))
    .innerJoin('users as requester', 'requester.id', 't.requester_id')
    .innerJoin('statuses', 'statuses.id', 't.status_id')
    .innerJoin('ticket_types', 'ticket_types.id', 't.type_id')
    .leftJoin('users as replier', 'replier.id', 't.last_replier_id')
    .select([
      't.id', 't.subject', 't.priority', 't.created_at', 't.last_activity_at', 't.priority_rank', 't.requester_id',
      'requester.name as requester_name', 'replier.name as last_replier_name',
      'statuses.customer_label as status_label', 'statuses.category as status_category', 'ticket_types.name as type_name',
    ])
    .orderBy(OUTER_ORDER[sort]);
}

type PageRow = Awaited<ReturnType<ReturnType<typeof pageRows>['execute']>>[number];

/**
 * The found page's statement of each shape (the scope's kind, the sort, how many tickets), compiled
 * once (db/reusable.ts): built and compiled through Kysely it cost about as much CPU as the walk's
 * chunks, every request.
 */
const foundPages = reusableShapes<PageRow>();

/**
 * The page of tickets a walk found (portal/search-walk.ts: in the filter and after the cursor, at most
 * PAGE_SIZE + 1, their ids in the sort), as myTicketsPage shows it; the scope is applied again.
 */
export async function myTicketsFound(db: Db, actor: Actor, ids: readonly number[], sort: SortKey) {
  if (ids.length === 0) return { rows: [], next: null };
  const rows = await foundPages(db, JSON.stringify([scopeShape(actor), sort, ids.length]), [actor.id, actor.organizationId, ...ids],
    ([id, organizationId, ...found]) => pageRows(db, foundSubquery(db, { ...actor, id: id as number, organizationId: organizationId as number | null }, found), sort));
  return pageOf(rows, sort);
}

/** Capped counts (see COUNT_CAP) of each tab, from the same scoped filter as the list. */
export async function myTicketCounts<K extends string>(db: Db, actor: Actor, filters: Record<K, ListFilter>): Promise<Record<K, number>> {
  const lookup = await statusLookup(db);
  const keys = Object.keys(filters) as K[];
  const numbers = await cappedCounts(db, actor, keys.map((key) => filters[key]), lookup);
  return Object.fromEntries(keys.map((key, i) => [key, numbers[i]!])) as Record<K, number>;
}

/** Whether the scope holds more tickets than a search looks at (SEARCH_WINDOW), so the page can say so. */
export async function searchWindowFull(db: Db, actor: Actor, filter: ListFilter): Promise<boolean> {
  const lookup = await statusLookup(db);
  const inner = filteredTickets(db, actor, { ...filter, search: null }, lookup).select(sql`1`.as('one')).limit(SEARCH_WINDOW + 1);
  const row = await db.selectFrom(inner.as('capped')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n) > SEARCH_WINDOW;
}

/** How many tickets the filter's scope holds (without its search), counted no further than `atMost`. */
export async function scopeSize(db: Db, actor: Actor, filter: ListFilter, atMost: number): Promise<number> {
  const inner = filteredTickets(db, actor, { ...filter, search: null }, await statusLookup(db)).select(sql`1`.as('one')).limit(atMost);
  const row = await db.selectFrom(inner.as('capped')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The ids of the filter's scope (without its search) where `matched` holds: a search plan's one read. */
export async function scopeIdsWhere(db: Db, actor: Actor, filter: ListFilter, matched: Expression<SqlBool>): Promise<number[]> {
  const rows = await filteredTickets(db, actor, { ...filter, search: null }, await statusLookup(db)).select('tickets.id').where(matched).execute();
  return rows.map((row) => row.id);
}

/** The customer's active services: their own and their organisation's. */
export function activeServices(db: Db, actor: Actor) {
  return db.selectFrom('services').select(['id', 'name', 'starts_on', 'ends_on'])
    .where('state', '=', 'active')
    .where((eb) => eb.or([
      eb('customer_id', '=', actor.id),
      ...(actor.organizationId !== null ? [eb('organization_id', '=', actor.organizationId)] : []),
    ]))
    .orderBy('name').orderBy('id').limit(100)
    .execute();
}

/** The operator's help text for the portal home, as safe HTML; null when none is set. */
export async function portalHelpHtml(db: Db): Promise<string | null> {
  const text = (await getSetting(db, 'portal.help_text'))?.trim();
  return text ? renderMarkdown(text) : null;
}
