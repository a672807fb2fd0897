import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { parseOptions, type FieldDef } from '../fields/fields.js';

/** Every ticket type for the admin list, retired ones included, with how many fields each has. */
export function listTypes(db: Db) {
  return db.selectFrom('ticket_types').leftJoin('groups', 'groups.id', 'ticket_types.default_group_id')
    .select(['ticket_types.id', 'ticket_types.name', 'ticket_types.customer_can_choose', 'ticket_types.default_priority',
      'ticket_types.retired_at', 'groups.name as group_name'])
    .select((eb) => eb.selectFrom('ticket_type_fields').select(eb.fn.countAll<number>().as('n'))
      .whereRef('ticket_type_fields.type_id', '=', 'ticket_types.id').as('field_count'))
    .orderBy(sql`ticket_types.retired_at is not null`).orderBy('ticket_types.position').orderBy('ticket_types.name').execute();
}

export function findType(db: Db, id: number) {
  return db.selectFrom('ticket_types').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function typeNameTaken(db: Db, name: string, exceptId: number | null): Promise<boolean> {
  let query = db.selectFrom('ticket_types').select('id').where(sql<boolean>`name = ${name} collate nocase`);
  if (exceptId !== null) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** The fields of a type in order, retired ones included (the admin still sees and can remove them). */
export function typeFieldRows(db: Db, typeId: number) {
  return db.selectFrom('ticket_type_fields').innerJoin('fields', 'fields.id', 'ticket_type_fields.field_id')
    .select(['fields.id', 'fields.key', 'fields.label', 'fields.kind', 'fields.retired_at', 'ticket_type_fields.position'])
    .where('ticket_type_fields.type_id', '=', typeId)
    .orderBy('ticket_type_fields.position').orderBy('fields.id').execute();
}

/** What the type form offers: groups, active statuses, and the active fields that can be added. */
export async function typeChoices(db: Db) {
  const [groups, statuses, fields] = await Promise.all([
    db.selectFrom('groups').select(['id', 'name']).orderBy('name').execute(),
    db.selectFrom('statuses').select(['id', 'name', 'category']).where('retired_at', 'is', null).orderBy('position').execute(),
    db.selectFrom('fields').select(['id', 'key', 'label']).where('retired_at', 'is', null).orderBy('label').execute(),
  ]);
  return { groups, statuses, fields };
}

export function findGroup(db: Db, id: number) {
  return db.selectFrom('groups').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

export function findActiveStatus(db: Db, id: number) {
  return db.selectFrom('statuses').select(['id', 'name']).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
}

/** The types the desk and the portal fall back to: retiring one of them would leave forms without a default. */
export async function defaultTypeIds(db: Db): Promise<number[]> {
  const rows = await db.selectFrom('settings').select('value').where('key', 'in', ['default_type_id', 'portal.default_type_id']).execute();
  return rows.map((r) => Number(r.value)).filter((n) => Number.isSafeInteger(n));
}

/** Every field for the admin list, with the number of types using it and of tickets holding a value. */
export function listFields(db: Db) {
  return db.selectFrom('fields').selectAll()
    .select((eb) => eb.selectFrom('ticket_type_fields').select(eb.fn.countAll<number>().as('n'))
      .whereRef('ticket_type_fields.field_id', '=', 'fields.id').as('type_count'))
    .orderBy(sql`retired_at is not null`).orderBy('label').execute();
}

export async function findField(db: Db, id: number): Promise<FieldDef | undefined> {
  const row = await db.selectFrom('fields').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, options: parseOptions(row.options) } : undefined;
}

export async function fieldKeyTaken(db: Db, key: string): Promise<boolean> {
  return (await db.selectFrom('fields').select('id').where('key', '=', key).executeTakeFirst()) !== undefined;
}

/** How many tickets hold a value of this field (capped: the form only needs "none" or "some"). */
export async function countFieldValues(db: Db, fieldId: number): Promise<number> {
  const rows = await db.selectFrom('ticket_field_values').select('ticket_id').where('field_id', '=', fieldId).limit(1000).execute();
  return rows.length;
}

/** The names of the types a field belongs to, for its edit page. */
export function typesOfField(db: Db, fieldId: number) {
  return db.selectFrom('ticket_type_fields').innerJoin('ticket_types', 'ticket_types.id', 'ticket_type_fields.type_id')
    .select(['ticket_types.id', 'ticket_types.name']).where('ticket_type_fields.field_id', '=', fieldId)
    .orderBy('ticket_types.name').execute();
}
