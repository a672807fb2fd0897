import * as z from 'zod';
import { DISPATCH_POLICIES } from '../fleet/dispatch.js';
import { choice, flag, longText, maybeId, optionalId, readForm, text, type Checked } from '../lib/form.js';
import { PRIORITIES } from '../tickets/tickets.js';
import { CATEGORIES, FIELD_KINDS } from './fields.js';
import { MAX_OPTIONS } from './options.js';

/**
 * The catalogue's forms (ticket types, custom fields, a dropdown's options), read into typed input
 * (src/lib/form.ts). What needs the database (a group or status that exists, a name or key
 * already taken, a kind locked by the values tickets hold, the options a field has) the verbs
 * check, adding to the form's mistakes so one answer names them all.
 */

/** The catalogue's boxes send '1' (some older forms 'on'). */
const box = () => flag(['1', 'on']);

/** A whole number in range, as typed ('' is `empty`). */
function wholeNumber(min: number, max: number, empty: number, error: string) {
  return z.preprocess((value) => (typeof value === 'string' ? value : ''), z.string().trim().transform((typed, ctx) => {
    if (typed === '') return empty;
    const n = Number(typed);
    if (/^\d+$/.test(typed) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: error });
    return empty;
  }));
}

/**
 * A ticket type. Its dispatch settings (seed 001's "template"): what happens to a new ticket of the
 * type, how many people an "offer to N" reaches (0: as many as needed), how many employees it needs.
 */
export const typeSchema = z.object({
  name: text({ max: 120 }),
  description: longText({ required: false, max: 2000 }),
  defaultPriority: choice(PRIORITIES),
  defaultGroupId: optionalId(),
  initialStatusId: optionalId(),
  customerCanChoose: box(),
  customerFacing: box(),
  dispatchPolicy: choice(DISPATCH_POLICIES, { blank: 'none' }),
  dispatchCount: wholeNumber(0, 100, 0, 'dispatch.errors.count'),
  membersNeeded: wholeNumber(1, 100, 1, 'dispatch.errors.membersNeeded'),
});
export type TypeInput = z.output<typeof typeSchema>;

/** "Add field" on a type: the field picked (the verb looks it up). */
export const typeFieldSchema = z.object({ fieldId: maybeId() });
export type TypeFieldInput = z.output<typeof typeFieldSchema>;

/** "Move up" sends `up`; anything else moves down. */
export const moveSchema = z.object({ direction: z.preprocess((value) => (value === 'up' ? 'up' : 'down'), z.enum(['up', 'down'])) });

/** Retire (`retired=1`) or bring back a type or field. */
export const retirementSchema = z.object({ retired: flag() });

/** A row of a dropdown's option list, as typed; it counts only if `value` names an option the field has. */
export interface OptionRow {
  /** Its place on the form, which names its fields (`option_<index>_label`). */
  index: number;
  /** The option's stored value (a hidden field); null when the browser sent something else. */
  value: string | null;
  /** Trimmed. */
  label: string;
  /** The label's mistake, reported only when the row counts. */
  labelError: string | null;
  order: number | null;
  retired: boolean;
}
export interface OptionsInput {
  rows: OptionRow[];
  /** New options, one a line, trimmed, empty lines left out. */
  newOptions: string[];
}

const optionLabel = text({ max: 200 });

/** The option rows (until the first missing one) and the new lines of a field form. */
function readOptionRows(body: Record<string, unknown>): OptionsInput {
  const rows: OptionRow[] = [];
  for (let i = 0; i < MAX_OPTIONS && body[`option_${i}_value`] !== undefined; i++) {
    const value = body[`option_${i}_value`];
    const typed = body[`option_${i}_label`];
    const label = optionLabel.safeParse(typed);
    const order = Number(body[`option_${i}_order`]);
    rows.push({
      index: i, value: typeof value === 'string' ? value : null,
      // A label with a mistake is kept as typed: the other checks (duplicates) judge what the admin sees.
      label: label.success ? label.data : typeof typed === 'string' ? typed.trim() : '', labelError: label.success ? null : label.error.issues[0]!.message,
      order: Number.isFinite(order) ? order : null, retired: body[`option_${i}_retired`] === '1',
    });
  }
  const lines = typeof body.newOptions === 'string' ? body.newOptions : '';
  return { rows, newOptions: lines.split(/\r?\n/).map((line) => line.trim()).filter(Boolean) };
}

const fieldShape = {
  label: text({ max: 120 }),
  requiredBeforeCategory: choice(CATEGORIES, { blank: null }),
  requiredForCustomer: box(),
  requiredForAgent: box(),
  customerVisible: box(),
};

/** A new field: its key (never changes later) and kind. */
export const newFieldSchema = z.object({
  key: text({ max: 40, format: { pattern: /^[a-z0-9_]{1,40}$/, error: 'admin.fields.errors.keyFormat' } }),
  kind: choice(FIELD_KINDS),
  ...fieldShape,
});
export type NewFieldInput = z.output<typeof newFieldSchema> & { options: OptionsInput };

/** An edited field: a kind only when the form sends one (the verb judges whether it may change). */
export const editFieldSchema = z.object({ kind: choice(FIELD_KINDS).optional(), ...fieldShape });
export type EditFieldInput = z.output<typeof editFieldSchema> & { options: OptionsInput };

function withOptions<T>(checked: Checked<T>, body: unknown): Checked<T & { options: OptionsInput }> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  return { value: { ...checked.value, options: readOptionRows(raw) }, errors: checked.errors };
}

export const readNewFieldForm = (body: unknown) => withOptions(readForm(newFieldSchema, body), body);
export const readEditFieldForm = (body: unknown) => withOptions(readForm(editFieldSchema, body), body);
