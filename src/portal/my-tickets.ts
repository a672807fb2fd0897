import { ChangeCache } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import { reusableFirst } from '../db/reusable.js';
import type { StatusCategory } from '../db/schema.js';
import { Malformed, NotFound } from '../lib/errors.js';
import { planCustomerSearch, type CustomerSearchPlan } from '../search/index.js';
import { SEARCH_WINDOW } from '../tickets/list.js';
import { decodeCursor } from '../tickets/cursor.js';
import { EMPTY_FILTER, type ListFilter } from '../tickets/list-filter.js';
import { scopeKey } from '../tickets/scope.js';
import type { Actor } from '../users/actor.js';
import { myTicketCounts, myTicketsPage, scopeIdsWhere, scopeSize, searchWindowFull } from './queries.js';
import { walkedSearch } from './search-walk.js';

type CursorValues = (string | number)[];

export const TABS = ['opened', 'resolved'] as const;
export const VIEWS = ['mine', 'org', 'cc'] as const;
export const WAITING = ['support', 'me'] as const;
export const SORTS = ['activity', 'created', 'id'] as const;
export type Tab = (typeof TABS)[number];
export type View = (typeof VIEWS)[number];
export type Waiting = (typeof WAITING)[number];

export const SEARCH_MIN = 2;
export const SEARCH_MAX = 100;

const TAB_CATEGORIES: Record<Tab, StatusCategory[]> = {
  opened: ['draft', 'new', 'open', 'pending', 'on_hold'],
  resolved: ['solved', 'closed', 'cancelled'],
};
// "Waiting on me" is the customer's turn (pending); everything else still open is support's turn.
const WAITING_CATEGORIES: Record<Waiting, StatusCategory[]> = {
  me: ['pending'],
  support: ['new', 'open', 'on_hold'],
};

/** The My tickets query string, every value checked: anything unknown is a 400. */
export interface MyTicketsQuery {
  tab: Tab;
  view: View;
  waiting: Waiting | null;
  /** The search box as typed (trimmed); searched only from SEARCH_MIN characters on. */
  q: string;
  sort: (typeof SORTS)[number];
  after: string | undefined;
}

function badFilter(): Malformed {
  return new Malformed('errors.badFilter');
}

function choice<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw badFilter();
  return value as T;
}

export function parseMyTicketsQuery(query: Record<string, string | string[] | undefined>): MyTicketsQuery {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw badFilter();
    return value;
  };
  const q = (one('q') ?? '').trim();
  if (q.length > SEARCH_MAX) throw badFilter();
  const waiting = one('status');
  return {
    tab: choice(one('tab'), TABS, 'opened'),
    view: choice(one('view'), VIEWS, 'mine'),
    waiting: waiting ? choice(waiting, WAITING, 'support') : null,
    q,
    sort: choice(one('sort'), SORTS, 'activity'),
    after: one('after'),
  };
}

/** The query back as URL parameters (defaults left out), with some values replaced: for tabs and the pager. */
export function myTicketsParams(query: MyTicketsQuery, replace: Partial<MyTicketsQuery> = {}): string {
  const q = { ...query, ...replace };
  const params = new URLSearchParams();
  if (q.tab !== 'opened') params.set('tab', q.tab);
  if (q.view !== 'mine') params.set('view', q.view);
  if (q.waiting) params.set('status', q.waiting);
  if (q.q) params.set('q', q.q);
  if (q.sort !== 'activity') params.set('sort', q.sort);
  if (q.after) params.set('after', q.after);
  return params.toString();
}

export function myTicketsUrl(query: MyTicketsQuery, replace: Partial<MyTicketsQuery> = {}): string {
  const params = myTicketsParams(query, replace);
  return params ? `/portal/tickets?${params}` : '/portal/tickets';
}

/**
 * The views this customer may choose. Their organisation's tickets only for its managers, or for
 * everyone in it when it shares its tickets: exactly the cases the scope (visibleTickets) lets through.
 */
export async function availableViews(db: Db, actor: Actor): Promise<View[]> {
  if (actor.organizationId === null) return ['mine', 'cc'];
  if (actor.isOrgManager) return ['mine', 'org', 'cc'];
  const org = await organizationSharing(db, actor.organizationId);
  return org?.members_see_all_tickets === 1 ? ['mine', 'org', 'cc'] : ['mine', 'cc'];
}

/** Whether an organisation shares its tickets: asked on every My tickets page, compiled once (db/reusable.ts). */
const organizationSharing = reusableFirst((db, id: number) => db.selectFrom('organizations').select('members_see_all_tickets').where('id', '=', id));

