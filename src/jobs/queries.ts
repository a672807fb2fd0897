import { sql, type WhereInterface } from 'kysely';
import type { Db } from '../db/connect.js';
import { skipLocked } from '../db/dialect.js';
import type { Database, Job, JobState } from '../db/schema.js';
import { isoIn, nowIso } from '../lib/time.js';

export async function enqueueJob(
  db: Db, kind: string, payload: unknown, options: { runAt?: string; maxAttempts?: number } = {},
): Promise<number> {
  const now = nowIso();
  const row = await db.insertInto('jobs').values({
    kind,
    payload: JSON.stringify(payload),
    run_at: options.runAt ?? now,
    max_attempts: options.maxAttempts ?? 8,
    locked_until: null,
    last_error: null,
    created_at: now,
    finished_at: null,
  }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export const LEASE_LOST = 'the worker stopped during the attempt (its lease ran out)';

/** Queued, due, and not out on a lease: a job a worker may take now. */
function takeable<QB extends WhereInterface<Database, 'jobs'>>(query: QB, now: string): QB {
  return query.where('state', '=', 'queued').where('run_at', '<=', now)
    .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<=', now)])) as QB;
}

/** The next takeable job of each kind (`jobs_lease`: one seek a kind, whatever else is queued). */
export function nextJobsQuery(db: Db, kinds: string[], now: string) {
  const nextOf = (kind: string) => db.selectFrom((eb) => takeable(eb.selectFrom('jobs').select(['id', 'run_at']).where('kind', '=', kind), now)
    .orderBy('run_at').orderBy('id').limit(1).as('next')).select(['next.id', 'next.run_at']);
  const [first, ...rest] = kinds.map(nextOf);
  return rest.reduce((union, next) => union.unionAll(next), first!);
}

/**
 * The jobs out on a lease that ran out (`jobs_leased` holds only jobs out on a lease). Rows are
 * found by id before they are changed: given a choice of indexes, SQLite's planner went by
 * statistics taken when the table was small (ANALYZE after a demo load: 17 jobs) and walked every
 * queued job along (state, run_at) instead, 30–430 ms a poll with mail waiting in the outbox.
 */
export function lapsedLeases(db: Db, now: string) {
  return leasedJobs(db, '<=', now);
}

/** Jobs out on a lease that ran out by `now` (`<=`) or still runs (`>`), through `jobs_leased`. */
function leasedJobs(db: Db, ending: '<=' | '>', now: string) {
  return db.selectFrom('jobs').select('id').where('locked_until', 'is not', null).where('locked_until', ending, now);
}

/**
 * Take the next due job of the given kinds and hold it for `leaseMs`. A lease that runs out (the
 * process died mid-job) makes the job due again.
 *
 * The next job of each kind is found on its own, then the earliest of those is taken by its id in a
 * statement that checks it again, so two workers never take the same job; on PostgreSQL the row is
 * taken FOR UPDATE SKIP LOCKED, so instances leasing at once each get another. A single scan of all
 * due jobs in time order would pass over every job of a kind this worker does not run: mail waiting
 * in the outbox (no SMTP_URL) by the ten thousand, at every poll.
 */
export async function leaseNextJob(db: Db, kinds: string[], leaseMs: number): Promise<Job | undefined> {
  if (kinds.length === 0) return undefined;
  const now = nowIso();
  // A lease that ran out on the last attempt: the job took the process down each time (or it died
  // for another reason). Taking it again would retry it forever, so it is dead, like any other.
  const lapsed = (await lapsedLeases(db, now).execute()).map((row) => row.id);
  if (lapsed.length > 0) {
    await db.updateTable('jobs')
      .set({ state: 'dead', locked_until: null, finished_at: now, last_error: sql`coalesce(last_error || ${'; '}, ${''}) || ${LEASE_LOST}` })
      .where('id', 'in', lapsed)
      .where('state', '=', 'queued')
      .where('kind', 'in', kinds)
      .where((w) => w('attempts', '>=', w.ref('max_attempts')))
      .execute();
  }
  const candidates = (await nextJobsQuery(db, kinds, now).execute())
    .sort((a, b) => a.run_at.localeCompare(b.run_at) || a.id - b.id);
  for (const { id } of candidates) {
    const job = await leaseQuery(db, id, now, leaseMs).executeTakeFirst();
    if (job) return job;
  }
  return undefined;
}

/** Take one job by id if it is still takeable (PostgreSQL: unless another instance holds its row). */
export function leaseQuery(db: Db, id: number, now: string, leaseMs: number) {
  return takeable(db.updateTable('jobs')
    .set({ attempts: sql`attempts + 1`, locked_until: isoIn(leaseMs) })
    .where('id', '=', (eb) => skipLocked(db, eb.selectFrom('jobs').select('id').where('id', '=', id))), now)
    .returningAll();
}

export async function completeJob(db: Db, id: number): Promise<void> {
  await db.updateTable('jobs').set({ state: 'done', finished_at: nowIso(), locked_until: null, last_error: null })
    .where('id', '=', id).execute();
}

/** Record a failure: retry later with exponential backoff, or give up and mark the job dead. */
export async function failJob(db: Db, job: Job, error: string, retryBaseMs: number, permanent = false): Promise<JobState> {
  const dead = permanent || job.attempts >= job.max_attempts;
  const backoff = retryBaseMs * 2 ** Math.max(0, job.attempts - 1);
  await db.updateTable('jobs').set({
    state: dead ? 'dead' : 'queued',
    last_error: error.slice(0, 2000),
    locked_until: null,
    run_at: dead ? job.run_at : isoIn(backoff),
    finished_at: dead ? nowIso() : null,
  }).where('id', '=', job.id).execute();
  return dead ? 'dead' : 'queued';
}

/** Put a queued or dead job back in line now, with a fresh set of attempts. */
export async function retryJob(db: Db, id: number, kind: string): Promise<boolean> {
  const result = await db.updateTable('jobs')
    .set({ state: 'queued', run_at: nowIso(), attempts: 0, locked_until: null, finished_at: null })
    .where('id', '=', id).where('kind', '=', kind).where('state', '!=', 'done')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function listJobs(db: Db, kind: string, options: { state?: JobState; beforeId?: number; limit: number }) {
  let query = db.selectFrom('jobs').selectAll().where('kind', '=', kind);
  if (options.state) query = query.where('state', '=', options.state);
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/**
 * At start-up, when no other server runs over the data: the leases still held were the jobs in hand
 * when the last process died (a crash, a kill -9). Ending them now makes those jobs due at once,
 * instead of after the lease (5 minutes), and a job already on its last attempt becomes dead.
 */
export async function expireLeases(db: Db): Promise<number> {
  const now = nowIso();
  const held = (await leasedJobs(db, '>', now).execute()).map((row) => row.id);
  if (held.length === 0) return 0;
  const result = await db.updateTable('jobs').set({ locked_until: now }).where('id', 'in', held).where('state', '=', 'queued').executeTakeFirst();
  return Number(result.numUpdatedRows);
}
