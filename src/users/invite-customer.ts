import { revokeTokens } from '../auth/auth.js';
import { LIMITS, throttle } from '../auth/throttle.js';
import type { Db } from '../db/connect.js';
import { checkOrganizationChoice } from '../organizations/choice.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import { refuse, type Checked } from '../lib/form.js';
import { nowIso } from '../lib/time.js';
import { can, sideOf } from '../policy/can.js';
import type { Actor } from './actor.js';
import { sendAccountMail } from './invitations.js';
import { findUserByEmail } from './queries.js';
import type { InviteInput } from './schemas.js';
import { addPerson } from './users.js';

export function listOrganizationChoices(db: Db) {
  return db.selectFrom('organizations').select(['id', 'name']).orderBy('name').limit(500).execute();
}

/**
 * Staff invite a customer by email (seed 003): a new person is added as invited and gets a
 * "Create password" mail. Inviting someone still invited sends a fresh link and kills the older
 * ones; an address that already has an account (or belongs to staff) is refused.
 */
export async function inviteNewCustomer(
  db: Db, actor: Actor, { value, errors }: Checked<InviteInput>,
): Promise<{ id: number; resent: boolean }> {
  if (!can(actor, 'customer.invite')) throw new Forbidden();
  const { email, name, organizationId } = value;
  await checkOrganizationChoice(db, errors, organizationId);
  refuse(errors);

  return db.transaction().execute(async (trx) => {
    await throttleInvitation(trx, actor, email);
    const existing = await findUserByEmail(trx, email);
    if (existing && (existing.state !== 'invited' || sideOf(existing) !== 'customer')) {
      throw new Invalid({ email: 'customers.invite.hasAccount' }, 'customers.invite.hasAccount');
    }
    if (existing) {
      await trx.updateTable('users').set({ name, organization_id: organizationId ?? existing.organization_id, updated_at: nowIso() })
        .where('id', '=', existing.id).execute();
      await revokeTokens(trx, existing.id, ['invite']);
      await sendAccountMail(trx, actor.id, existing.id, 'invited');
      return { id: existing.id, resent: true };
    }
    const person = await addPerson(trx, actor, { email, name, role: 'customer', password: null, organizationId });
    await sendAccountMail(trx, actor.id, person.id, 'invited');
    return { id: person.id, resent: false };
  });
}

/** Invitations are mail to addresses nobody has confirmed: capped per inviter and per address. */
export async function throttleInvitation(db: Db, actor: Actor, email: string): Promise<void> {
  await throttle(db, `invite-by:${actor.id}`, LIMITS.invitesPerInviter, 'customers.invite.tooMany');
  await throttle(db, `invite-to:${email.toLowerCase()}`, LIMITS.invitesPerAddress, 'customers.invite.tooMany');
}
