import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { isoIn } from '../lib/time.js';
import { closeOffer } from './offers.js';

export const OFFER_EXPIRY_JOB = 'offers.expire';
const EVERY_MS = 10 * 60_000;
const BATCH = 500;

/**
 * Open offers past their time become expired (by Deskbell: one history event each), each in its
 * own transaction so an offer answered meanwhile is left as it was answered. Returns how many expired.
 */
export async function runOfferExpiry(db: Db, now = Date.now()): Promise<number> {
  const at = new Date(now).toISOString();
  let expired = 0;
  for (;;) {
    const due = await db.selectFrom('ticket_members').select(['ticket_id', 'user_id'])
      .where('offer_state', '=', 'pending').where('offer_expires_at', '<=', at)
      .orderBy('offer_expires_at').limit(BATCH).execute();
    for (const offer of due) {
      await db.transaction().execute(async (trx) => {
        const still = await trx.selectFrom('ticket_members').select('user_id').where('ticket_id', '=', offer.ticket_id)
          .where('user_id', '=', offer.user_id).where('offer_state', '=', 'pending').where('offer_expires_at', '<=', at).executeTakeFirst();
        if (!still) return;
        await closeOffer(trx, offer.ticket_id, offer.user_id, 'expired', null, at);
        expired++;
      });
    }
    if (due.length < BATCH) return expired;
  }
}

/** The job runs, then books its next run ten minutes on; at start-up one is booked if none is waiting. */
export async function runOfferExpiryJob(db: Db): Promise<void> {
  await runOfferExpiry(db);
  await enqueueJob(db, OFFER_EXPIRY_JOB, {}, { runAt: isoIn(EVERY_MS), maxAttempts: 3 });
}

export async function scheduleOfferExpiry(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id')
    .where('kind', '=', OFFER_EXPIRY_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, OFFER_EXPIRY_JOB, {}, { maxAttempts: 3 });
}
