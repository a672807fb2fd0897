// The action limits (src/auth/throttle.ts) on the database of the run: counted within the window
// only, refused at the limit with the wait until the oldest counted action leaves it.
import t from 'tap';
import { throttle } from '../../src/auth/throttle.js';
import { TooManyRequests } from '../../src/lib/errors.js';
import { buildTestDesk } from '../helpers/app.js';

t.test('an action limit counts the window only and says how long to wait', async (t) => {
  const { db } = await buildTestDesk(t);
  const limit = { max: 3, windowMs: 60 * 60_000 };
  const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
  // Two actions long ago (outside the window), two inside it: 50 and 10 minutes ago.
  for (const at of [ago(200), ago(61), ago(50), ago(10)]) {
    await db.insertInto('login_attempts').values({ email: 'limit:portal:7', ip: 'limit:portal:7', created_at: at }).execute();
  }
  await throttle(db, 'portal:7', limit);
  const refused = await throttle(db, 'portal:7', limit).then(() => null, (error: unknown) => error);
  t.ok(refused instanceof TooManyRequests, 'the fourth action in the hour is refused');
  const wait = (refused as TooManyRequests).retryAfterSeconds;
  t.ok(wait > 9 * 60 && wait <= 10 * 60, `until the action of 50 minutes ago leaves the hour: ${wait} s`);
  const counted = await db.selectFrom('login_attempts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', 'limit:portal:7').executeTakeFirstOrThrow();
  t.equal(counted.n, 5, 'a refused action is not counted');
  await throttle(db, 'portal:8', limit);
  t.pass('another key has its own count');
});
