import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { Forbidden, NotFound } from '../lib/errors.js';
import { can } from '../policy/can.js';
import type { Actor } from '../users/actor.js';

/** A person's links to single sign-on providers, as their admin page lists them. */
export interface IdentityRow {
  providerId: number;
  provider: string;
  subject: string;
  linkedAt: string;
  lastUsedAt: string | null;
}

export async function listIdentities(db: Db, userId: number): Promise<IdentityRow[]> {
  const rows = await db.selectFrom('sso_identities').innerJoin('sso_providers', 'sso_providers.id', 'sso_identities.provider_id')
    .select(['sso_identities.provider_id', 'sso_providers.name', 'sso_identities.subject', 'sso_identities.created_at', 'sso_identities.last_used_at'])
    .where('sso_identities.user_id', '=', userId).orderBy('sso_providers.name').orderBy('sso_identities.subject').execute();
  return rows.map((row) => ({ providerId: row.provider_id, provider: row.name, subject: row.subject, linkedAt: row.created_at, lastUsedAt: row.last_used_at }));
}

/**
 * An admin unlinks a person from a provider (a wrong link, a directory account that changed hands):
 * the provider's subject no longer names them, so their next sign-in there links again only by a
 * verified address. Audited. 'notLinked' when there was no link (a second press).
 */
export async function unlinkIdentity(db: Db, actor: Actor, userId: number, providerId: number): Promise<'unlinked' | 'notLinked'> {
  if (!can(actor, 'people.manage')) throw new Forbidden();
  return db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    const provider = await trx.selectFrom('sso_providers').select(['id', 'name']).where('id', '=', providerId).executeTakeFirst();
    if (!person || !provider) throw new NotFound();
    const links = await trx.selectFrom('sso_identities').select('subject').where('user_id', '=', userId).where('provider_id', '=', providerId).execute();
    if (links.length === 0) return 'notLinked';
    await trx.deleteFrom('sso_identities').where('user_id', '=', userId).where('provider_id', '=', providerId).execute();
    await recordAudit(trx, actor, {
      action: 'user.ssoUnlinked', subjectType: 'user', subjectId: userId,
      details: { provider: provider.name, providerId, subjects: links.map((link) => link.subject) },
    });
    return 'unlinked';
  });
}
