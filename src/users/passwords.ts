import { attemptFailed, attemptSucceeded, beginAttempt } from '../auth/attempts.js';
import { endAllSessions, startSession } from '../auth/sessions.js';
import { revokeTokens } from '../auth/auth.js';
import type { Db } from '../db/connect.js';
import type { LoginPolicy } from '../config.js';
import { Invalid } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/crypto.js';
import { nowIso } from '../lib/time.js';
import type { Actor } from './actor.js';
import type { ChangePasswordInput } from './schemas.js';

export interface SessionMeta {
  ttlMs: number;
  ip: string;
  userAgent?: string;
  /** Wrong current passwords count as failed logins, so a borrowed session cannot guess the password. */
  limits: LoginPolicy;
}

/**
 * Change one's own password. Every session of the person ends (a thief's too) and the browser that
 * made the change gets a fresh one, whose token is returned; open reset links die as well.
 */
export async function changePassword(
  db: Db, actor: Actor, { current, password }: ChangePasswordInput, session: SessionMeta,
): Promise<string> {

  const who = { email: actor.email.toLowerCase(), ip: session.ip };
  await beginAttempt(db, session.limits, who);
  const user = await db.selectFrom('users').select('password_hash')
    .where('id', '=', actor.id).where('state', '=', 'active').executeTakeFirst();
  if (!(await verifyPassword(current, user?.password_hash ?? null))) {
    await attemptFailed(db, session.limits, who);
    throw new Invalid({ current: 'account.password.wrongCurrent' });
  }
  await attemptSucceeded(db, who);
  const passwordHash = await hashPassword(password);

  return db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: nowIso() }).where('id', '=', actor.id).execute();
    await endAllSessions(trx, actor.id);
    await revokeTokens(trx, actor.id, ['reset']);
    return startSession(trx, actor.id, session.ttlMs, { ip: session.ip, userAgent: session.userAgent });
  });
}
