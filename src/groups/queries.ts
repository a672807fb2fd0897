import type { Db } from '../db/connect.js';
import { rolesOn } from '../policy/can.js';

/** Every group with its member count, by name (a desk has tens of groups, not thousands). */
export function listGroups(db: Db, onlyOfUserId?: number) {
  let query = db.selectFrom('groups')
    .select(['groups.id', 'groups.name', 'groups.description', 'groups.is_restricted'])
    .select((eb) => eb.selectFrom('group_members').select(eb.fn.countAll<number>().as('n'))
      .whereRef('group_members.group_id', '=', 'groups.id').as('member_count'));
  if (onlyOfUserId !== undefined) {
    query = query.where('groups.id', 'in', db.selectFrom('group_members').select('group_id').where('user_id', '=', onlyOfUserId));
  }
  return query.orderBy('groups.name').execute();
}

export function findGroup(db: Db, id: number) {
  return db.selectFrom('groups').select(['id', 'name', 'description', 'is_restricted']).where('id', '=', id).executeTakeFirst();
}

export function findGroupByName(db: Db, name: string) {
  return db.selectFrom('groups').select(['id', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase())).executeTakeFirst();
}

export function listMembers(db: Db, groupId: number) {
  return db.selectFrom('group_members').innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role', 'users.state'])
    .where('group_members.group_id', '=', groupId).orderBy('users.name').execute();
}

/** Staff who could join the group: active or invited staff not in it yet. */
export function listCandidates(db: Db, groupId: number) {
  return db.selectFrom('users').select(['id', 'name', 'email', 'role'])
    .where('role', 'in', rolesOn('staff')).where('state', '!=', 'disabled')
    .where('id', 'not in', db.selectFrom('group_members').select('user_id').where('group_id', '=', groupId))
    .orderBy('name').limit(500).execute();
}

export async function isMember(db: Db, groupId: number, userId: number): Promise<boolean> {
  const row = await db.selectFrom('group_members').select('user_id')
    .where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export async function countGroupTickets(db: Db, groupId: number): Promise<number> {
  const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId).executeTakeFirstOrThrow();
  return Number(row.n);
}
