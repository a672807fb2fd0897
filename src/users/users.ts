import type { Db } from '../db/connect.js';
import { Conflict, Forbidden } from '../lib/errors.js';
import { hashPassword } from '../lib/crypto.js';
import { nowIso } from '../lib/time.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from './actor.js';
import { createCustomer } from './customers.js';
import { findUserByEmail, insertUser } from './queries.js';
import type { NewPersonInput } from './schemas.js';

/** `system` is the CLI or first-run setup: no person is acting. */
export type Acting = Actor | 'system';

/**
 * Add a person. With a password they are active at once; without one they are invited and set
 * their own password through an invitation link.
 */
export async function addPerson(db: Db, acting: Acting, input: NewPersonInput): Promise<{ id: number; state: 'active' | 'invited' }> {
  const { email, name, role, password } = input;

  if (acting !== 'system') {
    if (!can(acting, 'person.create', { role })) throw new Forbidden();
  }
  if (await findUserByEmail(db, email)) throw new Conflict('errors.emailTaken');

  const now = nowIso();
  const state = password !== null ? 'active' : 'invited';
  const passwordHash = password !== null ? await hashPassword(password) : null;
  const id = sideOf({ role }) === 'customer'
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
