import type { FieldOption } from '../fields/fields.js';
import type { FieldErrors } from '../lib/errors.js';
import type { OptionsInput } from './schemas.js';

export const MAX_OPTIONS = 500;

/** A stored value from a label: lower case letters, digits and underscores ("Cleared (manual)" → cleared_manual). */
export function valueFromLabel(label: string): string {
  const slug = label.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40).replace(/_+$/, '');
  return slug || 'option';
}

function uniqueValue(base: string, used: Set<string>): string {
  let value = base;
  for (let n = 2; used.has(value); n++) value = `${base}_${n}`;
  used.add(value);
  return value;
}

/**
 * A dropdown's options from the form. Existing options are matched by their hidden stored value, so
 * a new label renames an option without touching what tickets hold; a ticked "retired" takes it out
 * of forms; "order" sorts them. New options come one per line and get a value of their own.
 */
export function mergeOptions(existing: FieldOption[], { rows, newOptions }: OptionsInput, errors: FieldErrors, required: boolean): FieldOption[] {
  const byValue = new Map(rows.flatMap((row) => (row.value === null ? [] : [[row.value, row] as const])));

  const sorted = existing.map((option, index) => {
    const row = byValue.get(option.value);
    if (row === undefined) return { option, order: MAX_OPTIONS + index, index };
    if (row.labelError) errors[`option_${row.index}_label`] ??= row.labelError;
    return {
      option: { value: option.value, label: row.label || option.label, retired: row.retired },
      order: row.order ?? index, index,
    };
  }).sort((a, b) => a.order - b.order || a.index - b.index).map((s) => s.option);

  const used = new Set(sorted.map((o) => o.value));
  if (newOptions.some((l) => l.length > 200) || sorted.length + newOptions.length > MAX_OPTIONS) errors.newOptions ??= 'errors.tooLong';
  const options = [...sorted, ...newOptions.map((label) => ({ value: uniqueValue(valueFromLabel(label), used), label, retired: false }))];

  const labels = options.map((o) => o.label.toLowerCase());
  if (new Set(labels).size !== labels.length) errors.newOptions ??= 'admin.fields.errors.duplicateOption';
  if (required && !options.some((o) => !o.retired)) errors.newOptions ??= 'admin.fields.errors.noOptions';
  return options;
}
