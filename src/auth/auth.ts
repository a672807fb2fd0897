import type { LoginPolicy } from '../config.js';
import type { Db } from '../db/connect.js';
import { Conflict, Invalid } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/crypto.js';
import { DAY, HOUR, nowIso } from '../lib/time.js';
import { refuse, type Checked } from '../lib/form.js';
import { toActor, type Actor } from '../users/actor.js';
import type { NewPasswordInput } from '../users/schemas.js';
import { findUserByEmail, hasActiveAdmin } from '../users/queries.js';
import { attemptFailed, attemptSucceeded, beginAttempt } from './attempts.js';
import type { LoginInput, SetupInput } from './schemas.js';
import { endAllSessions } from './sessions.js';
import { consumeToken, findUsableToken, issueToken } from './tokens.js';

export const INVITE_TTL = 7 * DAY;
export const RESET_TTL = HOUR;
export const SETUP_TTL = 7 * DAY;

/**
 * Check an email and password. Each try is counted before the password is even looked at (see
 * attempts.ts), so a paused or waiting guesser learns nothing more, however many tries run at once.
 */
export async function logIn(
  db: Db, policy: LoginPolicy, { email, password }: LoginInput, ip: string,
): Promise<Actor> {
  const who = { email, ip };
  await beginAttempt(db, policy, who);
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.password_hash ?? null);
  if (!user || !ok || user.state !== 'active') {
    await attemptFailed(db, policy, who);
    throw new Invalid({}, 'login.failed');
  }
  await attemptSucceeded(db, who);
  return toActor(user);
}

/** On a database without an active admin, a fresh one-time setup link token; null otherwise. */
export async function issueSetupToken(db: Db): Promise<string | null> {
  if (await hasActiveAdmin(db)) return null;
  return issueToken(db, 'setup', null, SETUP_TTL);
}

/** The setup link is for a desk without an admin: once one exists (however made), it is refused. */
export class SetupDone extends Conflict {
  constructor() { super('setup.alreadyDone'); }
}

export async function checkSetupToken(db: Db, token: string): Promise<void> {
  if (await hasActiveAdmin(db)) throw new SetupDone();
  await findUsableToken(db, 'setup', token);
}

/** The first admin, created through the setup link, which then stops working. The link is judged before the form. */
export async function createFirstAdmin(db: Db, token: string, { value, errors }: Checked<SetupInput>): Promise<number> {
  await checkSetupToken(db, token);
  refuse(errors);
  const { email, name, password } = value;
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    if (await hasActiveAdmin(trx)) throw new SetupDone();
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
export async function personForToken(db: Db, kind: 'invite' | 'reset', token: string) {
  const row = await findUsableToken(db, kind, token);
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'state'])
    .where('id', '=', row.user_id ?? -1).executeTakeFirst();
  if (!user || user.state === 'disabled') throw new Invalid({}, 'errors.linkInvalid');
  return user;
}

/** Set a password from an invitation or reset link; every other session of the person ends. */
export async function setPasswordWithToken(
  db: Db, kind: 'invite' | 'reset', token: string, { password }: NewPasswordInput,
): Promise<Actor> {
  await personForToken(db, kind, token);
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
