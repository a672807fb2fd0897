import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { DAY, isoIn } from '../lib/time.js';

export const WEBHOOK_CLEANUP_JOB = 'webhook.cleanup';
/** How long the delivery log keeps a settled delivery. */
export const KEEP_DAYS = 30;

/**
 * Settled deliveries (delivered, failed, not sent) older than KEEP_DAYS leave the log, a few
 * thousand at a time, so the table does not grow for ever. Deliveries still waiting stay. Returns
 * how many went.
 */
export async function runWebhookCleanup(db: Db, now = Date.now()): Promise<number> {
  const cutoff = isoIn(-KEEP_DAYS * DAY, now);
  let removed = 0;
  for (;;) {
    const old = db.selectFrom('webhook_deliveries').select('id').where('created_at', '<', cutoff)
      .where('state', 'in', ['delivered', 'failed', 'skipped']).orderBy('id').limit(2000);
    const result = await db.deleteFrom('webhook_deliveries').where('id', 'in', old).executeTakeFirst();
    const n = Number(result.numDeletedRows);
    removed += n;
    if (n < 2000) return removed;
  }
}

export async function runWebhookCleanupJob(db: Db): Promise<void> {
  await runWebhookCleanup(db);
  await enqueueJob(db, WEBHOOK_CLEANUP_JOB, {}, { runAt: isoIn(DAY), maxAttempts: 3 });
}

export async function scheduleWebhookCleanup(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id').where('kind', '=', WEBHOOK_CLEANUP_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, WEBHOOK_CLEANUP_JOB, {}, { maxAttempts: 3 });
}
