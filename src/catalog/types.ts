import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';
import { defaultTypeIds, findActiveStatus, findGroup, findType, typeNameTaken } from './queries.js';
import type { TypeInput } from './schemas.js';

export function assertAdmin(actor: Actor): void {
  if (!can(actor, 'catalog.manage')) throw new Forbidden();
}

/** A unique index refused the row (SQLite or PostgreSQL): someone else took the name meanwhile. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

const bit = (value: boolean): 0 | 1 => (value ? 1 : 0);

/** The type form's values, once its group and status exist and its name is free (whatever its case); one answer names every mistake. */
async function checkType(db: Db, { value, errors }: Checked<TypeInput>, exceptId: number | null) {
  const { name, description, defaultPriority, defaultGroupId, initialStatusId } = value;
  if (defaultGroupId !== null && !(await findGroup(db, defaultGroupId))) errors.defaultGroupId ??= 'errors.choice';
  if (initialStatusId !== null && !(await findActiveStatus(db, initialStatusId))) errors.initialStatusId ??= 'errors.choice';
  if (name && await typeNameTaken(db, name, exceptId)) errors.name ??= 'admin.types.errors.nameTaken';
  refuse(errors);
  return {
    name, description, default_priority: defaultPriority, default_group_id: defaultGroupId, initial_status_id: initialStatusId,
    customer_can_choose: bit(value.customerCanChoose), customer_facing: bit(value.customerFacing),
    dispatch_policy: value.dispatchPolicy, dispatch_count: value.dispatchCount, members_needed: value.membersNeeded,
  };
}

export async function createType(db: Db, actor: Actor, input: Checked<TypeInput>): Promise<number> {
  assertAdmin(actor);
  const values = await checkType(db, input, null);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('ticket_types').values({ ...values, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'type.created', subjectType: 'ticket_type', subjectId: row.id, after: values });
      return row.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Invalid({ name: 'admin.types.errors.nameTaken' });
    throw error;
  }
}

export async function updateType(db: Db, actor: Actor, id: number, input: Checked<TypeInput>): Promise<void> {
  assertAdmin(actor);
  if (!(await findType(db, id))) throw new NotFound();
  const values = await checkType(db, input, id);
  try {
    await db.transaction().execute(async (trx) => {
      const before = await findType(trx, id);
      if (!before) throw new NotFound();
      const diff = changedFields(before, values);
      if (Object.keys(diff.after).length === 0) return;
      await trx.updateTable('ticket_types').set(values).where('id', '=', id).execute();
      await recordAudit(trx, actor, { action: 'type.updated', subjectType: 'ticket_type', subjectId: id, ...diff, details: { name: values.name } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Invalid({ name: 'admin.types.errors.nameTaken' });
    throw error;
  }
}

/**
 * A retired type leaves the new-ticket forms and the portal; its tickets keep it. The desk's default
 * type cannot be retired (new tickets would have nothing to fall back to).
 */
export async function setTypeRetired(db: Db, actor: Actor, id: number, retired: boolean): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const type = await findType(trx, id);
    if (!type) throw new NotFound();
    if ((type.retired_at !== null) === retired) return;
    if (retired && (await defaultTypeIds(trx)).includes(id)) throw new Conflict('admin.types.errors.isDefault');
    const retiredAt = retired ? nowIso() : null;
    await trx.updateTable('ticket_types').set({ retired_at: retiredAt }).where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: retired ? 'type.retired' : 'type.unretired', subjectType: 'ticket_type', subjectId: id,
      before: { retired_at: type.retired_at }, after: { retired_at: retiredAt }, details: { name: type.name },
    });
  });
}
