// The change marker behind every remembered read (src/db/change-cache.ts) is read once per turn of
// the event loop; a write by this process within the same turn must still be seen by the next read.
import t from 'tap';
import { changeMarker, outsideRequest, REQUEST_MARKER_MS, requestScope, untilChanged } from '../../src/db/change-cache.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

t.test('a write in the same turn is seen by the next remembered read; without one the marker holds', async (t) => {
  const { db } = await buildTestDesk(t);
  let computed = 0;
  const siteName = untilChanged(async (d: typeof db, key: string) => {
    computed++;
    return (await d.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null;
  });
  // PostgreSQL's marker is the server's WAL position, which other test files' databases move too:
  // there, try again (a new key) until no other write fell between the two reads. The tries are
  // spread over a few seconds: back to back, twenty of them all fell within one busy stretch of a
  // test file running beside this one (test:pg on CI).
  let key = '';
  let before = '';
  for (let attempt = 1; ; attempt++) {
    key = `test.marker.${attempt}`;
    computed = 0;
    await db.insertInto('settings').values({ key, value: 'one' }).execute();
    const start = await changeMarker(db);
    t.equal(await siteName(db, key), 'one');
    before = await changeMarker(db);
    const again = await siteName(db, key);
    const quiet = start === before && (await changeMarker(db)) === before;
    if (onPostgres && !quiet && attempt < 300) {
      await new Promise((resolve) => setTimeout(resolve, 10 + (attempt % 7) * 5));
      continue;
    }
    t.ok(quiet, 'no write: the same marker');
    t.equal(again, 'one');
    t.equal(computed, 1, 'remembered');
    break;
  }
  // No turn of the event loop in between: only the write itself can tell the marker to move on.
  await db.updateTable('settings').set({ value: 'two' }).where('key', '=', key).execute();
  t.not(await changeMarker(db), before, 'the write moved the marker');
  t.equal(await siteName(db, key), 'two', 'the next read sees the write');
  t.equal(computed, 2);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(await siteName(db, key), 'two');
  if (!onPostgres) t.equal(computed, 2, 'still remembered in the next turn');
});

t.test('a cache with a grace period keeps a value read moments ago across a write, and reads it again once the grace is over', async (t) => {
  const { db } = await buildTestDesk(t);
  const { ChangeCache } = await import('../../src/db/change-cache.js');
  const read = async () => (await db.selectFrom('settings').select('value').where('key', '=', 'test.grace').executeTakeFirst())?.value ?? null;
  await db.insertInto('settings').values({ key: 'test.grace', value: 'one' }).execute();
  const graceful = new ChangeCache<string | null>(10, 300);
  const strict = new ChangeCache<string | null>(10);
  t.equal(await graceful.get(db, 'k', read), 'one');
  t.equal(await strict.get(db, 'k', read), 'one');
  await db.updateTable('settings').set({ value: 'two' }).where('key', '=', 'test.grace').execute();
  t.equal(await graceful.get(db, 'k', read), 'one', 'within the grace: the value read before the write');
  t.equal(await strict.get(db, 'k', read), 'two', 'without one: read again after the write');
  await new Promise((resolve) => setTimeout(resolve, 350));
  t.equal(await graceful.get(db, 'k', read), 'two', 'after the grace: read again');
});

t.test('requests that come while a value is being computed wait for that computation; a failure is not remembered', async (t) => {
  const { db } = await buildTestDesk(t);
  const { ChangeCache } = await import('../../src/db/change-cache.js');
  await db.insertInto('settings').values({ key: 'test.flight', value: 'one' }).execute();
  const cache = new ChangeCache<string | null>(10);
  let computed = 0;
  const read = async () => {
    computed++;
    return (await db.selectFrom('settings').select('value').where('key', '=', 'test.flight').executeTakeFirst())?.value ?? null;
  };
  t.same(await Promise.all(Array.from({ length: 10 }, () => cache.get(db, 'k', read))), Array(10).fill('one'));
  t.equal(computed, 1, 'ten at once, one computation');

  await db.updateTable('settings').set({ value: 'two' }).where('key', '=', 'test.flight').execute();
  let fail = true;
  const flaky = async () => {
    if (fail) throw new Error('the database went away');
    return read();
  };
  await t.rejects(cache.get(db, 'k', flaky), /went away/);
  fail = false;
  t.equal(await cache.get(db, 'k', flaky), 'two', 'the next request computes again');
});

t.test('a request reads the marker once: others\' writes meanwhile do not make it read again, its own do', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.insertInto('settings').values({ key: 'test.scope', value: 'one' }).execute();
  const value = untilChanged(async (d: typeof db, key: string) => (await d.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null);
  await requestScope(async () => {
    const first = await changeMarker(db);
    t.equal(await value(db, 'test.scope'), 'one');
    // Another request's write, in another turn of the event loop.
    await outsideRequest(() => db.updateTable('settings').set({ value: 'two' }).where('key', '=', 'test.scope').execute());
    await new Promise((resolve) => setImmediate(resolve));
    t.equal(await changeMarker(db), first, 'the marker this request read first');
    t.equal(await value(db, 'test.scope'), 'one', 'so remembered values stand as they stood when it began');
    // Its own write.
    await db.updateTable('settings').set({ value: 'three' }).where('key', '=', 'test.scope').execute();
    t.not(await changeMarker(db), first, 'read again after its own write');
    t.equal(await value(db, 'test.scope'), 'three', 'which it sees at once');
  });
  await requestScope(async () => {
    const first = await changeMarker(db);
    await outsideRequest(() => db.updateTable('settings').set({ value: 'four' }).where('key', '=', 'test.scope').execute());
    await new Promise((resolve) => setTimeout(resolve, REQUEST_MARKER_MS + 20));
    t.not(await changeMarker(db), first, 'a request that lasts reads it again after a while');
    t.equal(await value(db, 'test.scope'), 'four');
  });
});
