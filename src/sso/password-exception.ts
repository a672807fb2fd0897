import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { getSetting, putSetting } from '../settings/settings.js';

/**
 * The way back in when single sign-on is broken (a provider down, a wrong client secret) and its
 * provider took password sign-in away: `deskbell user allow-password --email E` on the server lets
 * that one person sign in with their password again, whatever the providers say, until
 * `--off`. Kept as a setting per person (`sso.password_exception.<id>`) holding the address it was
 * given for, so a later person with the same id or a changed address does not inherit it. Audited.
 */
const key = (userId: number) => `sso.password_exception.${userId}`;

export async function hasPasswordException(db: Db, person: { id: number; email: string }): Promise<boolean> {
  return (await getSetting(db, key(person.id))) === person.email.toLowerCase();
}

/** From the command line (no actor): 'allowed', or 'already' when it was. */
export async function allowPasswordSignIn(db: Db, person: { id: number; email: string }): Promise<'allowed' | 'already'> {
  return db.transaction().execute(async (trx) => {
    if (await hasPasswordException(trx, person)) return 'already';
    await putSetting(trx, key(person.id), person.email.toLowerCase());
    await recordAudit(trx, null, { action: 'user.passwordAllowed', subjectType: 'user', subjectId: person.id, details: { by: 'command', email: person.email } });
    return 'allowed';
  });
}

/** Withdraw it again (`--off`): the providers decide once more. 'withdrawn', or 'none' when there was none. */
export async function withdrawPasswordException(db: Db, person: { id: number; email: string }): Promise<'withdrawn' | 'none'> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('settings').where('key', '=', key(person.id)).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return 'none';
    await recordAudit(trx, null, { action: 'user.passwordAllowedWithdrawn', subjectType: 'user', subjectId: person.id, details: { by: 'command', email: person.email } });
    return 'withdrawn';
  });
}
