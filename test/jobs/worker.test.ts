import t from 'tap';
import { enqueueJob, expireLeases, LEASE_LOST } from '../../src/jobs/queries.js';
import { Worker } from '../../src/jobs/worker.js';
import { isoIn, nowIso } from '../../src/lib/time.js';
import { scheduleRecurringJobs } from '../../src/features.js';
import { buildTestDesk } from '../helpers/app.js';

const MINUTE = 60_000;

async function jobRow(db: Awaited<ReturnType<typeof buildTestDesk>>['db'], id: number) {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

t.test('the worker runs a due job once, with its payload, and marks it done', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const seen: unknown[] = [];
  app.worker.handle('greet', async (payload) => { seen.push(payload); });

  const due = await enqueueJob(db, 'greet', { name: 'Ana' });
  const later = await enqueueJob(db, 'greet', { name: 'Ben' }, { runAt: isoIn(MINUTE) });

  t.equal(await app.worker.drain(), 1, 'only the due job runs');
  t.same(seen, [{ name: 'Ana' }]);
  const done = await jobRow(db, due);
  t.equal(done.state, 'done');
  t.equal(done.attempts, 1);
  t.equal(done.last_error, null);
  t.ok(done.finished_at, 'finished_at is recorded');
  t.equal((await jobRow(db, later)).state, 'queued', 'a job not yet due waits');
  t.equal((await jobRow(db, later)).attempts, 0);

  t.equal(await app.worker.drain(), 0, 'a done job never runs again');
  t.same(seen, [{ name: 'Ana' }]);
});

t.test('a job of a kind nobody handles is left alone', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const id = await enqueueJob(db, 'unknown-kind', {});
  t.equal(await app.worker.drain(), 0);
  const row = await jobRow(db, id);
  t.equal(row.state, 'queued');
  t.equal(row.attempts, 0);
});

t.test('failures are retried with exponential backoff, then the job is dead with its last error', async (t) => {
  const { app, db } = await buildTestDesk(t);
  // A long base pause, so each run_at can be measured against the clock without racing it.
  const worker = new Worker(db, { pollMs: 1000, retryBaseMs: MINUTE, log: app.log });
  let calls = 0;
  worker.handle('flaky', async () => { calls++; throw new Error(`SMTP said no (call ${calls})`); });
  const id = await enqueueJob(db, 'flaky', {}, { maxAttempts: 4 });

  const delays: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const before = Date.now();
    t.equal(await worker.drain(), 1, `attempt ${attempt} runs`);
    const row = await jobRow(db, id);
    t.equal(row.state, 'queued', `still queued after attempt ${attempt}`);
    t.equal(row.attempts, attempt);
    t.equal(row.last_error, `SMTP said no (call ${attempt})`);
    t.equal(row.locked_until, null, 'the lease is released');
    t.equal(row.finished_at, null);
    const delay = Date.parse(row.run_at) - before;
    delays.push(delay);
    const expected = MINUTE * 2 ** (attempt - 1);
    t.ok(delay >= expected && delay < expected + 5000, `attempt ${attempt}: retry after ~${expected} ms (got ${delay})`);

    t.equal(await worker.drain(), 0, 'not retried before its run_at');
    await db.updateTable('jobs').set({ run_at: nowIso() }).where('id', '=', id).execute();
  }
  t.ok(delays[0]! < delays[1]! && delays[1]! < delays[2]!, 'each pause is longer than the one before');

  t.equal(await worker.drain(), 1, 'the last attempt runs');
  const dead = await jobRow(db, id);
  t.equal(dead.state, 'dead');
  t.equal(dead.attempts, 4);
  t.equal(dead.last_error, 'SMTP said no (call 4)');
  t.ok(dead.finished_at, 'finished_at is recorded');
  t.equal(dead.locked_until, null);

  await db.updateTable('jobs').set({ run_at: nowIso() }).where('id', '=', id).execute();
  t.equal(await worker.drain(), 0, 'a dead job is not run again');
  t.equal(calls, 4);
});

