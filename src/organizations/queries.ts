import { sql, type SqlBool } from 'kysely';
import type { Db } from '../db/connect.js';
import { likePattern } from '../people/queries.js';

export const PAGE_SIZE = 50;
/** Members shown on an organisation's page; a bigger organisation says how many more there are. */
export const MEMBERS_SHOWN = 500;

/** One page of organisations by name, with their member counts (one grouped subquery, not one per row). */
export async function listOrganizations(db: Db, q: string, afterId: number | null) {
  let query = db.selectFrom('organizations')
    .select((eb) => ['organizations.id', 'organizations.name', 'organizations.domains', 'organizations.members_see_all_tickets',
      eb.selectFrom('users').select((e) => e.fn.countAll<number>().as('n')).whereRef('users.organization_id', '=', 'organizations.id').as('members')]);
  if (q) query = query.where(sql<SqlBool>`lower(organizations.name) like ${likePattern(q)} escape '\\'`);
  if (afterId !== null) {
    const after = await db.selectFrom('organizations').select(['name', 'id']).where('id', '=', afterId).executeTakeFirst();
    if (after) {
      query = query.where((eb) => eb.or([
        eb('organizations.name', '>', after.name),
        eb.and([eb('organizations.name', '=', after.name), eb('organizations.id', '>', after.id)]),
      ]));
    }
  }
  const rows = await query.orderBy('organizations.name').orderBy('organizations.id').limit(PAGE_SIZE + 1).execute();
  return { organizations: rows.slice(0, PAGE_SIZE), next: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1]!.id : null };
}

export function findOrganization(db: Db, id: number) {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findOrganizationByName(db: Db, name: string) {
  return db.selectFrom('organizations').select('id').where(sql<SqlBool>`name = ${name} collate nocase`).executeTakeFirst();
}

/** Other organisations' stored domain lists, to refuse a domain two organisations would claim. */
export function otherOrganizationsDomains(db: Db, exceptId: number | null) {
  return db.selectFrom('organizations').select(['id', 'name', 'domains'])
    .where('domains', '!=', '').where('id', '!=', exceptId ?? -1).execute();
}

export async function listMembers(db: Db, organizationId: number) {
  const [members, total] = await Promise.all([
    db.selectFrom('users').select(['id', 'name', 'email', 'state', 'is_org_manager'])
      .where('organization_id', '=', organizationId).orderBy('name').orderBy('id').limit(MEMBERS_SHOWN).execute(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow(),
  ]);
  return { members, total: Number(total.n) };
}
