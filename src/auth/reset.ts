import type { Db } from '../db/connect.js';
import { TooManyRequests } from '../lib/errors.js';
import { hashPassword, randomToken } from '../lib/crypto.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { composeMail } from '../mail/compose.js';
import type { MailContext } from '../mail/context.js';
import { queueMail, type OutgoingMail } from '../mail/outbox.js';
import { toActor, type Actor } from '../users/actor.js';
import { checkNewPassword } from '../users/passwords.js';
import { findUserByEmail } from '../users/queries.js';
import { issueResetToken, personForToken, revokeTokens } from './auth.js';
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
 * Send a reset link to an active person. The caller answers the same whatever happens here, and
 * unknown, invited and disabled addresses go through the same lookup and mail rendering as a real
 * request (only the writes differ), so neither the page nor its timing tells who has an account.
 */
export async function requestPasswordReset(
  db: Db, input: { email?: unknown; ip: string }, mail: MailContext, limits = RESET_LIMIT,
): Promise<void> {
  const check = new Checker();
  const email = check.email('email', input.email);
  check.done();

  const since = isoIn(-limits.windowMs);
  const count = (column: 'email' | 'ip', value: string) => db.selectFrom('login_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, '=', mark(value)).where('created_at', '>', since).executeTakeFirstOrThrow();
  const [byAddress, byIp] = await Promise.all([count('email', email), count('ip', input.ip)]);
  if (byAddress.n >= limits.perAddress || byIp.n >= limits.perIp) {
    throw new TooManyRequests('password.forgot.tooMany', Math.ceil(limits.windowMs / 1000));
  }

  await db.transaction().execute(async (trx) => {
    await trx.insertInto('login_attempts').values({ email: mark(email), ip: mark(input.ip), created_at: nowIso() }).execute();
    const user = await findUserByEmail(trx, email);
    const eligible = user?.state === 'active' ? user : null;
    const token = eligible ? await issueResetToken(trx, eligible.id) : randomToken();
    const message = await resetMail(trx, { name: user?.name ?? email, email, locale: user?.locale ?? 'en' }, token, mail);
    if (eligible) await queueMail(trx, message);
  });
}

function resetMail(db: Db, person: { name: string; email: string; locale: string }, token: string, mail: MailContext): Promise<OutgoingMail> {
  return composeMail(db, mail, {
    to: person, template: 'emails/reset',
    subject: (t, brand) => t('mail.reset.subject', { portal: brand.portal_title }),
    data: { person, link: `${mail.baseUrl}/password/reset?token=${token}` },
  });
}

/**
 * Set a new password from a reset link: the link is spent, every session of the person ends (other
 * browsers are logged out) and any other reset or invitation link of theirs stops working.
 */
export async function resetPassword(db: Db, token: unknown, input: { password?: unknown; confirm?: unknown }): Promise<Actor> {
  await personForToken(db, 'reset', token);
  const check = new Checker();
  const password = checkNewPassword(check, input);
  check.done();
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
    return toActor(user);
  });
}
