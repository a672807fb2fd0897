import type { Db } from '../db/connect.js';
import { TooManyRequests } from '../lib/errors.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';

export interface Limit {
  max: number;
  windowMs: number;
}

/**
 * How often people may do the things that send mail or create work for others. They only stop
 * floods and scripts: a person at a keyboard never meets them. The portal's allowance is also an
 * admin setting (a desk whose customers file in bulk, or a load test, raises it).
 */
export const LIMITS = {
  /** Invitations one staff member or customer sends (to new addresses). */
  invitesPerInviter: { max: 30, windowMs: HOUR },
  /** Invitation mails to one address, however many people invite it. */
  invitesPerAddress: { max: 3, windowMs: HOUR },
  /** Tickets one customer submits in the portal (the admin setting portal.tickets_per_hour, when set). */
  portalTickets: { max: 20, windowMs: HOUR },
} satisfies Record<string, Limit>;

/**
 * Count one action under `key`, or refuse it with 429 when `limit` is reached. Actions are counted
 * in login_attempts (under a prefixed key in both columns), which shares its indexes and its daily
 * clean-up, and whose counts of failed logins never see these keys.
 */
export async function throttle(db: Db, key: string, limit: Limit, message = 'errors.tooMany'): Promise<void> {
  const mark = `limit:${key}`;
  const since = isoIn(-limit.windowMs);
  // Counted and recorded in one statement: one round trip, where a writer holds the write lock. A
  // refused action is not recorded, so a key's window never holds more rows than the largest
  // allowance it had: the count needs no cut of its own (nor a sort), and the statement, the same
  // text whatever the key, is prepared once (db/pg-statements.ts `isNameable`).
  const counted = await db.insertInto('login_attempts').columns(['email', 'ip', 'created_at'])
    .expression(db.selectNoFrom((eb) => [eb.val(mark).as('email'), eb.val(mark).as('ip'), eb.val(nowIso()).as('created_at')])
      .where((eb) => eb(eb.selectFrom('login_attempts').select(eb.fn.countAll<number>().as('n'))
        .where('email', '=', mark).where('created_at', '>', since), '<', limit.max)))
    .returning('id').executeTakeFirst();
  if (counted) return;
  const { oldest } = await db.selectFrom('login_attempts').select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('email', '=', mark).where('created_at', '>', since).executeTakeFirstOrThrow();
  throw new TooManyRequests(message, retryAfter(oldest ?? nowIso(), limit));
}

/** Seconds until the oldest counted action leaves the window, at least one. */
export function retryAfter(oldest: string, limit: Limit): number {
  return Math.max(1, Math.ceil((Date.parse(oldest) + limit.windowMs - Date.now()) / 1000));
}
