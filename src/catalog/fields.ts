import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { FieldsTable, StatusCategory } from '../db/schema.js';
import type { FieldOption } from '../fields/fields.js';
import { Invalid, NotFound, type FieldErrors } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import type { Actor } from '../users/actor.js';
import { mergeOptions } from './options.js';
import { countFieldValues, fieldKeyTaken, findField } from './queries.js';
import type { EditFieldInput, NewFieldInput } from './schemas.js';
import { assertAdmin, isUniqueViolation } from './types.js';

export type FieldKind = FieldsTable['kind'];
export const FIELD_KINDS: readonly FieldKind[] = ['text', 'textarea', 'number', 'date', 'dropdown', 'checkbox', 'email', 'url'];
export const CATEGORIES: readonly StatusCategory[] = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];

const bit = (value: boolean): 0 | 1 => (value ? 1 : 0);

/** The field form's values, its options merged into `existing` (the stored ones when editing); mistakes go to `errors`. */
function checkField(input: NewFieldInput | EditFieldInput, kind: FieldKind, existing: FieldOption[], errors: FieldErrors) {
  const options = kind === 'dropdown' ? mergeOptions(existing, input.options, errors, true) : [];
  const values = {
    label: input.label, kind, options, required_for_customer: bit(input.requiredForCustomer), required_for_agent: bit(input.requiredForAgent),
    required_before_category: input.requiredBeforeCategory, customer_visible: bit(input.customerVisible),
  };
  // Customers cannot fill in a field they do not see.
  if (values.required_for_customer === 1 && values.customer_visible === 0) errors.requiredForCustomer ??= 'admin.fields.errors.requiredHidden';
  return values;
}

const stored = <T extends { options: FieldOption[] }>(values: T) => ({ ...values, options: JSON.stringify(values.options) });

export async function createField(db: Db, actor: Actor, { value, errors }: Checked<NewFieldInput>): Promise<number> {
  assertAdmin(actor);
  const { key, kind } = value;
  if (key && await fieldKeyTaken(db, key)) errors.key ??= 'admin.fields.errors.keyTaken';
  const values = checkField(value, kind, [], errors);
  refuse(errors);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('fields').values({ key, ...stored(values), created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(trx, actor, { action: 'field.created', subjectType: 'field', subjectId: row.id, after: { key, ...values } });
      return row.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Invalid({ key: 'admin.fields.errors.keyTaken' });
    throw error;
  }
}

/**
 * Edit a field. The key never changes (tickets, imports and texts refer to it). The kind may change
 * only while no ticket holds a value: a date stored as text, or a value of a former dropdown, would
 * no longer read right.
 */
export async function updateField(db: Db, actor: Actor, id: number, { value, errors }: Checked<EditFieldInput>): Promise<void> {
  assertAdmin(actor);
  const current = await findField(db, id);
  if (!current) throw new NotFound();
  let kind = current.kind;
  if (value.kind !== undefined && value.kind !== current.kind) {
    kind = value.kind;
    if (await countFieldValues(db, id) > 0) errors.kind ??= 'admin.fields.errors.kindLocked';
  }
  const values = checkField(value, kind, current.options, errors);
  refuse(errors);
  await db.transaction().execute(async (trx) => {
    const before = await findField(trx, id);
    if (!before) throw new NotFound();
    if (values.kind !== before.kind && await countFieldValues(trx, id) > 0) throw new Invalid({ kind: 'admin.fields.errors.kindLocked' });
    // A field that is no longer a dropdown keeps its options, so values set before read the same.
    const next = values.kind === 'dropdown' ? values : { ...values, options: before.options };
    const diff = changedFields(before as unknown as Record<string, unknown>, next);
    if (Object.keys(diff.after).length === 0) return;
    await trx.updateTable('fields').set(stored(next)).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'field.updated', subjectType: 'field', subjectId: id, ...diff, details: { key: before.key } });
  });
}

/** A retired field leaves every form; tickets keep its values, and staff still see them. */
export async function setFieldRetired(db: Db, actor: Actor, id: number, retired: boolean): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    const field = await findField(trx, id);
    if (!field) throw new NotFound();
    if ((field.retired_at !== null) === retired) return;
    const retiredAt = retired ? nowIso() : null;
    await trx.updateTable('fields').set({ retired_at: retiredAt }).where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: retired ? 'field.retired' : 'field.unretired', subjectType: 'field', subjectId: id,
      before: { retired_at: field.retired_at }, after: { retired_at: retiredAt }, details: { key: field.key },
    });
  });
}
