import type { Db } from '../db/connect.js';
import { parseOptions } from '../fields/fields.js';
import type { FieldErrors } from '../lib/errors.js';
import { messageWith } from '../lib/form.js';
import type { FieldCondition } from './conditions.js';

/** A "custom field is / is not" row of the rule form; `at` is its place in the form, for its mistakes. */
export type FieldRow = FieldCondition & { at?: number };

const YES = ['yes', '1', 'true'];
const NO = ['no', '0', 'false'];
const lower = (value: string) => value.trim().toLowerCase();

/**
 * The rows checked against the desk's fields, as they are stored: the field must exist and be in use;
 * a drop-down's value is one of its choices (typed as its value or its label, stored as its value), a
 * checkbox's is yes or no (stored as '1' or '0', as tickets hold it); other kinds keep the text.
 */
export async function checkFieldConditions(db: Db, rows: readonly FieldRow[], errors: FieldErrors): Promise<FieldCondition[]> {
  if (rows.length === 0) return [];
  const defs = await db.selectFrom('fields').select(['key', 'kind', 'options'])
    .where('key', 'in', [...new Set(rows.map((row) => row.key))]).where('retired_at', 'is', null).execute();
  const byKey = new Map(defs.map((def) => [def.key, def]));
  return rows.map(({ at: place, ...condition }, index) => {
    const at = place ?? index;
    const def = byKey.get(condition.key);
    if (!def) {
      errors[`fieldKey_${at}`] ??= 'rules.errors.field';
      return condition;
    }
    if (!condition.value) return condition;
    if (def.kind === 'dropdown') {
      const options = parseOptions(def.options);
      const found = options.find((o) => lower(o.value) === lower(condition.value)) ?? options.find((o) => lower(o.label) === lower(condition.value));
      if (found) return { ...condition, value: found.value };
      errors[`fieldValue_${at}`] ??= messageWith('rules.errors.fieldChoice', { choices: options.filter((o) => !o.retired).map((o) => o.label).join(', ') });
    } else if (def.kind === 'checkbox') {
      if (YES.includes(lower(condition.value))) return { ...condition, value: '1' };
      if (NO.includes(lower(condition.value))) return { ...condition, value: '0' };
      errors[`fieldValue_${at}`] ??= 'rules.errors.fieldYesNo';
    }
    return condition;
  });
}
