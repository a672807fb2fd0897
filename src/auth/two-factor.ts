import { randomBytes } from 'node:crypto';
import { recordAudit } from '../admin/audit.js';
import type { Db } from '../db/connect.js';
import { recordEvent } from '../events/record.js';
import { Conflict, Invalid, NotFound, TooManyRequests } from '../lib/errors.js';
import { hmac, randomToken, safeEqual, sha256 } from '../lib/crypto.js';
import { DAY, isoIn, nowIso } from '../lib/time.js';
import { sideOf } from '../policy/can.js';
import { getSetting } from '../settings/settings.js';
import type { Actor } from '../users/actor.js';
import type { ChallengePurpose } from './schema.js';
import { retryAfter } from './throttle.js';
import { base32Encode, matchingStep, newSecret } from './totp.js';

/**
 * Two-factor sign-in with an authenticator app (TOTP, totp.ts): set up from the account page,
 * asked for after the password, ten single-use recovery codes, browsers remembered for 30 days.
 * See docs/security.md.
 */
const MINUTE = 60_000;
/** How long the second step may wait after the password was right. */
export const CHALLENGE_TTL = 10 * MINUTE;
/** How long "remember this browser" lasts. */
export const DEVICE_TTL = 30 * DAY;
/** Wrong codes per account: five in a quarter of an hour, then it waits (the password is already right, so few are needed). */
export const CODE_LIMIT = { max: 5, windowMs: 15 * MINUTE };
export const RECOVERY_CODE_COUNT = 10;
/** The admin setting that asks every staff member for a second step. */
export const REQUIRE_SETTING = 'security.require_2fa';

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** A set-up begun and not yet confirmed with a code: its secret, to show again. */
  pendingSecret: string | null;
  recoveryLeft: number;
}

export async function twoFactorStatus(db: Db, userId: number): Promise<TwoFactorStatus> {
  const row = await db.selectFrom('two_factor').select(['secret', 'enabled_at']).where('user_id', '=', userId).executeTakeFirst();
  const left = await db.selectFrom('two_factor_recovery').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
  return {
    enabled: Boolean(row?.enabled_at),
    enabledAt: row?.enabled_at ?? null,
    pendingSecret: row && !row.enabled_at ? row.secret : null,
    recoveryLeft: row?.enabled_at ? Number(left.n) : 0,
  };
}

export async function hasTwoFactor(db: Db, userId: number): Promise<boolean> {
  const row = await db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
  return Boolean(row?.enabled_at);
}

/** Whether admins require a second step of this person (staff, while the setting is on). */
export async function twoFactorRequired(db: Db, actor: Actor): Promise<boolean> {
  return sideOf(actor) === 'staff' && (await getSetting(db, REQUIRE_SETTING)) === '1';
}

/** Begin (or begin again) setting up: a fresh secret waits for its first code. Refused while one is on. */
export async function beginEnrolment(db: Db, userId: number): Promise<string> {
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
    if (current?.enabled_at) throw new Conflict('twoFactor.alreadyOn');
    await trx.deleteFrom('two_factor').where('user_id', '=', userId).execute();
    await trx.insertInto('two_factor').values({ user_id: userId, secret, enabled_at: null, last_step: 0, created_at: nowIso() }).execute();
    return secret;
  });
}

/** The pending secret of a set-up, beginning one when there is none (the required set-up at sign-in). */
export async function pendingSecretFor(db: Db, userId: number): Promise<string> {
  const status = await twoFactorStatus(db, userId);
  if (status.enabled) throw new Conflict('twoFactor.alreadyOn');
  return status.pendingSecret ?? beginEnrolment(db, userId);
}

/**
 * The first code from the app switches two-factor on; the ten recovery codes are returned to be
 * shown once (only their hashes are kept). Wrong codes count against the account's limit.
 */
export async function confirmEnrolment(db: Db, userId: number, code: string): Promise<string[]> {
  const row = await db.selectFrom('two_factor').select(['secret', 'enabled_at']).where('user_id', '=', userId).executeTakeFirst();
  if (!row) throw new NotFound('twoFactor.noSetup');
  if (row.enabled_at) throw new Conflict('twoFactor.alreadyOn');
  await beginCodeAttempt(db, userId);
  const step = matchingStep(row.secret, normaliseCode(code));
  if (step === null) throw new Invalid({ code: 'twoFactor.wrongCode' }, 'twoFactor.wrongCode');
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    const done = await trx.updateTable('two_factor').set({ enabled_at: nowIso(), last_step: step })
      .where('user_id', '=', userId).where('secret', '=', row.secret).where('enabled_at', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new Conflict('twoFactor.alreadyOn');
    await storeRecoveryCodes(trx, userId, codes);
    await codeAttemptSucceeded(trx, userId);
  });
  return codes;
}

