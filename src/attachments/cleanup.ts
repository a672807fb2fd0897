import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { DAY, HOUR, isoIn } from '../lib/time.js';
import { deletePendingUploads } from './queries.js';
import { removeStoredFiles, sweepTempFiles, sweepUnreferencedFiles } from './store.js';

export const UPLOAD_CLEANUP_JOB = 'attachments.cleanup';

/**
 * Uploads that never reached a message (a form abandoned after its files were sent, a failed
 * request) are removed after `olderThanMs`, rows first: only files whose pending row this run
 * deleted are removed, so an upload bound to a message at the same moment keeps its file. Files
 * of the same age that no row names at all (a crash between storing a file and inserting its row)
 * go too.
 */
export async function removeAbandonedUploads(db: Db, uploadsDir: string, olderThanMs = DAY): Promise<{ uploads: number; temp: number; unreferenced: number }> {
  const keys = await deletePendingUploads(db, { createdBefore: isoIn(-olderThanMs) });
  await removeStoredFiles(uploadsDir, keys);
  const temp = await sweepTempFiles(uploadsDir, olderThanMs);
  // A macro's files (macro_attachments) and an article's images are referenced too, however old.
  const unreferenced = await sweepUnreferencedFiles(uploadsDir, async (batch) => new Set([
    ...(await db.selectFrom('attachments').select('storage_key').where('storage_key', 'in', batch).execute()).map((r) => r.storage_key),
    ...(await db.selectFrom('macro_attachments').select('storage_key').where('storage_key', 'in', batch).execute()).map((r) => r.storage_key),
    ...(await db.selectFrom('help_article_images').select('storage_key').where('storage_key', 'in', batch).execute()).map((r) => r.storage_key),
  ]), olderThanMs);
  return { uploads: keys.length, temp, unreferenced };
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
