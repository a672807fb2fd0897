import * as z from 'zod';
import { choice, email, maybeId, optionalId, password, readForm, text, type Checked } from '../lib/form.js';
import { positiveInt } from '../lib/validate.js';
import { sideOf } from '../policy/can.js';
import { ROLES } from '../users/actor.js';

/**
 * The admin's forms about people, read into typed input (src/lib/form.ts). What needs the database
 * (an organisation that exists, an address already taken, the last admin) the verbs check.
 */

export const METHODS = ['invite', 'password'] as const;

/** "Add person": invited by mail, or with a password they can use at once. */
export const createPersonSchema = z.object({
  email: email(),
  name: text({ max: 120 }),
  role: choice(ROLES),
  method: choice(METHODS),
  /** A customer's organisation; the verb looks it up. */
  organizationId: optionalId(),
});
export type CreatePersonInput = z.output<typeof createPersonSchema> & {
  /** Null when invited. */
  password: string | null;
};

/**
 * The form, mistakes and all: the password is judged only when the admin chose to set one, the
 * organisation only for a customer (staff belong to none).
 */
export function readCreatePersonForm(body: unknown): Checked<CreatePersonInput> {
  const { value, errors: { organizationId: organizationError, ...errors } } = readForm(createPersonSchema, body);
  const customer = sideOf({ role: value.role }) === 'customer';
  if (customer && organizationError) errors.organizationId = organizationError;
  const organizationId = customer ? value.organizationId : null;
  if (value.method !== 'password') return { value: { ...value, organizationId, password: null }, errors };
  const typed = readForm(z.object({ password: password() }), body);
  return { value: { ...value, organizationId, password: typed.value.password }, errors: { ...errors, ...typed.errors } };
}

export const roleSchema = z.object({ role: choice(ROLES) });
export type RoleInput = z.output<typeof roleSchema>;

/** Disable, or enable again. */
export const stateSchema = z.object({ state: choice(['disabled', 'active'] as const) });
export type StateInput = z.output<typeof stateSchema>;

/** "Merge with": the other record by its id, or by an address (the admin types the one the customer wrote from). */
export const mergeLookupSchema = z.object({
  other: text({ max: 254 }).transform((typed) => positiveInt(typed) ?? typed.toLowerCase()),
});
export type MergeLookupInput = z.output<typeof mergeLookupSchema>;

/** The confirmed merge: the record to remove (none that is an id is no such person). */
export const mergeSchema = z.object({ removedId: maybeId() });
export type MergeInput = z.output<typeof mergeSchema>;
