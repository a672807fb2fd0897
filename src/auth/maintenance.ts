import type { Db } from '../db/connect.js';
import { enqueueJob } from '../jobs/queries.js';
import { HOUR, isoIn, nowIso } from '../lib/time.js';
import { deleteExpiredSessions } from './sessions.js';
import { cleanUpTwoFactor } from './two-factor.js';
import { cleanUpChallenges } from '../passkeys/passkeys.js';
import { cleanUpFlows } from '../sso/oidc.js';

export const MAINTENANCE_JOB = 'auth.maintenance';

/** Expired sessions, spent or expired tokens, old failed-login records, ended pauses and expired two-factor steps and remembered browsers are removed hourly. */
export async function cleanUpAuth(db: Db): Promise<{ sessions: number; tokens: number; attempts: number }> {
  const sessions = await deleteExpiredSessions(db);
  const tokens = await db.deleteFrom('user_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', nowIso()), eb('used_at', '<=', isoIn(-24 * HOUR))]))
    .executeTakeFirst();
  const attempts = await db.deleteFrom('login_attempts').where('created_at', '<=', isoIn(-24 * HOUR)).executeTakeFirst();
  await db.deleteFrom('login_locks').where('locked_until', '<=', nowIso()).execute();
  await cleanUpTwoFactor(db);
  await cleanUpChallenges(db);
  await cleanUpFlows(db);
  return { sessions, tokens: Number(tokens.numDeletedRows), attempts: Number(attempts.numDeletedRows) };
}

/** The job runs, then books its next run; at start-up one is booked if none is waiting. */
export async function runAuthMaintenance(db: Db): Promise<void> {
  await cleanUpAuth(db);
  await enqueueJob(db, MAINTENANCE_JOB, {}, { runAt: isoIn(HOUR), maxAttempts: 3 });
}

export async function scheduleAuthMaintenance(db: Db): Promise<void> {
  const waiting = await db.selectFrom('jobs').select('id')
    .where('kind', '=', MAINTENANCE_JOB).where('state', '=', 'queued').limit(1).executeTakeFirst();
  if (!waiting) await enqueueJob(db, MAINTENANCE_JOB, {}, { maxAttempts: 3 });
}
