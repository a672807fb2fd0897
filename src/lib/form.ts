import * as z from 'zod';
import { Invalid, type FieldErrors } from './errors.js';
import { isEmail, positiveInt } from './validate.js';
import { isCommonPassword } from './common-passwords.js';

/**
 * Form fields as zod schemas, with the house's rules: the trimming and normalising of the `Checker`
 * that validated forms inside the verbs before (test/lib/checker-reference.ts keeps it, and
 * test/lib/form.test.ts holds these fields to it) and the same catalogue keys ('errors.required',
 * ...), so a feature's `schemas.ts` turns a raw form body into typed input at the edge and verbs
 * never see `''`, `'me'` or `'on'`. The schemas stay plain zod (no parsing outside them), so the API
 * can describe its bodies from the same ones (`z.toJSONSchema(schema, { io: 'input' })`).
 *
 * A field's checks run in Checker's order and only the first failing one is reported per field, as
 * Checker's `??=` did.
 */

/** What a field holds when its value failed: for verbs that still check the rest against the database. */
const blanks = z.registry<{ blank: unknown }>();

/**
 * A field's error message that needs values ("Enter a number between {min} and {max}."): the key
 * with its values in query form, which the field component (views/components/_field.eta) reads back.
 */
export function messageWith(key: string, values: Record<string, string | number>): string {
  return `${key}?${new URLSearchParams(Object.entries(values).map(([name, value]): [string, string] => [name, String(value)]))}`;
}

/** A feature's own field: what it holds in `readForm`'s value when what was typed is wrong. */
export function withBlank<S extends z.ZodType>(schema: S, blank: z.output<S>): S {
  blanks.add(schema as z.ZodType, { blank });
  return schema;
}

function blankOf(schema: z.ZodType): unknown {
  const own = blanks.get(schema);
  if (own) return own.blank;
  const inner = (schema.def as { innerType?: z.ZodType }).innerType;
  return inner ? blankOf(inner) : undefined;
}

/** Anything that is not a string (missing, repeated) reads as empty, as in Checker. */
const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
const blankToMissing = (value: unknown): unknown => (value === '' ? undefined : value);
const SINGLE_LINE = /^[^\r\n]*$/;

/**
 * One line of text, trimmed: Checker.text. Past 1000 characters a field may hold line breaks. With
 * `format`, a text that is not empty must also match its pattern (a key, a code), judged last.
 */
export function text({ required = true, max = 200, format }: { required?: boolean; max?: number; format?: { pattern: RegExp; error: string } } = {}) {
  let schema = z.string().trim();
  if (required) schema = schema.min(1, { error: 'errors.required' });
  schema = schema.max(max, { error: 'errors.tooLong' });
  if (max <= 1000) schema = schema.regex(SINGLE_LINE, { error: 'errors.singleLine' });
  if (format) schema = schema.refine((value) => value === '' || format.pattern.test(value), { error: format.error });
  return withBlank(z.preprocess(asString, schema), '');
}

/** A text with line breaks (CRLF read as LF), trimmed: Checker.longText. */
export function longText({ required = true, max = 100_000 } = {}) {
  let schema = z.string().overwrite((s) => s.replace(/\r\n/g, '\n')).trim();
  if (required) schema = schema.min(1, { error: 'errors.required' });
  schema = schema.max(max, { error: 'errors.tooLong' });
  return withBlank(z.preprocess(asString, schema), '');
}

/** A required address, lower-cased: Checker.email. */
export function email() {
  const schema = z.string().trim().min(1, { error: 'errors.required' }).max(254, { error: 'errors.tooLong' })
    .regex(SINGLE_LINE, { error: 'errors.singleLine' }).toLowerCase()
    .refine((value) => value === '' || isEmail(value), { error: 'errors.email' });
  return withBlank(z.preprocess(asString, schema), '');
}

/**
 * A new password, as typed (never trimmed), by NIST SP 800-63B (issue 24, point 5): at least 12
 * characters, at most 1,000, no composition rules, and not one of the 10,000 most common passwords
 * (compared without regard to case).
 */
export function password() {
  const schema = z.string().min(PASSWORD_MIN, { error: 'errors.passwordShort' }).max(PASSWORD_MAX, { error: 'errors.tooLong' })
    .refine((value) => !isCommonPassword(value), { error: 'errors.passwordCommon' });
  return withBlank(z.preprocess(asString, schema), '');
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1000;

/** A password typed to prove who one is (signing in, the current one): as typed, only required. */
export function secret() {
  return withBlank(z.preprocess(asString, z.string().min(1, { error: 'errors.required' })), '');
}

/** A new password typed twice: give the form to `confirmed` so that the repetition is judged. */
export function newPasswordFields() {
  return { password: password(), confirm: withBlank(z.preprocess(asString, z.string()), '') };
}

/**
 * The repetition of a new password must match it: judged once the password itself is fine, as
 * Checker did, whatever else on the form is wrong.
 */
export function confirmed<S extends FormSchema>(schema: S): S {
  return schema.refine((value) => (value as { confirm?: unknown }).confirm === (value as { password?: unknown }).password, {
    path: ['confirm'], error: 'errors.passwordMismatch',
    when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === 'password'),
  });
}

