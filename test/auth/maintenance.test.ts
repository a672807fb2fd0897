import t from 'tap';
import { MAINTENANCE_JOB, scheduleAuthMaintenance } from '../../src/auth/maintenance.js';
import { issueToken } from '../../src/auth/tokens.js';
import { startSession } from '../../src/auth/sessions.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeUser } from '../helpers/factories.js';

t.test('the hourly job removes expired sessions and tokens, keeps live ones, and books its next run', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  await startSession(db, user.id, -1000); // already expired
  await startSession(db, user.id, 60_000);
  await issueToken(db, 'reset', user.id, -1000);
  await issueToken(db, 'invite', user.id, 60_000);

  await scheduleAuthMaintenance(db);
  await scheduleAuthMaintenance(db);
  t.equal((await db.selectFrom('jobs').select('id').where('kind', '=', MAINTENANCE_JOB).execute()).length, 1, 'booked once');

  t.equal(await app.worker.drain(), 1);
  t.equal((await db.selectFrom('sessions').select('id').execute()).length, 1, 'the live session stays');
  t.same((await db.selectFrom('user_tokens').select('kind').execute()).map((r) => r.kind), ['invite']);
  const next = await db.selectFrom('jobs').selectAll().where('kind', '=', MAINTENANCE_JOB).where('state', '=', 'queued').executeTakeFirstOrThrow();
  t.ok(Date.parse(next.run_at) > Date.now() + 50 * 60_000, 'the next run is about an hour away');
});
