import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { findGroup, isMember, listMembers } from './queries.js';
import type { MemberInput } from './schemas.js';

/**
 * Who may change a group's members: admins any group, supervisors the groups they belong to (others
 * are not found, as if they did not exist). Agents and customers none.
 */
export async function manageableGroup(db: Db, actor: Actor, groupId: number) {
  if (!can(actor, 'team.manage')) throw new Forbidden();
  const group = await findGroup(db, groupId);
  if (!group) throw new NotFound();
  const memberIds = (await listMembers(db, groupId)).map((m) => m.id);
  if (!can(actor, 'group.manageMembers', { memberIds })) throw new NotFound();
  return group;
}

/** Only staff join groups: a group routes tickets to the people who work on them. Returns who joined. */
export async function addMember(db: Db, actor: Actor, groupId: number, { userId }: MemberInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const group = await manageableGroup(trx, actor, groupId);
    const user = userId === null ? undefined
      : await trx.selectFrom('users').select(['id', 'name', 'email', 'role', 'state']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new Invalid({ userId: 'errors.choice' });
    if (sideOf(user) !== 'staff' || user.state === 'disabled') throw new Invalid({ userId: 'admin.groups.members.notStaff' });
    if (await isMember(trx, groupId, user.id)) return user.id;
    await trx.insertInto('group_members').values({ group_id: groupId, user_id: user.id }).execute();
    await recordAudit(trx, actor, {
      action: 'group.member_added', subjectType: 'group', subjectId: groupId,
      before: { member: null }, after: { member: user.email }, details: { group: group.name, userId: user.id },
    });
    return user.id;
  });
}

export async function removeMember(db: Db, actor: Actor, groupId: number, userId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const group = await manageableGroup(trx, actor, groupId);
    const user = await trx.selectFrom('users').select(['id', 'email']).where('id', '=', userId).executeTakeFirst();
    if (!user || !(await isMember(trx, groupId, userId))) throw new NotFound();
    await trx.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    await recordAudit(trx, actor, {
      action: 'group.member_removed', subjectType: 'group', subjectId: groupId,
      before: { member: user.email }, after: { member: null }, details: { group: group.name, userId },
    });
  });
}