/** The list filter for one tab of the query. The scope (visibleTickets) still applies on top of it. */
export function listFilterFor(actor: Actor, query: MyTicketsQuery, tab: Tab = query.tab): ListFilter {
  const categories = query.waiting
    ? TAB_CATEGORIES[tab].filter((c) => WAITING_CATEGORIES[query.waiting!].includes(c))
    : TAB_CATEGORIES[tab];
  return {
    ...EMPTY_FILTER,
    categories,
    requesterId: query.view === 'mine' ? actor.id : null,
    organizationId: query.view === 'org' ? actor.organizationId : null,
    ccUserId: query.view === 'cc' ? actor.id : null,
    search: query.q.length >= SEARCH_MIN ? query.q : null,
    sort: query.sort,
  };
}

/** Everything the My tickets page (or its table fragment) shows. */
export async function myTickets(db: Db, actor: Actor, query: MyTicketsQuery) {
  const views = await availableViews(db, actor);
  // Not offered means not there: the same answer as for a ticket out of scope.
  if (!views.includes(query.view)) throw new NotFound();
  const bare = listFilterFor(actor, query);
  // One plan for the page and both tabs' counts: how the words are looked up (search/customer.ts).
  const scope = { ...bare, categories: null };
  const plan = bare.search
    ? await planCustomerSearch(db, bare.search, {
      size: (atMost) => scopeSize(db, actor, scope, atMost),
      idsWhere: (matched) => scopeIdsWhere(db, actor, scope, matched),
    })
    : undefined;
  const after = decodeCursor(bare.sort, query.after);
  const tabFilters = { opened: listFilterFor(actor, query, 'opened'), resolved: listFilterFor(actor, query, 'resolved') };
  const { page, counts, partial } = plan?.drive === 'walk'
    ? await walkedList(db, actor, bare, after, query.tab, tabFilters)
    : bare.search === null && !db.isTransaction
      ? await lists.get(db, `${scopeKey(actor)}|${JSON.stringify([bare, after, tabFilters])}`, () => plannedList(db, actor, plan, bare, after, tabFilters))
      : await plannedList(db, actor, plan, bare, after, tabFilters);
  const tabs = TABS.map((tab) => ({
    tab, count: counts[tab].count, more: counts[tab].more, current: tab === query.tab,
    href: myTicketsUrl(query, { tab, after: undefined }),
  }));
  return {
    tickets: page.rows,
    next: page.next ? myTicketsUrl(query, { after: page.next }) : null,
    query, views, tabs,
    // Someone else's tickets are in this view: the From column says whose.
    showFrom: query.view !== 'mine',
    searched: bare.search ?? null,
    searchMin: SEARCH_MIN,
    searchWindow: SEARCH_WINDOW,
    searchTooShort: query.q.length > 0 && bare.search === null,
    // A walked search stopped at its budget: the next page goes on from the last ticket it looked at.
    searchPartial: partial,
    // Without a plan (PostgreSQL) only the newest SEARCH_WINDOW tickets of the scope are searched.
    searchLimited: bare.search && !plan ? await searchWindowFull(db, actor, bare) : false,
  };
}

type TabFilters = Record<Tab, ListFilter>;

/**
 * A customer's pages without a search (the page and both tabs' counts), remembered until the
 * database changes (db/change-cache.ts), per whose tickets they are and the filters: a customer
 * with a long history reads a thousand tickets or more for them. Shared: not to be modified.
 */
const lists = new ChangeCache<Awaited<ReturnType<typeof plannedList>>>(200);

/** A common word on SQLite: the scope's tickets walked in the page's order (portal/search-walk.ts). */
async function walkedList(db: Db, actor: Actor, filter: ListFilter, after: CursorValues | null, tab: Tab, tabs: TabFilters) {
  const walked = await walkedSearch(db, actor, filter, after, tab, tabs);
  return { page: { rows: walked.rows, next: walked.next }, counts: walked.counts, partial: walked.partial };
}

/** No search, a rare word's matches read once (`index`), or PostgreSQL: the list's page and capped counts. */
async function plannedList(db: Db, actor: Actor, plan: CustomerSearchPlan | undefined, filter: ListFilter, after: CursorValues | null, tabs: TabFilters) {
  const planned = (f: ListFilter): ListFilter => (plan ? { ...f, searchPlan: plan } : f);
  const page = await myTicketsPage(db, actor, planned(filter), after);
  const numbers = await myTicketCounts(db, actor, { opened: planned(tabs.opened), resolved: planned(tabs.resolved) });
  const counts = { opened: { count: numbers.opened, more: false }, resolved: { count: numbers.resolved, more: false } };
  return { page, counts, partial: false };
}
