import { endAllSessions, startSession } from '../auth/sessions.js';
import { revokeTokens } from '../auth/auth.js';
import type { Db } from '../db/connect.js';
import type { Config } from '../config.js';
import { Invalid, TooManyRequests } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/crypto.js';
import { isoIn, nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import type { Actor } from './actor.js';

/** A new password and its repetition: the rules every password form shares. */
export function checkNewPassword(check: Checker, input: { password?: unknown; confirm?: unknown }): string {
  const password = check.password('password', input.password);
  if (!check.errors.password && input.confirm !== input.password) check.add('confirm', 'errors.passwordMismatch');
  return password;
}

export interface SessionMeta {
  ttlMs: number;
  ip: string;
  userAgent?: string;
  /** Wrong current passwords count as failed logins, so a borrowed session cannot guess the password. */
  limits: Config['loginLimit'];
}

/**
 * Change one's own password. Every session of the person ends (a thief's too) and the browser that
 * made the change gets a fresh one, whose token is returned; open reset links die as well.
 */
export async function changePassword(
  db: Db, actor: Actor, input: { current?: unknown; password?: unknown; confirm?: unknown }, session: SessionMeta,
): Promise<string> {
  const check = new Checker();
  const current = typeof input.current === 'string' ? input.current : '';
  if (!current) check.add('current', 'errors.required');
  const password = checkNewPassword(check, input);
  check.done();

  const failures = await db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', actor.email.toLowerCase()).where('created_at', '>', isoIn(-session.limits.windowMs)).executeTakeFirstOrThrow();
  if (failures.n >= session.limits.perAccount) throw new TooManyRequests('login.tooMany', Math.ceil(session.limits.windowMs / 1000));
  const user = await db.selectFrom('users').select('password_hash')
    .where('id', '=', actor.id).where('state', '=', 'active').executeTakeFirst();
  if (!(await verifyPassword(current, user?.password_hash ?? null))) {
    await db.insertInto('login_attempts').values({ email: actor.email.toLowerCase(), ip: session.ip, created_at: nowIso() }).execute();
    throw new Invalid({ current: 'account.password.wrongCurrent' });
  }
  const passwordHash = await hashPassword(password);

  return db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: nowIso() }).where('id', '=', actor.id).execute();
    await endAllSessions(trx, actor.id);
    await revokeTokens(trx, actor.id, ['reset']);
    return startSession(trx, actor.id, session.ttlMs, { ip: session.ip, userAgent: session.userAgent });
  });
}