/**
 * The second step: a code from the app (six digits, each accepted once: a step at or before the
 * last one taken is refused) or one of the recovery codes (used up). Wrong tries are limited per
 * account (CODE_LIMIT), counted before the code is looked at.
 */
export async function checkSecondFactor(db: Db, userId: number, typed: string): Promise<'app' | 'recovery'> {
  const row = await db.selectFrom('two_factor').select(['secret', 'enabled_at']).where('user_id', '=', userId).executeTakeFirst();
  if (!row?.enabled_at) throw new NotFound('twoFactor.notOn');
  await beginCodeAttempt(db, userId);
  const code = normaliseCode(typed);
  const used = await db.transaction().execute(async (trx) => {
    if (/^\d{6}$/.test(code)) {
      const step = matchingStep(row.secret, code);
      if (step === null) return null;
      const taken = await trx.updateTable('two_factor').set({ last_step: step })
        .where('user_id', '=', userId).where('last_step', '<', step).executeTakeFirst();
      return Number(taken.numUpdatedRows) === 1 ? 'app' as const : null;
    }
    const spent = await trx.updateTable('two_factor_recovery').set({ used_at: nowIso() })
      .where('user_id', '=', userId).where('code_hash', '=', sha256(code)).where('used_at', 'is', null).executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1 ? 'recovery' as const : null;
  });
  if (!used) throw new Invalid({ code: 'twoFactor.wrongCode' }, 'twoFactor.wrongCode');
  await codeAttemptSucceeded(db, userId);
  return used;
}

/** Switch two-factor off for oneself (a code or recovery code proves the app is at hand). Refused while admins require it. */
export async function turnOffTwoFactor(db: Db, actor: Actor, code: string): Promise<void> {
  if (await twoFactorRequired(db, actor)) throw new Conflict('twoFactor.required');
  await checkSecondFactor(db, actor.id, code);
  await db.transaction().execute((trx) => removeTwoFactor(trx, actor.id));
}

/** New recovery codes (the old ones stop working), after a code from the app or a recovery code. */
export async function renewRecoveryCodes(db: Db, actor: Actor, code: string): Promise<string[]> {
  await checkSecondFactor(db, actor.id, code);
  const codes = newRecoveryCodes();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('two_factor_recovery').where('user_id', '=', actor.id).execute();
    await storeRecoveryCodes(trx, actor.id, codes);
  });
  return codes;
}

/**
 * An admin (or `deskbell user reset-2fa`, actor null) takes a person's two-factor away: the secret,
 * recovery codes and remembered browsers go, the person is told by mail, and the audit log keeps it.
 * They sign in with the password alone (or set up again, where admins require it).
 */
export async function resetTwoFactor(db: Db, actor: Actor | null, userId: number): Promise<'reset' | 'notOn'> {
  return db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('users').select(['id', 'state']).where('id', '=', userId).executeTakeFirst();
    if (!person) throw new NotFound();
    const row = await trx.selectFrom('two_factor').select('enabled_at').where('user_id', '=', userId).executeTakeFirst();
    await removeTwoFactor(trx, userId);
    // Passkeys are second factors too (migration 0043): a lost phone holds both.
    const passkeys = Number((await trx.deleteFrom('passkeys').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
    if (!row?.enabled_at && passkeys === 0) return 'notOn';
    await recordAudit(trx, actor, { action: 'user.twoFactorReset', subjectType: 'user', subjectId: userId, details: { by: actor ? 'admin' : 'command', passkeys } });
    await recordEvent(trx, { kind: 'account.twoFactorReset', ticketId: null, actorId: actor?.id ?? null, payload: { userId } });
    return 'reset';
  });
}

async function removeTwoFactor(trx: Db, userId: number): Promise<void> {
  await trx.deleteFrom('two_factor').where('user_id', '=', userId).execute();
  await trx.deleteFrom('two_factor_recovery').where('user_id', '=', userId).execute();
  await forgetDevices(trx, userId);
  await trx.deleteFrom('two_factor_challenges').where('user_id', '=', userId).execute();
}

// Recovery codes: 60 random bits each, written xxxx-xxxx-xxxx; typed with or without dashes, any case.

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => base32Encode(randomBytes(8)).slice(0, 12).toLowerCase().replace(/(.{4})(?=.)/g, '$1-'));
}

async function storeRecoveryCodes(trx: Db, userId: number, codes: string[]): Promise<void> {
  const now = nowIso();
  await trx.insertInto('two_factor_recovery')
    .values(codes.map((code) => ({ user_id: userId, code_hash: sha256(normaliseCode(code)), used_at: null, created_at: now }))).execute();
}

