import type { Db } from '../db/connect.js';
import { NotFound } from '../lib/errors.js';
import { positiveInt } from '../lib/validate.js';
import { DISPATCH_POLICIES } from '../fleet/dispatch.js';
import { PRIORITIES } from '../tickets/tickets.js';
import { CATEGORIES, FIELD_KINDS } from './fields.js';
import { countFieldValues, findField, findType, typeChoices, typeFieldRows, typesOfField } from './queries.js';

/** A form's values as typed or as stored. */
type FormValues = Record<string, string | undefined>;

export function idParam(param: string): number {
  const id = positiveInt(param);
  if (id === null) throw new NotFound();
  return id;
}

const bit = (value: number) => (value === 1 ? '1' : '');

/** The type page: its form (stored values, or what was typed), its fields in order, and what can be added. */
export async function typePage(db: Db, id: number | null, typed: FormValues | null) {
  const type = id === null ? null : await findType(db, id);
  if (id !== null && !type) throw new NotFound();
  const choices = await typeChoices(db);
  const fields = type ? await typeFieldRows(db, type.id) : [];
  const values: FormValues = typed ?? (type ? {
    name: type.name, description: type.description, customerCanChoose: bit(type.customer_can_choose),
    defaultGroupId: type.default_group_id === null ? '' : String(type.default_group_id), defaultPriority: type.default_priority,
    initialStatusId: type.initial_status_id === null ? '' : String(type.initial_status_id), customerFacing: bit(type.customer_facing),
    dispatchPolicy: type.dispatch_policy, dispatchCount: String(type.dispatch_count), membersNeeded: String(type.members_needed),
  } : { customerCanChoose: '1', customerFacing: '1', defaultPriority: 'normal', dispatchPolicy: 'none', dispatchCount: '0', membersNeeded: '1' });
  const attached = new Set(fields.map((f) => f.id));
  // Not `type`: the form component reads `type` from the data it is given.
  return { ticketType: type, values, fields, addable: choices.fields.filter((f) => !attached.has(f.id)), choices, priorities: PRIORITIES, policies: DISPATCH_POLICIES };
}

/** The field page: its form, whether its kind is locked (tickets hold values), and the types using it. */
export async function fieldPage(db: Db, id: number | null, typed: FormValues | null) {
  const field = id === null ? null : await findField(db, id);
  if (id !== null && !field) throw new NotFound();
  const valueCount = field ? await countFieldValues(db, field.id) : 0;
  const values: FormValues = typed ?? (field ? {
    label: field.label, kind: field.kind, requiredForCustomer: bit(field.required_for_customer), requiredForAgent: bit(field.required_for_agent),
    requiredBeforeCategory: field.required_before_category ?? '', customerVisible: bit(field.customer_visible),
  } : { kind: 'text', customerVisible: '1' });
  return {
    field, values, typed: typed !== null, kindLocked: valueCount > 0, valueCount: valueCount >= 1000 ? '1000+' : String(valueCount),
    types: field ? await typesOfField(db, field.id) : [], kinds: FIELD_KINDS, categories: CATEGORIES,
  };
}
