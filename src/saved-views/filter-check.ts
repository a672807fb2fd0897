import type { Db } from '../db/connect.js';
import { Invalid, Malformed } from '../lib/errors.js';
import { rolesOn } from '../policy/can.js';
import { filterParams, parseListQuery, type ListFilter } from '../tickets/list-filter.js';

/** Something a saved filter names that is no longer there (or retired): shown, never hidden. */
export interface FilterProblem {
  key: string;
  params: Record<string, string>;
}

const QUERY_MAX = 500;
/** Parameters of a list address that are not part of a filter: a page, the saved view itself. */
const NOT_FILTER = new Set(['after', 'saved', '_csrf']);

/**
 * A list address or query string (`/agent/tickets?status=2&sort=id`, `?status=2`, `status=2`) as
 * the filter the list would show and its normalised query string; refused as the list refuses it.
 */
export function parseSavedQuery(input: unknown): { filter: ListFilter; query: string } {
  const text = typeof input === 'string' ? input.trim() : '';
  if (text.length > QUERY_MAX) throw new Invalid({ query: 'errors.tooLong' });
  const search = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    if (NOT_FILTER.has(name)) continue;
    const seen = params[name];
    params[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  try {
    const filter = parseListQuery(params);
    return { filter, query: filterParams(filter).toString() };
  } catch (error) {
    if (error instanceof Malformed) throw new Invalid({ query: 'views.saved.errors.query' });
    throw error;
  }
}

/** What the filter refers to that is gone or retired; one primary-key lookup per reference. */
export async function filterProblems(db: Db, filter: ListFilter): Promise<FilterProblem[]> {
  const problems: FilterProblem[] = [];
  const missing = (what: string, id: number) => problems.push({ key: `views.saved.problem.${what}`, params: { id: String(id) } });
  if (filter.statusId !== null) {
    const status = await db.selectFrom('statuses').select(['name', 'retired_at']).where('id', '=', filter.statusId).executeTakeFirst();
    if (!status) missing('status', filter.statusId);
    else if (status.retired_at) problems.push({ key: 'views.saved.problem.statusRetired', params: { name: status.name } });
  }
  if (typeof filter.assignee === 'number') {
    const person = await db.selectFrom('users').select('id').where('id', '=', filter.assignee)
      .where('role', 'in', rolesOn('staff')).executeTakeFirst();
    if (!person) missing('assignee', filter.assignee);
  }
  const lookups = [
    ['group', 'groups', filter.groupId], ['type', 'ticket_types', filter.typeId], ['brand', 'brands', filter.brandId],
    ['organization', 'organizations', filter.organizationId], ['requester', 'users', filter.requesterId],
  ] as const;
  for (const [what, table, id] of lookups) {
    if (id === null) continue;
    const row = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
    if (!row) missing(what, id);
  }
  return problems;
}
