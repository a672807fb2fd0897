// db/reusable.ts: a query compiled once and run with new values each time gives the rows the
// built query would; a stand-in used for anything but a value is refused on first use.
import t from 'tap';
import { reusable, reusableFirst } from '../../src/db/reusable.js';
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
