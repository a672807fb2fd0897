import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { Invalid, TooManyRequests } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/crypto.js';
import { DAY, HOUR, isoIn, nowIso } from '../lib/time.js';
import { Checker } from '../lib/validate.js';
import { toActor, type Actor } from '../users/actor.js';
import { findUserByEmail, hasActiveAdmin } from '../users/queries.js';
import { endAllSessions } from './sessions.js';
import { consumeToken, findUsableToken, issueToken } from './tokens.js';

export const INVITE_TTL = 7 * DAY;
export const RESET_TTL = HOUR;
export const SETUP_TTL = 7 * DAY;

/**
 * Check an email and password. Failures are recorded and limited per account and per address,
 * before the password is even looked at, so a locked-out attacker learns nothing more.
 */
export async function logIn(
  db: Db, limits: Config['loginLimit'], input: { email: unknown; password: unknown; ip: string },
): Promise<Actor> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase().slice(0, 254) : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const missing = new Checker();
  if (!email) missing.add('email', 'errors.required');
  if (!password) missing.add('password', 'errors.required');
  missing.done();

  const since = isoIn(-limits.windowMs);
  const [byAccount, byIp] = await Promise.all([
    db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email', '=', email).where('created_at', '>', since).executeTakeFirstOrThrow(),
    db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ip', '=', input.ip).where('created_at', '>', since).executeTakeFirstOrThrow(),
  ]);
  if (byAccount.n >= limits.perAccount || byIp.n >= limits.perIp) {
    throw new TooManyRequests('login.tooMany', Math.ceil(limits.windowMs / 1000));
  }

  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.password_hash ?? null);
  if (!user || !ok || user.state !== 'active') {
    await db.insertInto('login_attempts').values({ email, ip: input.ip, created_at: nowIso() }).execute();
    throw new Invalid({}, 'login.failed');
  }
  await db.deleteFrom('login_attempts').where('email', '=', email).execute();
  return toActor(user);
}

/** On a database without an active admin, a fresh one-time setup link token; null otherwise. */
export async function issueSetupToken(db: Db): Promise<string | null> {
  if (await hasActiveAdmin(db)) return null;
  return issueToken(db, 'setup', null, SETUP_TTL);
}

export async function checkSetupToken(db: Db, token: unknown): Promise<void> {
  await findUsableToken(db, 'setup', token);
}

/** The first admin, created through the setup link, which then stops working. */
export async function createFirstAdmin(
  db: Db, token: unknown, input: { email?: unknown; name?: unknown; password?: unknown },
): Promise<number> {
  await findUsableToken(db, 'setup', token);
  const check = new Checker();
  const email = check.email('email', input.email);
  const name = check.text('name', input.name, { max: 120 });
  const password = check.password('password', input.password);
  check.done();
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const row = await findUsableToken(trx, 'setup', token);
    await consumeToken(trx, row.id);
    const now = nowIso();
    if (await findUserByEmail(trx, email)) throw new Invalid({ email: 'errors.emailTaken' });
    const user = await trx.insertInto('users').values({
      email, name, role: 'admin', state: 'active', password_hash: passwordHash,
      organization_id: null, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    // Any other setup link printed earlier dies with this one.
    await trx.updateTable('user_tokens').set({ used_at: now })
      .where('kind', '=', 'setup').where('used_at', 'is', null).execute();
    return user.id;
  });
}

export function issueInvitation(db: Db, userId: number): Promise<string> {
  return issueToken(db, 'invite', userId, INVITE_TTL);
}

/** The person behind an invitation or reset link, for the "Create password" page. */
export async function personForToken(db: Db, kind: 'invite' | 'reset', token: unknown) {
  const row = await findUsableToken(db, kind, token);
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'state'])
    .where('id', '=', row.user_id ?? -1).executeTakeFirst();
  if (!user || user.state === 'disabled') throw new Invalid({}, 'errors.linkInvalid');
  return user;
}

/** Set a password from an invitation or reset link; every other session of the person ends. */
export async function setPasswordWithToken(
  db: Db, kind: 'invite' | 'reset', token: unknown, input: { password: unknown; confirm: unknown },
): Promise<Actor> {
  await personForToken(db, kind, token);
  const check = new Checker();
  const password = check.password('password', input.password);
  if (!check.errors.password && input.confirm !== input.password) check.add('confirm', 'errors.passwordMismatch');
  check.done();
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const row = await findUsableToken(trx, kind, token);
    await consumeToken(trx, row.id);
    const user = await trx.updateTable('users')
      .set({ password_hash: passwordHash, state: 'active', updated_at: nowIso() })
      .where('id', '=', row.user_id ?? -1).where('state', '!=', 'disabled')
      .returningAll().executeTakeFirstOrThrow();
    await endAllSessions(trx, user.id);
    return toActor(user);
  });
}

/** Every unused link of these kinds for a person stops working (a newer one replaces them, or the password changed). */
export async function revokeTokens(db: Db, userId: number, kinds: ('invite' | 'reset')[]): Promise<void> {
  await db.updateTable('user_tokens').set({ used_at: nowIso() })
    .where('user_id', '=', userId).where('kind', 'in', kinds).where('used_at', 'is', null).execute();
}

export function issueResetToken(db: Db, userId: number): Promise<string> {
  return issueToken(db, 'reset', userId, RESET_TTL);
}
