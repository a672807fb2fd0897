import type { LoginPolicy } from '../config.js';
import type { Db } from '../db/connect.js';
import { TooManyRequests } from '../lib/errors.js';
import { recordEvent } from '../events/record.js';
import { findUserByEmail } from '../users/queries.js';

/**
 * A password try: which address (as typed, lower case) from which client. Everything here is keyed
 * by the typed address, never by whether an account has it, so no answer tells who has an account.
 */
export interface Who {
  email: string;
  ip: string;
}

/** The wait after a pair's `failures`-th failure: none for the first few, then 2 s, 4 s, 8 s... up to the cap. */
export function pairDelayMs(policy: LoginPolicy, failures: number): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, 1000 * 2 ** Math.min(30, failures - policy.freeFailures + 1));
}

/**
 * Count a try BEFORE its password is checked, or refuse it (429, saying how long to wait). The
 * check and the record are one write transaction, and write transactions run one at a time (SQLite's
 * write lock; on PostgreSQL the writer lock of db/writer-lock.ts, across instances), so a burst of
 * parallel tries is counted one by one.
 * A refused try leaves no record: pressing again while waiting does not lengthen the wait.
 */
export async function beginAttempt(db: Db, policy: LoginPolicy, who: Who): Promise<void> {
  const waitMs = await db.transaction().execute(async (trx) => {
    const now = Date.now();
    // A pause that is due but was never written (the process stopped between counting the try
    // that reached the ceiling and its failure) is written now, with its event and mail.
    await pauseWhenDue(trx, policy, who.email, now);
    const wait = await waitBefore(trx, policy, who, now);
    if (wait > 0) return wait;
    await trx.insertInto('login_attempts').values({ email: who.email, ip: who.ip, created_at: new Date(now).toISOString() }).execute();
    return 0;
  });
  if (waitMs > 0) throw pleaseWait(waitMs);
}

/** A correct password: this address's failures for the account are forgotten (other addresses' are not). */
export async function attemptSucceeded(db: Db, who: Who): Promise<void> {
  await db.deleteFrom('login_attempts').where('email', '=', who.email).where('ip', '=', who.ip).execute();
}

/**
 * A wrong password: the try stays counted. The failure that reaches the account's ceiling pauses
 * sign-in for the address, and an active account's holder is told by mail, once per pause.
 */
export async function attemptFailed(db: Db, policy: LoginPolicy, who: Who): Promise<void> {
  await db.transaction().execute((trx) => pauseWhenDue(trx, policy, who.email, Date.now()));
}

/**
 * Pause sign-in for the address once its failures reach the account's ceiling, unless a pause holds:
 * one pause and one mail to its holder, however many failures arrive at once.
 */
async function pauseWhenDue(trx: Db, policy: LoginPolicy, email: string, now: number): Promise<void> {
  const failures = await tally(trx, 'email', email, new Date(now - policy.windowMs).toISOString());
  if (failures.n < policy.perAccount) return;
  const current = await findLoginLock(trx, email);
  if (current) return;
  const lockedUntil = new Date(now + policy.lockMs).toISOString();
  await trx.insertInto('login_locks').values({ email, locked_until: lockedUntil, created_at: new Date(now).toISOString() })
    .onConflict((oc) => oc.column('email').doUpdateSet({ locked_until: lockedUntil, created_at: new Date(now).toISOString() }))
    .execute();
  const holder = await findUserByEmail(trx, email);
  if (holder?.state !== 'active') return;
  // The notifications consumer composes the mail (src/notify/account.ts).
  await recordEvent(trx, {
    kind: 'account.paused', ticketId: null, actorId: null,
    payload: { userId: holder.id, minutes: Math.ceil(policy.lockMs / 60_000), failures: failures.n },
  });
}

/** The pause on an address, while it lasts. */
export function findLoginLock(db: Db, email: string) {
  return db.selectFrom('login_locks').select(['email', 'locked_until'])
    .where('email', '=', email.toLowerCase()).where('locked_until', '>', new Date().toISOString()).executeTakeFirst();
}

/** Sign-in works again at once (an admin lifted the pause, or the holder chose a new password). */
export async function liftLoginLock(db: Db, email: string): Promise<boolean> {
  const address = email.toLowerCase();
  const lock = await findLoginLock(db, address);
  await db.deleteFrom('login_locks').where('email', '=', address).execute();
  await db.deleteFrom('login_attempts').where('email', '=', address).execute();
  return lock !== undefined;
}

/** How long this try must wait: the longest of the pause, the account's and the address's ceilings and the pair's delay. */
async function waitBefore(db: Db, policy: LoginPolicy, who: Who, now: number): Promise<number> {
  const lock = await findLoginLock(db, who.email);
  if (lock) return Date.parse(lock.locked_until) - now;
  const since = new Date(now - policy.windowMs).toISOString();
  const [account, address, pair] = await Promise.all([
    tally(db, 'email', who.email, since),
    tally(db, 'ip', who.ip, since),
    db.selectFrom('login_attempts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('latest')])
      .where('email', '=', who.email).where('ip', '=', who.ip)
      .where('created_at', '>', new Date(now - policy.pairWindowMs).toISOString()).executeTakeFirstOrThrow(),
  ]);
  const untilOldestLeaves = (oldest: string | null) => (oldest ? Date.parse(oldest) + policy.windowMs - now : 0);
  return Math.max(
    account.n >= policy.perAccount ? untilOldestLeaves(account.oldest) : 0,
    address.n >= policy.perIp ? untilOldestLeaves(address.oldest) : 0,
    pair.latest ? Date.parse(pair.latest) + pairDelayMs(policy, Number(pair.n)) - now : 0,
  );
}

async function tally(db: Db, column: 'email' | 'ip', value: string, since: string) {
  const row = await db.selectFrom('login_attempts')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where(column, '=', value).where('created_at', '>', since).executeTakeFirstOrThrow();
  return { n: Number(row.n), oldest: row.oldest };
}

/** 429 with Retry-After, and a message that says when to try again (seconds while short, else minutes). */
function pleaseWait(waitMs: number): TooManyRequests {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const error = new TooManyRequests(seconds < 90 ? 'login.wait.seconds' : 'login.wait.minutes', seconds);
  error.params = { seconds: String(seconds), minutes: String(Math.ceil(seconds / 60)) };
  return error;
}
