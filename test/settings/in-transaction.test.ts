// Inside a transaction the settings table is read once, as the transaction first sees it, and again
// after any write to it (through putSetting or a statement of its own): the consumers ask for four
// or five settings per transaction, a round trip each on PostgreSQL.
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { getNumberSetting, getSetting, putSetting } from '../../src/settings/settings.js';
import { lockAtFirstWrite, takeWriterLock } from '../../src/db/writer-lock.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
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

t.test('PostgreSQL: what a late-locking transaction read before the writer lock it reads again after', { skip: !onPostgres && 'PostgreSQL only: on SQLite every write transaction holds the lock from its start' }, async (t) => {
  const { db, config } = await buildTestDesk(t);
  if (config.database.kind !== 'postgres') throw new Error('a PostgreSQL desk');
  await putSetting(db, 'test.mark', 'before');
  // Another process (`deskbell reports rebuild` moving the reports' rollup mark): its writes are not this one's to count.
  const other = new pg.Client({ connectionString: config.database.url });
  await other.connect();
  t.teardown(() => other.end());
  const seen = await lockAtFirstWrite(db, async (trx) => {
    const early = await getSetting(trx, 'test.mark');
    await other.query("update settings set value = 'after' where key = 'test.mark'");
    await takeWriterLock(trx);
    return [early, await getSetting(trx, 'test.mark')];
  });
  t.same(seen, ['before', 'after'], 'under the lock: the latest committed value');
});

t.test('a write undone by rolling back to a savepoint is undone in what the transaction reads too', async (t) => {
  const { db } = await buildTestDesk(t);
  await putSetting(db, 'test.saved', 'kept');
  await db.transaction().execute(async (trx) => {
    await sql`savepoint before_change`.execute(trx);
    await putSetting(trx, 'test.saved', 'undone');
    t.equal(await getSetting(trx, 'test.saved'), 'undone');
    await sql`rollback to savepoint before_change`.execute(trx);
    t.equal(await getSetting(trx, 'test.saved'), 'kept', 'as the table now holds it');
  });
});
