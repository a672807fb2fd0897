import { sql } from 'kysely';
import t from 'tap';
import { OPTIMIZE_JOB, scheduleOptimize } from '../../src/db/optimize.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres, sqliteOnly } from '../helpers/database.js';
import { makeTickets, makeUser } from '../helpers/factories.js';

t.test('the daily optimize job gathers planner statistics and books its next run', sqliteOnly('PRAGMA optimize'), async (t) => {
  const { app, db } = await buildTestDesk(t);
  await makeTickets(db, 300, { requesterId: (await makeUser(db, 'customer')).id });
  await scheduleOptimize(db);
  await scheduleOptimize(db);
  t.equal((await db.selectFrom('jobs').select('id').where('kind', '=', OPTIMIZE_JOB).execute()).length, 1, 'booked once');
  await db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', OPTIMIZE_JOB).execute();
  t.equal(await app.worker.drain(), 1);
  const stats = await sql<{ n: number }>`select count(*) as n from sqlite_stat1 where tbl = 'tickets'`.execute(db);
  t.ok(stats.rows[0]!.n > 0, 'statistics for the tickets table exist');
  const next = await db.selectFrom('jobs').select('run_at').where('kind', '=', OPTIMIZE_JOB).where('state', '=', 'queued').executeTakeFirstOrThrow();
  t.ok(Date.parse(next.run_at) > Date.now() + 23 * 3600_000, 'the next run is a day away');
});

t.test('on PostgreSQL nothing is booked (autovacuum keeps the statistics); a job left over does nothing', { skip: !onPostgres && 'PostgreSQL only' }, async (t) => {
  const { app, db } = await buildTestDesk(t);
  await scheduleOptimize(db);
  t.same(await db.selectFrom('jobs').select('id').where('kind', '=', OPTIMIZE_JOB).execute(), [], 'not booked');
  const now = new Date(Date.now() - 1000).toISOString();
  await db.insertInto('jobs').values({ kind: OPTIMIZE_JOB, payload: '{}', run_at: now, max_attempts: 3, created_at: now }).execute();
  t.equal(await app.worker.drain(), 1);
  t.same(await db.selectFrom('jobs').select('state').where('kind', '=', OPTIMIZE_JOB).execute(), [{ state: 'done' }], 'done, no next run');
});