/** A typed code without spaces or dashes, lower case (digits stay digits). */
export function normaliseCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '').slice(0, 64);
}

// Wrong codes, counted like wrong passwords (attempts.ts): the try is recorded before the code is
// looked at, in one write transaction, so parallel guesses are counted one by one; a right code
// forgets them. They live in login_attempts under a `2fa:` key (its indexes and hourly clean-up).

const attemptKey = (userId: number) => `2fa:${userId}`;

async function beginCodeAttempt(db: Db, userId: number): Promise<void> {
  const key = attemptKey(userId);
  const wait = await db.transaction().execute(async (trx) => {
    const { n, oldest } = await trx.selectFrom('login_attempts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('email', '=', key).where('created_at', '>', isoIn(-CODE_LIMIT.windowMs)).executeTakeFirstOrThrow();
    if (Number(n) >= CODE_LIMIT.max) return retryAfter(oldest!, CODE_LIMIT);
    await trx.insertInto('login_attempts').values({ email: key, ip: key, created_at: nowIso() }).execute();
    return 0;
  });
  if (wait > 0) {
    const error = new TooManyRequests('twoFactor.wait', wait);
    error.params = { minutes: String(Math.ceil(wait / 60)) };
    throw error;
  }
}

async function codeAttemptSucceeded(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', attemptKey(userId)).execute();
}

// The second step of a sign-in: a cookie with a random token whose hash names the row.

export const CHALLENGE_COOKIE = 'deskbell_2fa';

export async function startChallenge(db: Db, userId: number, purpose: ChallengePurpose, next: string | null): Promise<string> {
  const token = randomToken();
  await db.deleteFrom('two_factor_challenges').where('expires_at', '<=', nowIso()).execute();
  await db.insertInto('two_factor_challenges').values({
    id: sha256(token), user_id: userId, purpose, next, expires_at: isoIn(CHALLENGE_TTL), created_at: nowIso(),
  }).execute();
  return token;
}

/** The waiting second step behind a cookie, with its (active) person; null when unknown or expired. */
export async function findChallenge(db: Db, token: string | undefined) {
  if (token === undefined || token.length < 20 || token.length > 100) return null;
  const row = await db.selectFrom('two_factor_challenges')
    .innerJoin('users', 'users.id', 'two_factor_challenges.user_id')
    .select(['two_factor_challenges.id', 'two_factor_challenges.user_id', 'two_factor_challenges.purpose', 'two_factor_challenges.next', 'users.email'])
    .where('two_factor_challenges.id', '=', sha256(token)).where('two_factor_challenges.expires_at', '>', nowIso())
    .where('users.state', '=', 'active').executeTakeFirst();
  return row ?? null;
}

/** The second step is done (or abandoned): its row goes, so the cookie cannot be used twice. */
export async function endChallenge(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('two_factor_challenges').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

// Remembered browsers: the cookie holds a random token and its HMAC under the desk's secret key (a
// forged or altered cookie is refused before any lookup); the row, by the token's hash, makes it
// revocable: a reset, "sign out everywhere" and a new password forget every browser of the person.

export const DEVICE_COOKIE = 'deskbell_device';

export async function rememberDevice(db: Db, secretKey: string, userId: number): Promise<string> {
  const token = randomToken();
  await db.insertInto('two_factor_devices').values({ id: sha256(token), user_id: userId, expires_at: isoIn(DEVICE_TTL), created_at: nowIso() }).execute();
  return `${token}.${hmac(secretKey, `device:${token}`)}`;
}

export async function isRememberedDevice(db: Db, secretKey: string, userId: number, cookie: string | undefined): Promise<boolean> {
  if (cookie === undefined || cookie.length > 200) return false;
  const [token, signature] = cookie.split('.');
  if (!token || !signature || !safeEqual(signature, hmac(secretKey, `device:${token}`))) return false;
  const row = await db.selectFrom('two_factor_devices').select('id')
    .where('id', '=', sha256(token)).where('user_id', '=', userId).where('expires_at', '>', nowIso()).executeTakeFirst();
  return row !== undefined;
}

export async function forgetDevices(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('two_factor_devices').where('user_id', '=', userId).execute();
}

/** Expired second steps and remembered browsers (the hourly auth clean-up). */
export async function cleanUpTwoFactor(db: Db): Promise<void> {
  await db.deleteFrom('two_factor_challenges').where('expires_at', '<=', nowIso()).execute();
  await db.deleteFrom('two_factor_devices').where('expires_at', '<=', nowIso()).execute();
}
