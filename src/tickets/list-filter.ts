import type { Priority, StatusCategory } from '../db/schema.js';
import type { CustomerSearchPlan } from '../search/customer.js';
import { Malformed } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { normaliseTag } from '../tags/schemas.js';
import { PRIORITIES } from './tickets.js';

/** The list's orders: each column's natural order first (newest, highest), then the same reversed (`_asc`). */
export const SORTS = ['activity', 'created', 'priority', 'id', 'activity_asc', 'created_asc', 'priority_asc', 'id_asc', 'sla'] as const;
export type SortKey = (typeof SORTS)[number];
export type SortColumn = 'activity' | 'created' | 'priority' | 'id' | 'sla';

/** The column a sort orders by, and whether it runs the other way (oldest, lowest first). */
export function sortParts(sort: SortKey): { column: SortColumn; ascending: boolean } {
  // "Next SLA due" runs one way only: the earliest due first, tickets without a due time last.
  if (sort === 'sla') return { column: 'sla', ascending: true };
  const ascending = sort.endsWith('_asc');
  return { column: (ascending ? sort.slice(0, -4) : sort) as SortColumn, ascending };
}

export const UNSOLVED: StatusCategory[] = ['new', 'open', 'pending', 'on_hold'];
const CATEGORIES: StatusCategory[] = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];

/** The built-in views of the side menu, as filters. Group queues are `group-<id>`. */
export const BUILT_IN_VIEWS = ['my_open', 'unassigned', 'all_open', 'pending', 'on_hold', 'solved', 'all', 'sla_soon', 'sla_breached', 'snoozed'] as const;
export type BuiltInView = (typeof BUILT_IN_VIEWS)[number];

export interface ListFilter {
  view: string;
  categories: StatusCategory[] | null;
  statusId: number | null;
  assignee: 'me' | 'unassigned' | number | null;
  groupId: number | null;
  typeId: number | null;
  priority: Priority | null;
  brandId: number | null;
  organizationId: number | null;
  requesterId: number | null;
  /** Only tickets this person is CC'd on (the portal's "Tickets I am CC'd on"). */
  ccUserId?: number | null;
  /** Only tickets carrying every one of these tags (normalised names; `tag=`, several allowed). */
  tags?: readonly string[];
  /** Of those, the ones on many tickets (tickets/list.ts, tagDensity): checked per ticket along the sort instead. */
  commonTags?: readonly string[];
  /** Snoozed tickets (issue 20): left out ('hide', "My open tickets"), or only the ones this person snoozed ('mine'). */
  snoozed?: 'hide' | 'mine' | null;
  /** Text to find in subjects and public messages (trimmed, already checked for length). */
  search?: string | null;
  /**
   * How to run `search` (search/customer.ts, planCustomerSearch). Without one, only the newest
   * SEARCH_WINDOW tickets of the scope are checked, each through the index.
   */
  searchPlan?: CustomerSearchPlan;
  /** SLA views (issue 21): the next due time within the hour, or already past. */
  sla?: 'soon' | 'breached' | null;
  sort: SortKey;
}

export const EMPTY_FILTER: ListFilter = {
  view: 'all', categories: null, statusId: null, assignee: null, groupId: null, typeId: null, priority: null,
  brandId: null, organizationId: null, requesterId: null, sort: 'activity',
};

/** What a view means, before the person's own filters narrow it. */
export function viewFilter(view: string): Partial<ListFilter> {
  switch (view) {
    case 'my_open': return { categories: UNSOLVED, assignee: 'me', snoozed: 'hide' };
    case 'unassigned': return { categories: UNSOLVED, assignee: 'unassigned' };
    case 'all_open': return { categories: UNSOLVED };
    case 'pending': return { categories: ['pending'] };
    case 'on_hold': return { categories: ['on_hold'] };
    case 'solved': return { categories: ['solved'] };
    case 'all': return {};
    case 'sla_soon': return { categories: UNSOLVED, sla: 'soon', sort: 'sla' };
    case 'sla_breached': return { categories: UNSOLVED, sla: 'breached', sort: 'sla' };
    case 'snoozed': return { snoozed: 'mine' };
    default: {
      const group = /^group-(\d{1,12})$/.exec(view);
      if (group) return { categories: UNSOLVED, groupId: Number(group[1]) };
      throw badFilter();
    }
  }
}

