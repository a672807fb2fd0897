import type { FieldOption } from '../fields/fields.js';
import type { Checker } from '../lib/validate.js';
import type { CatalogInput } from './types.js';

const MAX_OPTIONS = 500;

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
export function readOptions(existing: FieldOption[], input: CatalogInput, check: Checker, required: boolean): FieldOption[] {
  const rows = new Map<string, number>();
  for (let i = 0; i < MAX_OPTIONS && input[`option_${i}_value`] !== undefined; i++) rows.set(input[`option_${i}_value`]!, i);

  const sorted = existing.map((option, index) => {
    const i = rows.get(option.value);
    if (i === undefined) return { option, order: MAX_OPTIONS + index, index };
    const label = check.text(`option_${i}_label`, input[`option_${i}_label`], { max: 200 });
    const order = Number(input[`option_${i}_order`]);
    return {
      option: { value: option.value, label: label || option.label, retired: input[`option_${i}_retired`] === '1' },
      order: Number.isFinite(order) ? order : index, index,
    };
  }).sort((a, b) => a.order - b.order || a.index - b.index).map((s) => s.option);

  const used = new Set(sorted.map((o) => o.value));
  const lines = (input.newOptions ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.some((l) => l.length > 200) || sorted.length + lines.length > MAX_OPTIONS) check.add('newOptions', 'errors.tooLong');
  const options = [...sorted, ...lines.map((label) => ({ value: uniqueValue(valueFromLabel(label), used), label, retired: false }))];

  const labels = options.map((o) => o.label.toLowerCase());
  if (new Set(labels).size !== labels.length) check.add('newOptions', 'admin.fields.errors.duplicateOption');
  if (required && !options.some((o) => !o.retired)) check.add('newOptions', 'admin.fields.errors.noOptions');
  return options;
}
