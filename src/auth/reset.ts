import type { Db } from '../db/connect.js';
import { TooManyRequests } from '../lib/errors.js';
import { hashPassword } from '../lib/crypto.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';
import { toActor, type Actor } from '../users/actor.js';
import type { NewPasswordInput } from '../users/schemas.js';
import { sendAccountMail } from '../users/invitations.js';
import { findUserByEmail } from '../users/queries.js';
import { liftLoginLock } from './attempts.js';
import { personForToken, revokeTokens } from './auth.js';
import type { ForgotInput } from './schemas.js';
import { endAllSessions } from './sessions.js';
import { consumeToken, findUsableToken } from './tokens.js';

/** "Forgot password" requests per hour: per typed address (nobody's mailbox gets flooded) and per client IP. */
export const RESET_LIMIT = { perAddress: 5, perIp: 10, windowMs: HOUR };

/**
 * Requests are counted in login_attempts, under a `reset:` prefix in both columns: the same indexes
 * and hourly clean-up as failed logins, without ever adding to (or being cleared by) their counts.
 */
const mark = (value: string) => `reset:${value}`;

/**
 * Send a reset link to an active person (the notifications consumer issues it and composes the
 * mail). The caller answers the same whatever happens here, and unknown, invited and disabled
 * addresses go through the same count, record and lookup as a real request (only the one event
 * differs), so neither the page nor its timing tells who has an account.
 */
export async function requestPasswordReset(
  db: Db, { email }: ForgotInput, ip: string, limits = RESET_LIMIT,
): Promise<void> {

  // Counted and recorded in one write transaction (one at a time), so parallel requests cannot all
  // pass the count before any of them is recorded.
  await db.transaction().execute(async (trx) => {
    const since = isoIn(-limits.windowMs);
    const count = (column: 'email' | 'ip', value: string) => trx.selectFrom('login_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', mark(value)).where('created_at', '>', since).executeTakeFirstOrThrow();
    const [byAddress, byIp] = await Promise.all([count('email', email), count('ip', ip)]);
    if (byAddress.n >= limits.perAddress || byIp.n >= limits.perIp) {
      throw new TooManyRequests('password.forgot.tooMany', Math.ceil(limits.windowMs / 1000));
    }
    await trx.insertInto('login_attempts').values({ email: mark(email), ip: mark(ip), created_at: nowIso() }).execute();
    const user = await findUserByEmail(trx, email);
    if (user?.state === 'active') await sendAccountMail(trx, null, user.id, 'reset');
  });
}

/**
 * Set a new password from a reset link: the link is spent, every session of the person ends (other
 * browsers are logged out), any other reset or invitation link of theirs stops working, and a pause
 * on their sign-in (too many wrong passwords) is lifted.
 */
export async function resetPassword(db: Db, token: string, { password }: NewPasswordInput): Promise<Actor> {
  await personForToken(db, 'reset', token);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const row = await findUsableToken(trx, 'reset', token);
    await consumeToken(trx, row.id);
    const user = await trx.updateTable('users')
      .set({ password_hash: passwordHash, updated_at: nowIso() })
      .where('id', '=', row.user_id ?? -1).where('state', '=', 'active')
      .returningAll().executeTakeFirstOrThrow();
    await endAllSessions(trx, user.id);
    await revokeTokens(trx, user.id, ['reset', 'invite']);
    // Whoever could read the mailbox chose a new password: old guesses no longer matter.
    await liftLoginLock(trx, user.email);
    return toActor(user);
  });
}
