import { sql } from 'kysely';
import { enqueueJob } from '../jobs/queries.js';
import { DAY, isoIn } from '../lib/time.js';
import type { Db } from './connect.js';
import { isPostgres } from './dialect.js';

export const OPTIMIZE_JOB = 'db.optimize';

/**
 * SQLite's own upkeep, once a day: `PRAGMA optimize` refreshes the planner's statistics where they
 * are stale (bounded by analysis_limit, so it stays fast on a large file), then books its next run.
 */
export async function runOptimize(db: Db): Promise<void> {
  // PostgreSQL keeps its statistics itself (autovacuum's ANALYZE): nothing to do, nothing to book.
  if (isPostgres(db)) return;
  await sql`pragma analysis_limit = 1000`.execute(db);
  await sql`pragma optimize`.execute(db);
  await enqueueJob(db, OPTIMIZE_JOB, {}, { runAt: isoIn(DAY), maxAttempts: 3 });
}

export async function scheduleOptimize(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  const waiting = await db.selectFrom('jobs').select('id').where('kind', '=', OPTIMIZE_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, OPTIMIZE_JOB, {}, { runAt: isoIn(60_000), maxAttempts: 3 });
}
