import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Role, UserState } from '../db/schema.js';
import { rolesThatCan } from '../policy/can.js';

export const PAGE_SIZE = 50;

export interface PeopleFilter {
  q: string;
  role: Role | null;
  state: UserState | null;
}

/** `%`, `_` and `\` typed by the admin are literal; lower() on both sides keeps it portable. */
export function likePattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of people, by name then id. The cursor is the last id shown; its name is looked up, so
 * the address stays short and a renamed person only shifts the page boundary.
 */
export async function listPeople(db: Db, filter: PeopleFilter, afterId: number | null) {
  let query = db.selectFrom('users').leftJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role', 'users.state', 'users.last_login_at',
      'users.is_org_manager', 'organizations.name as organization_name']);
  if (filter.role) query = query.where('users.role', '=', filter.role);
  if (filter.state) query = query.where('users.state', '=', filter.state);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    query = query.where((eb) => eb.or([
      sql<SqlBool>`lower(users.name) like ${pattern} escape '\\'`,
      sql<SqlBool>`lower(users.email) like ${pattern} escape '\\'`,
    ]));
  }
  if (afterId !== null) {
    const after = await db.selectFrom('users').select(['name', 'id']).where('id', '=', afterId).executeTakeFirst();
    if (after) {
      query = query.where((eb) => eb.or([
        eb('users.name', '>', after.name),
        eb.and([eb('users.name', '=', after.name), eb('users.id', '>', after.id)]),
      ]));
    }
  }
  const rows = await query.orderBy('users.name').orderBy('users.id').limit(PAGE_SIZE + 1).execute();
  return { people: rows.slice(0, PAGE_SIZE), next: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1]!.id : null };
}

export function findPerson(db: Db, id: number) {
  return db.selectFrom('users').leftJoin('organizations', 'organizations.id', 'users.organization_id')
    .selectAll('users').select('organizations.name as organization_name')
    .where('users.id', '=', id).executeTakeFirst();
}

/** How much a person's record holds, for the person page and the merge confirmation. */
export async function personCounts(db: Db, id: number) {
  const [requested, messages, ccs] = await Promise.all([
    db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('requester_id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('author_id', '=', id).executeTakeFirstOrThrow(),
    db.selectFrom('ticket_ccs').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  return { tickets: Number(requested.n), messages: Number(messages.n), ccs: Number(ccs.n) };
}

/** Active admins other than this person: a change that would leave none is refused. */
export async function otherActiveAdmins(db: Db, exceptId: number): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', 'in', rolesThatCan('admin.access')).where('state', '=', 'active').where('id', '!=', exceptId).executeTakeFirstOrThrow();
  return Number(row.n);
}
