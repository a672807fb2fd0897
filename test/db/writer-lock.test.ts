// The writer lock on PostgreSQL (src/db/postgres.ts): an ordinary transaction holds it from BEGIN;
// one opened with lockAtFirstWrite reads without it and takes it at its first write (or at
// takeWriterLock), so other writers wait only from then on.
import { sql } from 'kysely';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { lockAtFirstWrite, ownRow, takeNamedLock, takeWriterLock, tookLateWriterLock } from '../../src/db/writer-lock.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { gate, settlesWithin } from '../helpers/gate.js';

const pgOnly = { skip: !onPostgres && 'PostgreSQL only: SQLite takes its one write lock at BEGIN IMMEDIATE' };

const write = (db: Db, key: string) => db.transaction().execute((trx) => trx.insertInto('settings').values({ key, value: '1' }).execute());

t.test('a transaction that locks at its first write holds up no writer while it reads, every writer after', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const readDone = gate();
  const goWrite = gate();
  const wrote = gate();
  const finish = gate();
  const late = lockAtFirstWrite(db, async (trx) => {
    await trx.selectFrom('settings').select('value').where('key', '=', 'site_time_zone').executeTakeFirst();
    readDone.open();
    await goWrite.opened;
    await trx.insertInto('settings').values({ key: 'late', value: '1' }).execute();
    wrote.open();
    await finish.opened;
  });
  await readDone.opened;
  t.ok(await settlesWithin(write(db, 'meanwhile'), 3000), 'a writer goes ahead while the late one has only read');

  goWrite.open();
  await wrote.opened;
  const blocked = write(db, 'after');
  t.notOk(await settlesWithin(blocked, 300), 'once it wrote, the next writer waits for it');
  finish.open();
  await late;
  await blocked;
  const keys = (await db.selectFrom('settings').select('key').where('key', 'in', ['late', 'meanwhile', 'after']).execute()).map((r) => r.key).sort();
  t.same(keys, ['after', 'late', 'meanwhile'], 'all three committed');
});

t.test('takeWriterLock takes it before a count-then-insert; in an ordinary transaction it costs nothing', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const locked = gate();
  const finish = gate();
  const late = lockAtFirstWrite(db, async (trx) => {
    await takeWriterLock(trx);
    locked.open();
    await finish.opened;
  });
  await locked.opened;
  const blocked = write(db, 'after-count');
  t.notOk(await settlesWithin(blocked, 300), 'a writer waits for the counting transaction');
  finish.open();
  await late;
  await blocked;

  await db.transaction().execute(async (trx) => {
    await takeWriterLock(trx);
    const { rows } = await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted`.execute(trx);
    t.equal(rows[0]!.n, 1, 'held once, from BEGIN: not asked for again');
  });
  await t.rejects(takeWriterLock(db), /outside a transaction/, 'outside a transaction it would hold nothing: refused');
});

t.test('tookLateWriterLock says when a late transaction has taken the lock: at its first write or at takeWriterLock', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const states: boolean[] = [];
  await lockAtFirstWrite(db, async (trx) => {
    await trx.selectFrom('settings').select('value').execute();
    states.push(tookLateWriterLock());
    await trx.insertInto('settings').values({ key: 'took.1', value: '1' }).execute();
    states.push(tookLateWriterLock());
  });
  await lockAtFirstWrite(db, async (trx) => {
    states.push(tookLateWriterLock());
    await takeWriterLock(trx);
    states.push(tookLateWriterLock());
  });
  await db.transaction().execute(async (trx) => { states.push(tookLateWriterLock()); await trx.selectFrom('settings').select('key').execute(); });
  t.same(states, [false, true, false, true, false], 'after a read: no; after the first write: yes; a new late transaction starts without; outside one: no');
});

t.test('a late transaction that only reads never takes the lock', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const held = await lockAtFirstWrite(db, async (trx) => {
    await trx.selectFrom('statuses').select('id').execute();
    const { rows } = await sql<{ n: number }>`select count(*) as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`.execute(trx);
    return rows[0]!.n;
  });
  t.equal(held, 0);
});

t.test('a write marked ownRow (a consumer\'s position under its named lock) takes no writer lock; the next write does', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const advisory = async (trx: Db) => (await sql<{ n: number }>`select count(*) as n from pg_locks
    where locktype = 'advisory' and pid = pg_backend_pid() and objsubid = 1`.execute(trx)).rows[0]!.n;
  const moved = gate();
  const finish = gate();
  const late = lockAtFirstWrite(db, async (trx) => {
    await takeNamedLock(trx, 'consumer:test.own');
    await trx.insertInto('consumer_positions').values({ consumer: 'test.own', last_event_id: 1, updated_at: '2026-01-01T00:00:00.000Z' }).modifyEnd(ownRow).execute();
    t.equal(await advisory(trx), 0, 'no writer lock after the position write');
    moved.open();
    await finish.opened;
    await trx.insertInto('settings').values({ key: 'own.after', value: '1' }).execute();
    t.equal(await advisory(trx), 1, 'an ordinary write takes it');
  });
  await moved.opened;
  t.ok(await settlesWithin(write(db, 'own.meanwhile'), 3000), 'another writer is not held up by the position write');
  finish.open();
  await late;
  t.equal((await db.selectFrom('consumer_positions').select('last_event_id').where('consumer', '=', 'test.own').executeTakeFirstOrThrow()).last_event_id, 1);
});
