// Inside a transaction the settings table is read once, as the transaction first sees it, and again
// after any write to it (through putSetting or a statement of its own): the consumers ask for four
// or five settings per transaction, a round trip each on PostgreSQL.
import { sql } from 'kysely';
import t from 'tap';
import { getNumberSetting, getSetting, putSetting } from '../../src/settings/settings.js';
import { buildTestDesk } from '../helpers/app.js';
import { ReadCounter } from '../helpers/read-counter.js';

t.test('a transaction reads the settings once, and again after it writes to them', async (t) => {
  const { db } = await buildTestDesk(t);
  await putSetting(db, 'mail.cap_per_ticket_hour', '7');
  await putSetting(db, 'test.one', 'one');
  const counter = new ReadCounter();
  await db.withPlugin(counter).transaction().execute(async (trx) => {
    t.equal(await getNumberSetting(trx, 'mail.cap_per_ticket_hour'), 7);
    t.equal(await getSetting(trx, 'test.one'), 'one');
    t.equal(await getSetting(trx, 'test.none'), undefined);
    t.equal(counter.of('settings'), 1, 'three settings, one read');

    await putSetting(trx, 'test.one', 'two');
    t.equal(await getSetting(trx, 'test.one'), 'two', 'its own write through putSetting');
    await trx.deleteFrom('settings').where('key', '=', 'test.one').execute();
    t.equal(await getSetting(trx, 'test.one'), undefined, 'its own delete');
    await sql`insert into settings (key, value) values ('test.raw', 'raw')`.execute(trx);
    t.equal(await getSetting(trx, 'test.raw'), 'raw', 'its own statement written by hand');
    t.equal(counter.of('settings'), 4, 'read again after each write');
  });
  await db.transaction().execute(async (trx) => {
    t.equal(await getSetting(trx, 'test.raw'), 'raw', 'a later transaction reads what was committed');
  });
});
