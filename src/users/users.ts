import type { Db } from '../db/connect.js';
import type { Role } from '../db/schema.js';
import { Conflict, Forbidden } from '../lib/errors.js';
import { hashPassword } from '../lib/crypto.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { ROLES, isManager, type Actor } from './actor.js';
import { createCustomer } from './customers.js';
import { findUserByEmail, insertUser } from './queries.js';

export interface NewPersonInput {
  email?: unknown;
  name?: unknown;
  role?: unknown;
  password?: unknown;
  organizationId?: number | null;
}

/** `system` is the CLI or first-run setup: no person is acting. */
export type Acting = Actor | 'system';

/**
 * Add a person. With a password they are active at once; without one they are invited and set
 * their own password through an invitation link.
 */
export async function addPerson(db: Db, acting: Acting, input: NewPersonInput): Promise<{ id: number; state: 'active' | 'invited' }> {
  const check = new Checker();
  const email = check.email('email', input.email);
  const name = check.text('name', input.name, { max: 120 });
  const role = check.oneOf<Role>('role', input.role, ROLES);
  const hasPassword = typeof input.password === 'string' && input.password !== '';
  const password = hasPassword ? check.password('password', input.password) : '';
  check.done();

  if (acting !== 'system') {
    // Agents may add customers; only admins create staff.
    const allowed = acting.role === 'admin' || (role === 'customer' && (isManager(acting) || acting.role === 'agent'));
    if (!allowed) throw new Forbidden();
  }
  if (await findUserByEmail(db, email)) throw new Conflict('errors.emailTaken');

  const now = nowIso();
  const state = hasPassword ? 'active' : 'invited';
  const passwordHash = hasPassword ? await hashPassword(password) : null;
  const id = role === 'customer'
    ? (await createCustomer(db, { email, name, state, passwordHash, organizationId: input.organizationId ?? null, now })).id
    : await insertUser(db, {
      email,
      name,
      role,
      state,
      password_hash: passwordHash,
      organization_id: input.organizationId ?? null,
      created_at: now,
      updated_at: now,
    });
  return { id, state };
}