t.test('a job whose lease ran out (the process died mid-job) is taken again', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const runs: number[] = [];
  app.worker.handle('report', async (_payload, job) => { runs.push(job.attempts); });
  const id = await enqueueJob(db, 'report', {});

  // A crash mid-job leaves the row queued, with an attempt counted and a lease that is still running.
  await db.updateTable('jobs').set({ attempts: 1, locked_until: isoIn(MINUTE) }).where('id', '=', id).execute();
  t.equal(await app.worker.drain(), 0, 'a job under a live lease is not taken');
  t.same(runs, []);

  // The lease runs out.
  await db.updateTable('jobs').set({ locked_until: isoIn(-1000) }).where('id', '=', id).execute();
  t.equal(await app.worker.drain(), 1, 'the job is taken again');
  t.same(runs, [2], 'the second attempt runs');
  const row = await jobRow(db, id);
  t.equal(row.state, 'done');
  t.equal(row.attempts, 2);
  t.equal(row.locked_until, null);
});

t.test('a lease holds the job while it runs, so a second worker does not take it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  let calls = 0;
  const first = new Worker(db, { pollMs: 1000, retryBaseMs: 10, log: app.log })
    .handle('slow', async () => { calls++; await gate; });
  const second = new Worker(db, { pollMs: 1000, retryBaseMs: 10, log: app.log })
    .handle('slow', async () => { calls++; });
  const id = await enqueueJob(db, 'slow', {});

  const running = first.drain(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const held = await jobRow(db, id);
  t.equal(held.state, 'queued');
  t.ok(held.locked_until && Date.parse(held.locked_until) > Date.now(), 'the job carries a lease in the future');
  t.equal(await second.drain(), 0, 'the other worker finds nothing to do');

  release();
  t.equal(await running, 1);
  t.equal(calls, 1);
  t.equal((await jobRow(db, id)).state, 'done');
});

t.test('a job whose last attempt never finished is dead, not retried forever', async (t) => {
  const { app, db } = await buildTestDesk(t);
  let calls = 0;
  app.worker.handle('poison', async () => { calls++; });
  const id = await enqueueJob(db, 'poison', {}, { maxAttempts: 3 });
  // Each attempt took the process down; the third lease has now run out too.
  await db.updateTable('jobs').set({ attempts: 3, last_error: 'out of memory', locked_until: isoIn(-1000) })
    .where('id', '=', id).execute();

  t.equal(await app.worker.drain(), 0, 'the job is not run a fourth time');
  t.equal(calls, 0);
  const row = await jobRow(db, id);
  t.equal(row.state, 'dead');
  t.equal(row.attempts, 3);
  t.equal(row.last_error, `out of memory; ${LEASE_LOST}`, 'the reason is recorded');
  t.ok(row.finished_at);
  t.equal(row.locked_until, null);
});

t.test('expireLeases: a job in hand when the process died is due at once, on its last attempt it is dead', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const worker = new Worker(db, { pollMs: 1000, retryBaseMs: MINUTE, log: app.log });
  let calls = 0;
  worker.handle('send', async () => { calls++; });
  const again = await enqueueJob(db, 'send', {}, { maxAttempts: 3 });
  const last = await enqueueJob(db, 'send', {}, { maxAttempts: 1 });
  // Both leased for 5 minutes by a process that then died.
  await db.updateTable('jobs').set({ attempts: 1, locked_until: isoIn(5 * MINUTE) }).where('id', 'in', [again, last]).execute();
  t.equal(await worker.drain(), 0, 'without recovery they wait out the lease');
  t.equal(await expireLeases(db), 2);
  t.equal(await worker.drain(), 1);
  t.equal(calls, 1);
  t.equal((await jobRow(db, again)).state, 'done', 'the interrupted job ran again');
  t.equal((await jobRow(db, last)).state, 'dead', 'a job that had used its last attempt is not retried forever');
});

t.test('instances starting together book one run of each recurring job between them', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.deleteFrom('jobs').execute();
  // Five servers over one database start at once (each books its recurring jobs on ready).
  await Promise.all([1, 2, 3, 4, 5].map(() => scheduleRecurringJobs(db)));
  const booked = await db.selectFrom('jobs').select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'queued').groupBy('kind').orderBy('kind').execute();
  t.ok(booked.length >= 4, `the recurring kinds are booked (${booked.map((b) => b.kind).join(', ')})`);
  t.same(booked.filter((b) => Number(b.n) !== 1), [], 'each kind exactly once');
});
