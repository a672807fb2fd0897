import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Actor } from '../users/actor.js';
import { findType, typeFieldRows } from './queries.js';
import type { TypeFieldInput } from './schemas.js';
import { assertAdmin } from './types.js';

export type Direction = 'up' | 'down';

/**
 * The fields of a type and their order. Tickets keep the values of a field taken off their type:
 * only the forms change, and the agent's General tab still shows what was recorded.
 */
async function changeTypeFields(db: Db, actor: Actor, typeId: number, change: string, fieldKey: string,
  edit: (ids: number[]) => number[]): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const type = await findType(trx, typeId);
    if (!type) throw new NotFound();
    const rows = await typeFieldRows(trx, typeId);
    const before = rows.map((r) => r.id);
    const after = edit(before);
    if (after.join(',') === before.join(',')) return;
    await trx.deleteFrom('ticket_type_fields').where('type_id', '=', typeId).execute();
    if (after.length > 0) {
      await trx.insertInto('ticket_type_fields').values(after.map((field_id, position) => ({ type_id: typeId, field_id, position }))).execute();
    }
    const keys = new Map(rows.map((r) => [r.id, r.key]));
    const keyOf = (id: number) => keys.get(id) ?? fieldKey;
    await recordAudit(trx, actor, {
      action: `type.field_${change}`, subjectType: 'ticket_type', subjectId: typeId,
      before: { fields: before.map(keyOf) }, after: { fields: after.map(keyOf) }, details: { name: type.name, field: fieldKey },
    });
  });
}

export async function addTypeField(db: Db, actor: Actor, typeId: number, { fieldId }: TypeFieldInput): Promise<void> {
  assertAdmin(actor);
  const field = fieldId === null ? undefined
    : await db.selectFrom('fields').select(['id', 'key']).where('id', '=', fieldId).where('retired_at', 'is', null).executeTakeFirst();
  if (!field) throw new Invalid({ fieldId: 'errors.choice' }, 'admin.types.errors.fieldChoice');
  await changeTypeFields(db, actor, typeId, 'added', field.key, (ids) => (ids.includes(field.id) ? ids : [...ids, field.id]));
}

export async function removeTypeField(db: Db, actor: Actor, typeId: number, fieldId: number): Promise<void> {
  const field = await db.selectFrom('fields').select(['id', 'key']).where('id', '=', fieldId).executeTakeFirst();
  if (!field) throw new NotFound();
  await changeTypeFields(db, actor, typeId, 'removed', field.key, (ids) => ids.filter((id) => id !== fieldId));
}

export async function moveTypeField(db: Db, actor: Actor, typeId: number, fieldId: number, direction: Direction): Promise<void> {
  const field = await db.selectFrom('fields').select(['id', 'key']).where('id', '=', fieldId).executeTakeFirst();
  if (!field) throw new NotFound();
  await changeTypeFields(db, actor, typeId, 'moved', field.key, (ids) => {
    const from = ids.indexOf(fieldId);
    const to = direction === 'up' ? from - 1 : from + 1;
    if (from < 0 || to < 0 || to >= ids.length) return ids;
    const next = [...ids];
    [next[from], next[to]] = [next[to]!, next[from]!];
    return next;
  });
}
