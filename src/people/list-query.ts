import type { Role, UserState } from '../db/schema.js';
import { Malformed } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { ROLES } from '../users/actor.js';
import type { PeopleFilter } from './queries.js';

export const STATES: readonly UserState[] = ['active', 'invited', 'disabled'];

export interface PeopleQuery extends PeopleFilter {
  after: number | null;
}

/** The list's address: a value outside the choices is a bad link (400), not an empty list. */
export function parsePeopleQuery(query: Record<string, string | undefined>): PeopleQuery {
  const q = (query.q ?? '').trim().slice(0, 100);
  const role = query.role ? query.role : null;
  const state = query.state ? query.state : null;
  if (role !== null && !ROLES.includes(role as Role)) throw new Malformed('errors.badFilter');
  if (state !== null && !STATES.includes(state as UserState)) throw new Malformed('errors.badFilter');
  const after = query.after ? positiveInt(query.after) : null;
  if (query.after && after === null) throw new Malformed('errors.badCursor');
  return { q, role: role as Role | null, state: state as UserState | null, after };
}

/** The next page's address: the same filters, a later cursor. */
export function nextPageUrl(query: PeopleQuery, next: number | null): string | null {
  if (next === null) return null;
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.role) params.set('role', query.role);
  if (query.state) params.set('state', query.state);
  params.set('after', String(next));
  return `/admin/users?${params}`;
}
