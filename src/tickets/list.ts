import { sql } from 'kysely';
import { untilChanged, untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import type { StatusCategory } from '../db/schema.js';
import type { Actor } from '../users/actor.js';
import { sortParts, type ListFilter } from './list-filter.js';
import { OUTER_ORDER, PAGE_SIZE, pageOf, pastCursor, PRIORITY_RANK, SORT_COLUMNS, type CursorValues } from './cursor.js';
import { visibleTickets, withTeams } from './scope.js';
import { customerMatches } from '../search/index.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';
import { COMMON_TAG } from '../tags/queries.js';

/** Side-menu counts stop counting here and show "999+": a count never scans a large set. */
export const COUNT_CAP = 999;

/** The filtered, scoped set of tickets (no joins, no order): shared by the list and the counts. */
export function filteredTickets(db: Db, actor: Actor, filter: ListFilter, statusIdsByCategory: (c: ListFilter['categories']) => number[]) {
  let query = visibleTickets(db, actor);
  if (filter.statusId !== null) query = query.where('tickets.status_id', '=', filter.statusId);
  else if (filter.categories) query = query.where('tickets.status_id', 'in', [...statusIdsByCategory(filter.categories), -1]);
  if (filter.assignee === 'me') query = query.where('tickets.assignee_id', '=', actor.id);
  else if (filter.assignee === 'unassigned') query = query.where('tickets.assignee_id', 'is', null);
  else if (filter.assignee !== null) query = query.where('tickets.assignee_id', '=', filter.assignee);
  if (filter.groupId !== null) query = query.where('tickets.group_id', '=', filter.groupId);
  if (filter.typeId !== null) query = query.where('tickets.type_id', '=', filter.typeId);
  if (filter.priority !== null) query = query.where('tickets.priority', '=', filter.priority);
  if (filter.brandId !== null) query = query.where('tickets.brand_id', '=', filter.brandId);
  if (filter.organizationId !== null) query = query.where('tickets.organization_id', '=', filter.organizationId);
  if (filter.requesterId !== null) query = query.where('tickets.requester_id', '=', filter.requesterId);
  // One semi-join per tag (all must match), each served by tags' unique name and ticket_tags (tag_id, ticket_id).
  // A common tag is checked per ticket instead (the primary key (ticket_id, tag_id)) while the sort's
  // index is walked: driven from a tag on a third of the desk, the page would sort all its tickets.
  for (const tag of filter.tags ?? []) {
    const tagged = db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id').where('tags.name', '=', tag);
    query = filter.commonTags?.includes(tag)
      ? query.where((eb) => eb.exists(tagged.select(sql`1`.as('one')).where(sql<boolean>`ticket_tags.ticket_id = tickets.id`)))
      : query.where('tickets.id', 'in', tagged.select('ticket_tags.ticket_id'));
  }
  if (filter.sla) {
    const now = nowIso();
    const due = db.selectFrom('ticket_slas').select('ticket_slas.ticket_id');
    query = query.where('tickets.id', 'in', filter.sla === 'breached'
      ? due.where('ticket_slas.next_due_at', '<=', now)
      : due.where('ticket_slas.next_due_at', '>', now).where('ticket_slas.next_due_at', '<=', isoIn(HOUR)));
  }
  if (filter.snoozed === 'hide') query = query.where('tickets.snoozed_until', 'is', null);
  else if (filter.snoozed === 'mine') query = query.where('tickets.snoozed_until', 'is not', null).where('tickets.snoozed_by_id', '=', actor.id);
  if (filter.ccUserId != null) {
    query = query.where('tickets.id', 'in', db.selectFrom('ticket_ccs').select('ticket_id').where('user_id', '=', filter.ccUserId));
  }
  if (filter.search) {
    // Subjects, customer-visible fields and public messages: never notes (src/search/customer.ts).
    // A planned search bounds its own cost; otherwise only the newest SEARCH_WINDOW tickets of the
    // (otherwise filtered) scope are searched.
    if (!filter.searchPlan) {
      query = query.where('tickets.id', 'in', filteredTickets(db, actor, { ...filter, search: null }, statusIdsByCategory).select('tickets.id')
        .orderBy('tickets.last_activity_at', 'desc').orderBy('tickets.id', 'desc').limit(SEARCH_WINDOW));
    }
    query = query.where(customerMatches(db, filter.search, filter.searchPlan));
  }
  return query;
}

/**
 * A text search over a scoped ticket set looks at no more than this many tickets (the newest by
 * last activity): the index is consulted ticket by ticket (customerMatches), so its cost must stay
 * bounded whatever the size of the scope.
 */
export const SEARCH_WINDOW = 5000;

export type StatusLookup = Awaited<ReturnType<typeof statusLookup>>;

const statusCategories = untilConfigChanged((db: Db, _: '') => db.selectFrom('statuses').select(['id', 'category']).execute(), 1);

/** A category → status ids lookup from the (small) statuses table, read once per request. */
export async function statusLookup(db: Db) {
  const statuses = await statusCategories(db, '');
  return (categories: ListFilter['categories']) =>
    statuses.filter((s) => categories?.includes(s.category)).map((s) => s.id);
}

/**
 * One page of the list: one query, with everything the row shows looked up in it (no query per row).
 * The page's 51 ids are chosen in a subquery over `tickets` alone and only then looked up: with
 * ANALYZE statistics SQLite otherwise starts from a small joined table and sorts the whole match
 * set (32 ms instead of 1 ms at 50k tickets). A LIMIT keeps the subquery from being flattened.
 */
export async function listTicketPage(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null) {
  const rows = await listPageQuery(db, await withTeams(db, actor), await tagDensity(db, filter), after, await statusLookup(db)).execute();
  return pageOf(rows, filter.sort);
}

/** From this many tickets on, a tag is common: a page walks the sort's index and checks the tag per ticket. */
export { COMMON_TAG };

/**
 * Which of the filter's tags are common, each counted no further than COMMON_TAG (a bounded walk of
 * ticket_tags (tag_id, ticket_id)): a rare tag drives the page from its few tickets, a common one is
 * checked along the sort (at least one ticket in 500 at a million tickets, so a page is found quickly).
 */
export async function tagDensity(db: Db, filter: ListFilter): Promise<ListFilter> {
  if (!filter.tags?.length) return filter;
  const commonTags: string[] = [];
  for (const tag of filter.tags) if (await isCommonTag(db, tag)) commonTags.push(tag);
  return { ...filter, commonTags };
}

/** Remembered until the database changes: a tag's density moves slowly, and the walk costs ~0.1 ms. */
const isCommonTag = untilChanged(async (db: Db, tag: string) => {
  const some = db.selectFrom('ticket_tags').innerJoin('tags', 'tags.id', 'ticket_tags.tag_id').select(sql`1`.as('one'))
    .where('tags.name', '=', tag).limit(COMMON_TAG);
  const { n } = await db.selectFrom(some.as('some')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n) >= COMMON_TAG;
});

/**
 * The page's one query, unexecuted (the query-plan tests EXPLAIN it). Names are scalar subqueries
 * rather than joins: each is one key lookup per row of the page either way, but PostgreSQL plans
 * eight joined tables by trying their orders, 2.4 ms of planning per page against 0.5 ms for the
 * same lookups as subqueries (100k bench desk; the statement is planned afresh every time, see
 * db/pg-statements.ts `isNameable`), and the seen-mark lookup cannot turn into a hash of all the agent's
 * marks.
 */
export function listPageQuery(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, lookup: StatusLookup) {
  const status = (column: 'name' | 'customer_label' | 'category') => sql.raw(`(select ${column} from statuses where statuses.id = t.status_id)`);
  return db.selectFrom(pageSubquery(db, actor, filter, after, lookup).as('t'))
    .select([
      't.id', 't.subject', 't.priority', 't.last_activity_at', 't.created_at', 't.requester_id', 't.visibility', 't.priority_rank', 't.sla_key',
      sql<string>`(select name from users where users.id = t.requester_id)`.as('requester_name'),
      sql<string>`${status('name')}`.as('status_name'),
      sql<string>`${status('customer_label')}`.as('status_label'),
      sql<StatusCategory>`${status('category')}`.as('status_category'),
      sql<string>`(select name from ticket_types where ticket_types.id = t.type_id)`.as('type_name'),
      sql<string | null>`(select name from users where users.id = t.assignee_id)`.as('assignee_name'),
      sql<string | null>`(select name from groups where groups.id = t.group_id)`.as('group_name'),
      sql<string | null>`(select name from organizations where organizations.id = t.organization_id)`.as('organization_name'),
      sql<number>`coalesce((select ticket_seen.seen_at < t.last_activity_at from ticket_seen where ticket_seen.ticket_id = t.id and ticket_seen.user_id = ${actor.id}), 1 = 1)`.as('unread'),
      sql<string | null>`(select score from ratings where ratings.ticket_id = t.id order by ratings.id desc limit 1)`.as('rating'),
      sql<string | null>`(select next_due_at from ticket_slas where ticket_slas.ticket_id = t.id)`.as('sla_due'),
      sql<string | null>`(select paused_since from ticket_slas where ticket_slas.ticket_id = t.id)`.as('sla_paused'),
      't.snoozed_until', 't.snooze_returned_at',
    ])
    .orderBy(OUTER_ORDER[filter.sort])
    // The "Next SLA due" page's two parts may bring twice as many rows as the page needs.
    .limit(sql.lit(PAGE_SIZE + 1));
}

/**
 * The ids (and columns) of one page, chosen over `tickets` alone: `size + 1` rows in the filter's
 * sort after the cursor. Join what the page shows onto this, then order again with OUTER_ORDER.
 */
export function pageSubquery(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null,
  lookup: StatusLookup, size = PAGE_SIZE) {
  // The same columns either way; the "Next SLA due" page is a union of two ordered parts.
  if (sortParts(filter.sort).column === 'sla') {
    return slaPageSubquery(db, actor, filter, after, lookup, size) as unknown as ReturnType<typeof sortedPageSubquery>;
  }
  return sortedPageSubquery(db, actor, filter, after, lookup, size);
}

/**
 * Tickets already found (a walk's page, portal/search-walk.ts), with the columns of pageSubquery, still
 * within the actor's scope: join what the page shows onto this and order it with OUTER_ORDER.
 */
export function foundSubquery(db: Db, actor: Actor, ids: readonly (number | string | null)[]) {
  return visibleTickets(db, actor).where('tickets.id', 'in', ids as number[]).selectAll('tickets')
    .select(PRIORITY_RANK.as('priority_rank')).select(sql<string>`''`.as('sla_key'));
}

function sortedPageSubquery(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, lookup: StatusLookup, size: number) {
  const { column: sortColumn, ascending } = sortParts(filter.sort);
  let page = filteredTickets(db, actor, filter, lookup).selectAll('tickets').select(PRIORITY_RANK.as('priority_rank'))
    .select(sql<string>`''`.as('sla_key'));
  if (after) page = page.where(pastCursor(filter.sort, after));
  for (const column of SORT_COLUMNS[sortColumn]) page = page.orderBy(column, ascending ? 'asc' : 'desc');
  // A literal LIMIT: with a bound one SQLite plans the subquery as large and drives the outer join
  // from the users table (a scan of every customer: 3 ms instead of 0.2 ms at 40k customers).
  return page.limit(sql.lit(size + 1));
}

/**
 * The filter's tickets after the cursor (any sort but "Next SLA due"), as the id and what the cursor
 * is made of (cursorOf), neither ordered nor limited: for a walk that needs only the ids in order
 * (portal/search-walk.ts), as one part of a compound statement or ordered by `orderedKeys`.
 */
export function keysAfter(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, lookup: StatusLookup) {
  const keys = filteredTickets(db, actor, filter, lookup)
    .select(['tickets.id', 'tickets.last_activity_at', 'tickets.created_at', PRIORITY_RANK.as('priority_rank')]);
  return after ? keys.where(pastCursor(filter.sort, after)) : keys;
}

/** keysAfter in the filter's sort, the first `size`. */
export function orderedKeys(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, lookup: StatusLookup, size: number) {
  const { column: sortColumn, ascending } = sortParts(filter.sort);
  let keys = keysAfter(db, actor, filter, after, lookup);
  for (const column of SORT_COLUMNS[sortColumn]) keys = keys.orderBy(column, ascending ? 'asc' : 'desc');
  return keys.limit(sql.lit(size));
}

/** What the "Next SLA due" sort puts last: tickets without a due time (in id order). */
const NO_SLA_DUE = '9999-12-31T23:59:59.999Z';

/**
 * The "Next SLA due" page in two parts, each along an index, so that it does not sort every ticket
 * (37 ms at 100k tickets, growing with the desk): the tickets with a due time along
 * ticket_slas (next_due_at, ticket_id), then those without one along the tickets' ids; each part
 * stops at `size + 1` and the outer query orders the two again.
 */
function slaPageSubquery(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, lookup: StatusLookup, size: number) {
  const base = () => filteredTickets(db, actor, filter, lookup).selectAll('tickets').select(PRIORITY_RANK.as('priority_rank'));
  // Driven from ticket_slas' index, each due ticket checked against the filter by its key (left to
  // itself, the planner scanned the tickets and sorted them).
  let dueIds = db.selectFrom('ticket_slas as s').select(['s.ticket_id', 's.next_due_at']).where('s.next_due_at', 'is not', null)
    .where(({ exists }) => exists(filteredTickets(db, actor, filter, lookup).select('tickets.id').where(sql<boolean>`tickets.id = s.ticket_id`)));
  if (after) dueIds = dueIds.where(sql<boolean>`(s.next_due_at, s.ticket_id) > (${after[0]}, ${after[1]})`);
  const due = db.selectFrom(dueIds.orderBy('s.next_due_at').orderBy('s.ticket_id').limit(sql.lit(size + 1)).as('d'))
    .innerJoin('tickets', 'tickets.id', 'd.ticket_id')
    .selectAll('tickets').select(PRIORITY_RANK.as('priority_rank')).select(sql<string>`d.next_due_at`.as('sla_key'));
  let rest = base().where(({ not, exists, selectFrom }) => not(exists(selectFrom('ticket_slas as s').select('s.ticket_id')
    .whereRef('s.ticket_id', '=', 'tickets.id').where('s.next_due_at', 'is not', null))))
    .select(sql.lit(NO_SLA_DUE).as('sla_key'));
  if (after && after[0] === NO_SLA_DUE) rest = rest.where('tickets.id', '>', Number(after[1]));
  const restFirst = rest.orderBy('tickets.id').limit(sql.lit(size + 1));
  return db.selectFrom(due.as('due')).selectAll().unionAll(db.selectFrom(restFirst.as('rest')).selectAll());
}

/**
 * Capped counts of several filters in ONE statement (a scalar subquery each): a menu of twenty
 * views costs one round trip, not twenty.
 */
export async function cappedCounts(db: Db, actor: Actor, filters: ListFilter[], lookup: StatusLookup): Promise<number[]> {
  if (filters.length === 0) return [];
  const counts = filters.map((filter, i) => {
    const inner = filteredTickets(db, actor, filter, lookup).select(sql`1`.as('one')).limit(COUNT_CAP + 1);
    return sql<number>`(${db.selectFrom(inner.as('capped')).select((eb) => eb.fn.countAll<number>().as('n'))})`.as(`c${i}`);
  });
  const row = await db.selectNoFrom(counts).executeTakeFirstOrThrow() as Record<string, number>;
  return filters.map((_, i) => Number(row[`c${i}`]));
}
