import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { DAY, HOUR, isoIn } from '../lib/time.js';
import { deletePendingUploads } from './queries.js';
import { removeStoredFiles, sweepTempFiles } from './store.js';

export const UPLOAD_CLEANUP_JOB = 'attachments.cleanup';

/**
 * Uploads that never reached a message (a form abandoned after its files were sent, a failed
 * request) are removed after `olderThanMs`, rows first: only files whose pending row this run
 * deleted are removed, so an upload bound to a message at the same moment keeps its file.
 */
export async function removeAbandonedUploads(db: Db, uploadsDir: string, olderThanMs = DAY): Promise<{ uploads: number; temp: number }> {
  const keys = await deletePendingUploads(db, { createdBefore: isoIn(-olderThanMs) });
  await removeStoredFiles(uploadsDir, keys);
  const temp = await sweepTempFiles(uploadsDir, olderThanMs);
  return { uploads: keys.length, temp };
}

/** The job runs, then books its next run an hour later; at start-up one is booked if none is waiting. */
export async function runUploadCleanup(db: Db, uploadsDir: string): Promise<void> {
  await removeAbandonedUploads(db, uploadsDir);
  await enqueueJob(db, UPLOAD_CLEANUP_JOB, {}, { runAt: isoIn(HOUR), maxAttempts: 3 });
}

export async function scheduleUploadCleanup(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id')
    .where('kind', '=', UPLOAD_CLEANUP_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, UPLOAD_CLEANUP_JOB, {}, { maxAttempts: 3 });
}
