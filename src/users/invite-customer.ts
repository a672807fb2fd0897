import { revokeTokens } from '../auth/auth.js';
import { LIMITS, throttle } from '../auth/throttle.js';
import type { Db } from '../db/connect.js';
import { readOrganizationChoice } from '../organizations/choice.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import type { MailContext } from '../mail/context.js';
import { isStaff, type Actor } from './actor.js';
import { inviteCustomer } from './invitations.js';
import { findUserByEmail } from './queries.js';
import { addPerson } from './users.js';

export interface InviteInput {
  name?: unknown;
  email?: unknown;
  organizationId?: unknown;
}

export function listOrganizationChoices(db: Db) {
  return db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(500).execute();
}

/**
 * Staff invite a customer by email (seed 003): a new person is added as invited and gets a
 * "Create password" mail. Inviting someone still invited sends a fresh link and kills the older
 * ones; an address that already has an account (or belongs to staff) is refused.
 */
export async function inviteNewCustomer(
  db: Db, actor: Actor, input: InviteInput, mail: MailContext,
): Promise<{ id: number; resent: boolean }> {
  if (!isStaff(actor)) throw new Forbidden();
  const check = new Checker();
  const email = check.email('email', input.email);
  const name = check.text('name', input.name, { max: 120 });
  const organizationId = await readOrganizationChoice(db, check, input.organizationId);
  check.done();

  return db.transaction().execute(async (trx) => {
    await throttleInvitation(trx, actor, email);
    const existing = await findUserByEmail(trx, email);
    if (existing && (existing.state !== 'invited' || existing.role !== 'customer')) {
      throw new Invalid({ email: 'customers.invite.hasAccount' }, 'customers.invite.hasAccount');
    }
    if (existing) {
      await trx.updateTable('users').set({ name, organization_id: organizationId ?? existing.organization_id, updated_at: nowIso() })
        .where('id', '=', existing.id).execute();
      await revokeTokens(trx, existing.id, ['invite']);
      await inviteCustomer(trx, { ...existing, name }, mail);
      return { id: existing.id, resent: true };
    }
    const person = await addPerson(trx, actor, { email, name, role: 'customer', organizationId });
    await inviteCustomer(trx, { id: person.id, name, email, locale: 'en' }, mail);
    return { id: person.id, resent: false };
  });
}

/** Invitations are mail to addresses nobody has confirmed: capped per inviter and per address. */
export async function throttleInvitation(db: Db, actor: Actor, email: string): Promise<void> {
  await throttle(db, `invite-by:${actor.id}`, LIMITS.invitesPerInviter, 'customers.invite.tooMany');
  await throttle(db, `invite-to:${email.toLowerCase()}`, LIMITS.invitesPerAddress, 'customers.invite.tooMany');
}
