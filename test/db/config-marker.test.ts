// The configuration's marker (migration 0057): writes to the configuration tables move it, in their
// own transaction; other writes (tickets, messages, events) do not, so what the server remembered of
// the configuration stays good across them. On a busy desk every write made the server read the
// settings, brands, types, fields and statuses again: on PostgreSQL five or six round trips a request.
import { sql } from 'kysely';
import t from 'tap';
import { CONFIG_TABLES } from '../../migrations/0057_config_marker.js';
import { configMarker, untilConfigChanged } from '../../src/db/change-cache.js';
import type { Db } from '../../src/db/connect.js';
import { getSetting, putSetting } from '../../src/settings/settings.js';
import { customerTopics } from '../../src/submissions/queries.js';
import { buildTestDesk } from '../helpers/app.js';
import { makeTicket, makeUser } from '../helpers/factories.js';
import { onPostgres, sqliteOnly } from '../helpers/database.js';
import { ReadCounter } from '../helpers/read-counter.js';

const counter = async (db: Db) => (await sql<{ n: number | string }>`select n from config_marker where id = 1`.execute(db)).rows[0]!.n;

t.test('every write to a configuration table moves the marker, a rolled-back one does not, a ticket write does not', async (t) => {
  const { db } = await buildTestDesk(t);
  const requester = (await makeUser(db, 'customer')).id;
  for (const table of CONFIG_TABLES) {
    // A row of each: the seeds have most; the others get one that is deleted again below.
    const before = await counter(db);
    const rows = Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
    if (rows > 0) {
      const key = table === 'settings' ? 'key' : table === 'ticket_type_fields' ? 'type_id' : 'id';
      await sql`update ${sql.table(table)} set ${sql.ref(key)} = ${sql.ref(key)} where ${sql.ref(key)} = (select min(${sql.ref(key)}) from ${sql.table(table)})`.execute(db);
      t.not(await counter(db), before, `an update of ${table} moves it`);
    }
  }
  // Every table has its triggers, seeded rows or not (their insert and delete are checked through settings below).
  const triggers = onPostgres
    ? (await sql<{ name: string }>`select tgname as name from pg_trigger where tgname like 'config_marker_%'`.execute(db)).rows.map((r) => r.name)
    : (await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'config_marker_%'`.execute(db)).rows.map((r) => r.name);
  const expected = CONFIG_TABLES.flatMap((table) => (onPostgres ? [`config_marker_${table}`, `config_marker_${table}_truncate`] : ['insert', 'update', 'delete'].map((op) => `config_marker_${table}_${op}`)));
  t.same(triggers.sort(), expected.sort(), 'the triggers of every configuration table');
  let before = await counter(db);
  await putSetting(db, 'test.config', 'one');
  t.not(await counter(db), before, 'an insert moves it');
  before = await counter(db);
  await db.deleteFrom('settings').where('key', '=', 'test.config').execute();
  t.not(await counter(db), before, 'a delete moves it');

  before = await counter(db);
  await db.transaction().execute(async (trx) => {
    await putSetting(trx, 'test.config', 'inside');
    t.not(await counter(trx), before, 'the writer sees it moved in its own transaction');
    throw new Error('roll back');
  }).catch(() => undefined);
  t.equal(await counter(db), before, 'rolled back with the write');

  await makeTicket(db, { requesterId: requester });
  t.equal(await counter(db), before, 'a ticket write leaves it where it was');
});

t.test('what was read of the configuration is read again only after the configuration changed', async (t) => {
  const { db } = await buildTestDesk(t);
  const requester = (await makeUser(db, 'customer')).id;
  await putSetting(db, 'test.remembered', 'one');
  const reads = new ReadCounter();
  const counted = db.withPlugin(reads);
  const marker = await configMarker(counted);

  t.equal(await getSetting(counted, 'test.remembered'), 'one');
  t.equal((await customerTopics(counted)).length > 0, true, 'the seeded help topics');
  t.same([reads.of('settings'), reads.of('ticket_types')], [1, 1], 'read once each');

  await makeTicket(db, { requesterId: requester });
  t.equal(await configMarker(counted), marker, 'a ticket written: the configuration marker holds');
  t.equal(await getSetting(counted, 'test.remembered'), 'one');
  await customerTopics(counted);
  t.same([reads.of('settings'), reads.of('ticket_types')], [1, 1], 'both still remembered after the ticket write');

  // As another instance or process would: straight in SQL, not through putSetting.
  await sql`update settings set value = 'two' where key = 'test.remembered'`.execute(db);
  t.equal(await getSetting(counted, 'test.remembered'), 'two', 'the new value');
  t.equal(reads.of('settings'), 2, 'read again');
  await sql`update ticket_types set name = name || '!' where id = (select min(id) from ticket_types where customer_can_choose = 1)`.execute(db);
  t.match((await customerTopics(counted)).map((topic) => topic.name), [/!$/], 'the renamed topic');
  t.equal(reads.of('ticket_types'), 2, 'read again after a write to another configuration table');
});

t.test('untilConfigChanged inside a transaction reads as the transaction sees it', async (t) => {
  const { db } = await buildTestDesk(t);
  const brandNames = untilConfigChanged(async (d: Db, _: '') => (await d.selectFrom('brands').select('name').orderBy('id').execute()).map((b) => b.name));
  const outside = await brandNames(db, '');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('brands').set({ name: 'Renamed inside' }).where('id', '=', 1).execute();
    t.equal((await brandNames(trx, ''))[0], 'Renamed inside', 'its own uncommitted write');
    throw new Error('roll back');
  }).catch(() => undefined);
  t.same(await brandNames(db, ''), outside, 'outside, as committed');
});

t.test('a value read while a transaction of the same connection has an uncommitted configuration write is not kept under that write\'s marker',
  sqliteOnly('SQLite: the marker is read on the connection itself, which sees its own transaction\'s writes'), async (t) => {
  const { db } = await buildTestDesk(t);
  await putSetting(db, 'test.rolled', 'old');
  t.equal(await getSetting(db, 'test.rolled'), 'old');
  let during: Promise<string | undefined> | undefined;
  await db.transaction().execute(async (trx) => {
    await putSetting(trx, 'test.rolled', 'rolled back');
    // Another request, between two statements of the transaction: it reads the marker at once (the
    // uncommitted counter), and the setting once the transaction is over (the old value).
    during = getSetting(db, 'test.rolled');
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('roll back');
  }).catch(() => undefined);
  t.equal(await during, 'old', 'the value as committed');
  // The next committed write brings the counter to the number the rolled-back one had.
  await putSetting(db, 'test.rolled', 'new');
  t.equal(await getSetting(db, 'test.rolled'), 'new', 'the new value, not the one read during the transaction');
});

t.test('without its row the configuration marker is the whole marker: nothing is kept past a write', async (t) => {
  const { db } = await buildTestDesk(t);
  const requester = (await makeUser(db, 'customer')).id;
  await sql`delete from config_marker`.execute(db);
  const reads = new ReadCounter();
  const counted = db.withPlugin(reads);
  await getSetting(counted, 'site.name');
  await makeTicket(db, { requesterId: requester });
  await getSetting(counted, 'site.name');
  t.equal(reads.of('settings'), 2, 'read again after the ticket write');
});