function badFilter(): Malformed {
  return new Malformed('errors.badFilter');
}

function id(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const n = positiveInt(value);
  if (n === null) throw badFilter();
  return n;
}

/**
 * The list's query string as a filter. Every value is checked against what it may be: an unknown
 * sort, view, category or a non-numeric id is a 400, never part of a query.
 */
export function parseListQuery(query: Record<string, string | string[] | undefined>): ListFilter {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) throw badFilter();
    return value;
  };
  const view = one('view') || 'all';
  const filter: ListFilter = { ...EMPTY_FILTER, view, ...viewFilter(view) };

  const status = one('status');
  if (status) {
    const category = /^category:(\w+)$/.exec(status)?.[1];
    if (category !== undefined) {
      if (!CATEGORIES.includes(category as StatusCategory)) throw badFilter();
      filter.categories = [category as StatusCategory];
    } else {
      filter.statusId = id(status);
    }
  }
  const assignee = one('assignee');
  if (assignee) filter.assignee = assignee === 'me' || assignee === 'unassigned' ? assignee : id(assignee);
  filter.groupId = id(one('group')) ?? filter.groupId;
  filter.typeId = id(one('type'));
  filter.brandId = id(one('brand'));
  filter.organizationId = id(one('org'));
  filter.requesterId = id(one('requester'));
  const priority = one('priority');
  if (priority) {
    if (!PRIORITIES.includes(priority as Priority)) throw badFilter();
    filter.priority = priority as Priority;
  }
  filter.tags = parseTags(query.tag);
  const sort = one('sort');
  if (sort) {
    if (!SORTS.includes(sort as SortKey)) throw badFilter();
    filter.sort = sort as SortKey;
  }
  return filter;
}

/** The most tags one list asks for at once. */
export const MAX_TAG_FILTERS = 10;

/**
 * `tag=billing&tag=refund`, or one field with several (`tag=billing refund`, as the filter form sends
 * it): normalised like a tag being added, so `tag=Billing` finds "billing"; a value no tag could have is a 400.
 */
function parseTags(value: string | string[] | undefined): string[] {
  const raw = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  const tags = [...new Set(raw.map((v) => normaliseTag(v)))];
  if (tags.some((tag) => tag === null) || tags.length > MAX_TAG_FILTERS) throw badFilter();
  return tags as string[];
}

/** The filter back as query parameters (only what differs from the view's defaults), for links and the pager. */
export function filterParams(filter: ListFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.view !== 'all') params.set('view', filter.view);
  const base = { ...EMPTY_FILTER, ...viewFilter(filter.view) };
  if (filter.statusId !== null) params.set('status', String(filter.statusId));
  else if (filter.categories && filter.categories !== base.categories) params.set('status', `category:${filter.categories[0]}`);
  if (filter.assignee !== null && filter.assignee !== base.assignee) params.set('assignee', String(filter.assignee));
  if (filter.groupId !== null && filter.groupId !== base.groupId) params.set('group', String(filter.groupId));
  for (const [name, value] of [['type', filter.typeId], ['priority', filter.priority], ['brand', filter.brandId],
    ['org', filter.organizationId], ['requester', filter.requesterId]] as const) {
    if (value !== null) params.set(name, String(value));
  }
  for (const tag of filter.tags ?? []) params.append('tag', tag);
  if (filter.sort !== (base.sort ?? 'activity')) params.set('sort', filter.sort);
  return params;
}
