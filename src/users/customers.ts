import type { Db } from '../db/connect.js';
import type { User, UserState } from '../db/schema.js';
import { nowIso } from '../lib/time.js';
import { organizationForEmail } from '../organizations/domains.js';

export interface NewCustomer {
  email: string;
  name: string;
  state: UserState;
  passwordHash?: string | null;
  /** A deliberate choice (an invitation form, an admin) wins over the address's domain. */
  organizationId?: number | null;
  /** The enclosing change's timestamp, so the rows it writes agree. */
  now?: string;
}

/**
 * The one place customers are created: the portal, agents opening tickets, CCs, invitations and
 * admins all come through here, so a new address at an organisation's domain joins it everywhere.
 */
export async function createCustomer(trx: Db, input: NewCustomer): Promise<User> {
  const now = input.now ?? nowIso();
  const organizationId = input.organizationId ?? await organizationForEmail(trx, input.email);
  return trx.insertInto('users').values({
    email: input.email, name: input.name, role: 'customer', state: input.state,
    password_hash: input.passwordHash ?? null, organization_id: organizationId,
    created_at: now, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
}
