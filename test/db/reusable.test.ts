// db/reusable.ts: a query compiled once and run with new values each time gives the rows the
// built query would; a stand-in used for anything but a value is refused on first use.
import { sql } from 'kysely';
import t from 'tap';
import { reusable, reusableFirst, reusableShapes } from '../../src/db/reusable.js';
import { buildTestDesk } from '../helpers/app.js';

t.test('values go where the built query had them, constants stay', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.insertInto('settings').values([
    { key: 'reuse.a', value: 'alpha' }, { key: 'reuse.b', value: 'beta' }, { key: 'reuse.c', value: 'alpha' },
  ]).execute();
  const byValue = reusable((d, value: string, limit: number) => d.selectFrom('settings').select('key')
    .where('value', '=', value).where('key', 'like', 'reuse.%').orderBy('key').limit(limit));
  t.same((await byValue(db, 'alpha', 10)).map((r) => r.key), ['reuse.a', 'reuse.c']);
  t.same((await byValue(db, 'beta', 10)).map((r) => r.key), ['reuse.b']);
  t.same((await byValue(db, 'alpha', 1)).map((r) => r.key), ['reuse.a'], 'the limit is a value too');
  const one = reusableFirst((d, key: string) => d.selectFrom('settings').select('value').where('key', '=', key));
  t.equal((await one(db, 'reuse.b'))?.value, 'beta');
  t.equal(await one(db, 'reuse.none'), undefined);
  // Inside a transaction the same compiled query runs on the transaction.
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('settings').set({ value: 'gamma' }).where('key', '=', 'reuse.b').execute();
    t.equal((await one(trx, 'reuse.b'))?.value, 'gamma');
  });
});

t.test('a stand-in that decides the shape is refused', async (t) => {
  const { db } = await buildTestDesk(t);
  const shaped = reusable((d, key: string) => (key === 'x' ? d.selectFrom('settings').select('value') : d.selectFrom('settings').select('key')));
  await t.rejects(shaped(db, 'x'), /argument 0 is not used as a value/);
});

t.test('shapes: each compiled once, values put in place, nulls part of the shape; a value used as more is refused', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.insertInto('settings').values([
    { key: 'shape.a', value: 'alpha' }, { key: 'shape.b', value: 'beta' }, { key: 'shape.c', value: 'alpha' },
  ]).execute();
  const shapes = reusableShapes<{ key: string }>();
  let builds = 0;
  const keys = async (value: string | null, order: 'asc' | 'desc', after: string | null) => (await shapes(db, order, [value, after], ([v, a]) => {
    builds++;
    let query = db.selectFrom('settings').select('key').where('key', 'like', 'shape.%').orderBy('key', order);
    query = v === null ? query.where('value', 'is', null) : query.where('value', '=', v as string);
    return a === null ? query : query.where('key', order === 'asc' ? '>' : '<', a as string);
  })).map((r) => r.key);
  t.same(await keys('alpha', 'asc', null), ['shape.a', 'shape.c']);
  t.same(await keys('beta', 'asc', null), ['shape.b'], 'the same shape, another value');
  t.same(await keys('alpha', 'desc', null), ['shape.c', 'shape.a'], 'another shape');
  t.same(await keys('alpha', 'asc', 'shape.a'), ['shape.c'], 'a value that was null is another shape');
  t.same(await keys('alpha', 'asc', 'shape.b'), ['shape.c']);
  t.same(await keys(null, 'asc', null), [], 'a null value is passed as it is');
  t.equal(builds, 4, 'each shape built once');

  await t.rejects(shapes(db, 'text', ['x'], ([v]) => db.selectFrom('settings').select('key').where(sql.raw<boolean>(`key = '${String(v)}'`))),
    /a value was used as more than a value/, 'a value written into the SQL text');
  await t.rejects(shapes(db, 'changed', ['x'], ([v]) => db.selectFrom('settings').select('key').where('key', '=', `${String(v)}%`)),
    /a value was used as more than a value/, 'a value changed on its way to a parameter');
  await t.rejects(shapes(db, 'number', [1], ([v]) => db.selectFrom('settings').select('key').limit(Number(v))),
    /a value was used as more than a value/, 'a value turned into a number');
});
