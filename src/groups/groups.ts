import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, NotFound } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can } from '../policy/can.js';
import { getNumberSetting } from '../settings/settings.js';
import type { Actor } from '../users/actor.js';
import { countGroupTickets, findGroup, findGroupByName } from './queries.js';
import type { GroupInput } from './schemas.js';

/** Name, description and the restricted flag: only admins shape groups (supervisors manage members). */
async function checkGroup(db: Db, { value, errors }: Checked<GroupInput>, exceptId?: number) {
  const { name, description, isRestricted } = value;
  const taken = name ? await findGroupByName(db, name) : undefined;
  if (taken && taken.id !== exceptId) errors.name ??= 'admin.groups.nameTaken';
  refuse(errors);
  return { name, description, is_restricted: isRestricted ? 1 as const : 0 as const };
}

function requireAdmin(actor: Actor): void {
  if (!can(actor, 'groups.manage')) throw new Forbidden();
}

export async function createGroup(db: Db, actor: Actor, input: Checked<GroupInput>): Promise<number> {
  requireAdmin(actor);
  const values = await checkGroup(db, input);
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('groups').values({ ...values, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'group.created', subjectType: 'group', subjectId: row.id, after: values });
    return row.id;
  });
}

export async function updateGroup(db: Db, actor: Actor, id: number, input: Checked<GroupInput>): Promise<void> {
  requireAdmin(actor);
  const values = await checkGroup(db, input, id);
  await db.transaction().execute(async (trx) => {
    const before = await findGroup(trx, id);
    if (!before) throw new NotFound();
    const diff = changedFields(before, values);
    if (Object.keys(diff.after).length === 0) return;
    await trx.updateTable('groups').set(values).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'group.updated', subjectType: 'group', subjectId: id, ...diff });
  });
}

/**
 * Deleting a group keeps its tickets: they lose the group (the foreign key sets it to none) and stay
 * visible to unrestricted staff, who can route them again. The desk's default group, which new
 * tickets fall back to, cannot go.
 */
export async function deleteGroup(db: Db, actor: Actor, id: number): Promise<void> {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const group = await findGroup(trx, id);
    if (!group) throw new NotFound();
    if (await getNumberSetting(trx, 'default_group_id') === id) throw new Conflict('admin.groups.deleteDefault');
    const tickets = await countGroupTickets(trx, id);
    const members = await trx.selectFrom('group_members').select('user_id').where('group_id', '=', id).execute();
    await trx.deleteFrom('groups').where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: 'group.deleted', subjectType: 'group', subjectId: id, before: group,
      details: { tickets, members: members.map((m) => m.user_id) },
    });
  });
}