/** An address or nothing: empty (or only spaces) is null, anything else must be an address. */
export function optionalEmail() {
  const given = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  return withBlank(z.preprocess(given, email().optional()).transform((value) => value ?? null), null);
}

/**
 * One of `allowed`: Checker.oneOf. With `blank`, an empty or missing value means `blank` (a select's
 * "(default)" option) instead of a mistake.
 */
export function choice<const T extends string>(allowed: readonly T[]): z.ZodType<T, unknown>;
export function choice<const T extends string, B extends T | null>(allowed: readonly T[], options: { blank: B }): z.ZodType<T | B, unknown>;
export function choice<const T extends string>(allowed: readonly T[], options?: { blank: T | null }): z.ZodType<T | null, unknown> {
  const one = z.enum(allowed as [T, ...T[]], { error: 'errors.choice' });
  if (!options) return withBlank(one, allowed[0]!);
  const blank = options.blank;
  return withBlank(z.preprocess(blankToMissing, blank === null ? one.nullable().default(null) : one.default(blank)), blank);
}

/** A database id typed as digits, by positiveInt's rules (no '0x10', '1e3' or ' 7 '). */
export function id({ error = 'errors.choice' } = {}) {
  const schema = z.string({ error }).regex(/^\d{1,16}$/, { error })
    .transform(Number).refine((n) => Number.isSafeInteger(n) && n > 0, { error });
  return withBlank(schema, 0);
}

/** An id or nothing: empty or missing is null, anything else must be an id. */
export function optionalId({ error = 'errors.choice' } = {}) {
  return withBlank(z.preprocess(blankToMissing, id({ error }).nullable().default(null)), null);
}

/**
 * An id, or null for anything that is not one (empty, missing, malformed): for a choice the verb
 * looks up in the database, where a malformed id and an unknown one get the same answer (or a default).
 */
export function maybeId() {
  return withBlank(z.preprocess(asString, z.string().transform((value) => positiveInt(value))), null);
}

/** A checkbox: ticked when the browser sent it at all ('on', or the box's value). */
export function checkbox() {
  return withBlank(z.preprocess((value) => value !== undefined && value !== '', z.boolean()), false);
}

/**
 * A box whose form sends '1' when ticked (a few forms also take 'on'): true for exactly those
 * values, anything else (missing, empty, another word) is unticked. Unlike `checkbox`, the box's
 * value says what it means.
 */
export function flag(ticked: readonly string[] = ['1']) {
  return withBlank(z.preprocess((value) => typeof value === 'string' && ticked.includes(value), z.boolean()), false);
}

/** A field that may come once or repeated (a urlencoded body gives a string or a string[]). */
export function list() {
  return withBlank(z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]), z.array(z.string({ error: 'errors.choice' }))), []);
}

/**
 * Who a ticket goes to: '' or 'none' is nobody (null), 'me' is the person acting (`meId`), else a
 * staff member's id (the verb checks they are active staff).
 */
export function assignee(meId: number) {
  const schema = z.string({ error: 'errors.choice' }).refine((value) => value === '' || value === 'none' || value === 'me' || positiveInt(value) !== null, { error: 'errors.choice' })
    .transform((value) => (value === '' || value === 'none' ? null : value === 'me' ? meId : positiveInt(value)!));
  return withBlank(schema, null);
}

/** For a form where an empty choice means "leave it as it is" (bulk changes): undefined then. */
export function unchanged<S extends z.ZodType>(field: S) {
  return withBlank(z.preprocess(blankToMissing, field.optional()), undefined);
}

export type FormSchema = z.ZodObject<z.ZodRawShape>;

/** A form's typed values and the format mistakes found in it (first key per field, as Checker). */
export interface Checked<T> {
  value: T;
  errors: FieldErrors;
}

/**
 * Read a form without refusing it: the typed values (a field with a mistake holds its blank: '',
 * null, the first choice) and the mistakes. For verbs that also check against the database and
 * report every mistake of a form at once, as one Checker did.
 */
export function readForm<S extends FormSchema>(schema: S, body: unknown): Checked<z.output<S>> {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const result = schema.safeParse(raw);
  if (result.success) return { value: result.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) errors[String(issue.path[0] ?? '')] ??= issue.message;
  const value: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const one = field.safeParse(raw[name]);
    value[name] = one.success ? one.data : blankOf(field);
  }
  return { value: value as z.output<S>, errors };
}

/** The typed values of a form, or Invalid with the first mistake of each field (Checker.done()). */
export function parseForm<S extends FormSchema>(schema: S, body: unknown): z.output<S> {
  const { value, errors } = readForm(schema, body);
  refuse(errors);
  return value;
}

/** A sink for field errors that keeps the first key of each field, as Checker.add (for readFieldValues). */
export function collect(errors: FieldErrors): { add(field: string, key: string): void } {
  return { add: (field, key) => { errors[field] ??= key; } };
}

/** Throw the collected field errors, if there are any (a verb's database checks added to a form's). */
export function refuse(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new Invalid({ ...errors });
}
