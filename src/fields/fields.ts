import { untilConfigChanged } from '../db/change-cache.js';
import type { Db } from '../db/connect.js';
import type { HistoryEntry } from '../kernel/history.js';
import type { Selectable } from 'kysely';
import type { FieldsTable } from '../db/schema.js';
import { isEmail } from '../lib/validate.js';

/** Where field errors go: a verb's collection of its form's mistakes (src/lib/form.ts, `collect`). */
export interface ErrorSink {
  add(field: string, key: string): void;
}

/** A dropdown option: `value` is what is stored (stable), `label` what is shown (renamable). */
export interface FieldOption {
  value: string;
  label: string;
  retired?: boolean;
}

export interface FieldDef extends Omit<Selectable<FieldsTable>, 'options'> {
  options: FieldOption[];
}

export type Audience = 'agent' | 'customer';

/** Options are stored as JSON: plain strings (value = label) or {value, label, retired}. */
export function parseOptions(json: string): FieldOption[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((o): FieldOption[] => {
    if (typeof o === 'string') return [{ value: o, label: o }];
    if (o && typeof o === 'object' && typeof (o as FieldOption).value === 'string') {
      const option = o as FieldOption;
      return [{ value: option.value, label: typeof option.label === 'string' ? option.label : option.value, retired: option.retired === true }];
    }
    return [];
  });
}

/** The fields of a ticket type, in the type's order; retired fields are left out of forms. */
export const fieldsOfType = untilConfigChanged(async (db: Db, typeId: number): Promise<FieldDef[]> => {
  const rows = await db.selectFrom('ticket_type_fields').innerJoin('fields', 'fields.id', 'ticket_type_fields.field_id')
    .selectAll('fields').where('ticket_type_fields.type_id', '=', typeId).where('fields.retired_at', 'is', null)
    .orderBy('ticket_type_fields.position').execute();
  return rows.map((row) => ({ ...row, options: parseOptions(row.options) }));
});

export const fieldName = (field: { key: string }) => `field_${field.key}`;

/** What a stored value looks like on a page: the option's label, Yes/No, or the value itself. */
export function displayValue(field: { kind: string; options: string | FieldOption[] }, value: string, yesNo: [string, string]): string {
  if (field.kind === 'checkbox') return value === '1' ? yesNo[0] : yesNo[1];
  if (field.kind === 'dropdown') {
    const options = typeof field.options === 'string' ? parseOptions(field.options) : field.options;
    return options.find((o) => o.value === value)?.label ?? value;
  }
  return value;
}

/** The raw values of custom fields in a form body (`field_<key>`), for readFieldValues. */
export function fieldInputs(body: unknown): Record<string, string> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => e[0].startsWith('field_') && typeof e[1] === 'string'));
}

/**
 * Read and check the submitted values of these fields (form names `field_<key>`), per kind and
 * per audience's required marks. Custom fields are defined in the database, so they are read where
 * their definitions are (the verb), not by a feature's schemas. Errors go into the sink; the result maps field id → value
 * ('' for empty, which removes a stored value). `stored` are the ticket's current values: an option
 * retired since it was chosen may stay as it is (it is no longer offered to anyone else).
 */
export function readFieldValues(
  defs: FieldDef[], input: Record<string, unknown>, audience: Audience, check: ErrorSink, stored: ReadonlyMap<number, string> = new Map(),
): Map<number, string> {
  const values = new Map<number, string>();
  for (const field of defs) {
    if (audience === 'customer' && field.customer_visible !== 1) continue;
    const name = fieldName(field);
    const raw = input[name];
    let value = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
    if (field.kind === 'checkbox') value = value === '' || value === '0' ? '0' : '1';
    const required = audience === 'agent' ? field.required_for_agent === 1 : field.required_for_customer === 1;
    if ((value === '' || (field.kind === 'checkbox' && value === '0')) && required) {
      check.add(name, 'errors.required');
    } else if (value !== '') {
      const error = kindError(field, value, stored.get(field.id));
      if (error) check.add(name, error);
    }
    values.set(field.id, value);
  }
  return values;
}

function kindError(field: FieldDef, value: string, storedValue: string | undefined): string | null {
  switch (field.kind) {
    case 'text': return value.length > 500 ? 'errors.tooLong' : /\n/.test(value) ? 'errors.singleLine' : null;
    case 'textarea': return value.length > 10_000 ? 'errors.tooLong' : null;
    case 'number': return /^-?\d{1,15}(\.\d{1,6})?$/.test(value) ? null : 'errors.number';
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
      const date = match ? new Date(`${value}T00:00:00Z`) : null;
      return date && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) ? null : 'errors.date';
    }
    case 'dropdown': return field.options.some((o) => o.value === value && (!o.retired || value === storedValue)) ? null : 'errors.choice';
    case 'checkbox': return null;
    case 'email': return value.length <= 254 && isEmail(value) ? null : 'errors.email';
    case 'url': {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && value.length <= 2000 ? null : 'errors.url';
      } catch {
        return 'errors.url';
      }
    }
  }
}

/** A ticket's stored field values, by field id. */
export async function storedFieldValues(db: Db, ticketId: number): Promise<Map<number, string>> {
  const rows = await db.selectFrom('ticket_field_values').select(['field_id', 'value']).where('ticket_id', '=', ticketId).execute();
  return new Map(rows.map((r) => [r.field_id, r.value]));
}

/** What a form's values change on a ticket: the values to store (kernel, `changeTicket`'s `fields`) and their history lines. */
export interface FieldChanges {
  values: Map<number, string>;
  history: HistoryEntry[];
}

/**
 * Compare submitted values with the stored ones (`current`): the changed values ('' removes a stored
 * one) and one history line per changed field, with the label and the shown values as they read at
 * the time. An unticked checkbox is the same as no value.
 */
export function diffFieldValues(defs: FieldDef[], values: ReadonlyMap<number, string>, current: ReadonlyMap<number, string>, yesNo: [string, string]): FieldChanges {
  const changes: FieldChanges = { values: new Map(), history: [] };
  for (const field of defs) {
    if (!values.has(field.id)) continue;
    const next = values.get(field.id)!;
    const before = current.get(field.id) ?? '';
    const normalisedBefore = field.kind === 'checkbox' && before === '' ? '0' : before;
    if (next === normalisedBefore) continue;
    changes.values.set(field.id, next);
    changes.history.push({
      kind: 'field', field: field.label,
      from: before === '' ? null : displayValue(field, before, yesNo),
      to: next === '' ? null : displayValue(field, next, yesNo),
    });
  }
  return changes;
}

/** diffFieldValues against what the ticket holds now, for the caller's changeTicket. */
export async function fieldChanges(db: Db, ticketId: number, defs: FieldDef[], values: ReadonlyMap<number, string>, yesNo: [string, string]): Promise<FieldChanges> {
  if (!defs.some((field) => values.has(field.id))) return { values: new Map(), history: [] }; // nothing given: nothing to compare with
  return diffFieldValues(defs, values, await storedFieldValues(db, ticketId), yesNo);
}
