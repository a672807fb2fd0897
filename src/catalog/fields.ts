import { changedFields, recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import type { FieldsTable, StatusCategory } from '../db/schema.js';
import type { FieldOption } from '../fields/fields.js';
import { Invalid, NotFound } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import type { Actor } from '../users/actor.js';
import { readOptions } from './options.js';
import { countFieldValues, fieldKeyTaken, findField } from './queries.js';
import { assertAdmin, isUniqueViolation, type CatalogInput } from './types.js';

export type FieldKind = FieldsTable['kind'];
export const FIELD_KINDS: readonly FieldKind[] = ['text', 'textarea', 'number', 'date', 'dropdown', 'checkbox', 'email', 'url'];
export const CATEGORIES: readonly StatusCategory[] = ['draft', 'new', 'open', 'pending', 'on_hold', 'solved', 'closed', 'cancelled'];
const KEY = /^[a-z0-9_]{1,40}$/;

const flag = (value: string | undefined): 0 | 1 => (value === '1' || value === 'on' ? 1 : 0);

/** The field form, checked all at once; `existing` are the stored options when editing. */
function checkField(input: CatalogInput, kind: FieldKind, existing: FieldOption[], check: Checker) {
  const label = check.text('label', input.label, { max: 120 });
  let requiredBefore: StatusCategory | null = null;
  if (input.requiredBeforeCategory) requiredBefore = check.oneOf('requiredBeforeCategory', input.requiredBeforeCategory, CATEGORIES);
  const options = kind === 'dropdown' ? readOptions(existing, input, check, true) : [];
  const values = {
    label, kind, options, required_for_customer: flag(input.requiredForCustomer), required_for_agent: flag(input.requiredForAgent),
    required_before_category: requiredBefore, customer_visible: flag(input.customerVisible),
  };
  if (values.required_for_customer === 1 && values.customer_visible === 0) check.add('requiredForCustomer', 'admin.fields.errors.requiredHidden');
  return values;
}

const stored = <T extends { options: FieldOption[] }>(values: T) => ({ ...values, options: JSON.stringify(values.options) });

export async function createField(db: Db, actor: Actor, input: CatalogInput): Promise<number> {
  assertAdmin(actor);
  const check = new Checker();
  const key = check.text('key', input.key, { max: 40 });
  if (key && !KEY.test(key)) check.add('key', 'admin.fields.errors.keyFormat');
  else if (key && await fieldKeyTaken(db, key)) check.add('key', 'admin.fields.errors.keyTaken');
  const kind = check.oneOf('kind', input.kind, FIELD_KINDS);
  const values = checkField(input, kind, [], check);
  check.done();
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
export async function updateField(db: Db, actor: Actor, id: number, input: CatalogInput): Promise<void> {
  assertAdmin(actor);
  const current = await findField(db, id);
  if (!current) throw new NotFound();
  const check = new Checker();
  let kind = current.kind;
  if (input.kind !== undefined && input.kind !== current.kind) {
    kind = check.oneOf('kind', input.kind, FIELD_KINDS);
    if (await countFieldValues(db, id) > 0) check.add('kind', 'admin.fields.errors.kindLocked');
  }
  const values = checkField(input, kind, current.options, check);
  check.done();
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
