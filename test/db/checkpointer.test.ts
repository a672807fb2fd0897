import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { beforeEachWrite, connect, openSqlite } from '../../src/db/connect.js';
import { tempDir } from '../helpers/app.js';
import { sqliteOnly } from '../helpers/database.js';

const ON_SQLITE = sqliteOnly('the WAL checkpointer of a SQLite file (the server starts it on SQLite only)');

/** A SQLite file of its own with one table to write to. */
async function notesDesk(t: Test) {
  const path = join(tempDir(t), 'desk.db');
  const { db } = connect(path);
  t.teardown(() => db.destroy());
  await sql`create table notes (id integer primary key, body text)`.execute(db);
  return { path, db };
}

t.test('a worker copies the WAL into the database in the background; commits no longer checkpoint at 1,000 pages',
  ON_SQLITE, async (t) => {
  const { path, db } = await notesDesk(t);
  const warnings: object[] = [];
  const checkpointer = await startCheckpointer(db, path, { warn: (obj) => warnings.push(obj) }, 20);
  t.ok(checkpointer, 'started');
  t.same((await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0], { wal_autocheckpoint: 65_536 }, 'a large safety net only: 256 MiB of WAL');
  t.same((await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(db)).rows[0], { journal_size_limit: 256 * 1024 * 1024 }, 'a WAL file that starts over is cut back to 256 MiB');
  const before = statSync(path).size;
  for (let i = 0; i < 50; i++) await sql`insert into notes (body) values (${'x'.repeat(4000)})`.execute(db);
  let grown = false;
  for (let i = 0; i < 100 && !grown; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    grown = statSync(path).size > before + 150_000;
  }
  t.ok(grown, 'the pages reached the database file without a checkpoint by this connection');
  await checkpointer!.stop();
  t.same(warnings, []);
  t.equal(await startCheckpointer(db, ':memory:', { warn: () => undefined }), null, 'nothing to do for an in-memory database');
});

t.test('once the worker has caught up with a long WAL, the main connection copies the frames written since before its next write, which starts the file over',
  ON_SQLITE, async (t) => {
  const { path, db } = await notesDesk(t);
  const warnings: object[] = [];
  // Every 5 ms, and "long" from 64 pages (256 KiB) on.
  const checkpointer = await startCheckpointer(db, path, { warn: (obj) => warnings.push(obj) }, 5, 64);
  t.ok(checkpointer, 'started');
  // One commit of 200 rows: a WAL of 200 pages and more, past the 64 of "long".
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < 200; i++) await sql`insert into notes (body) values (${'x'.repeat(3000)})`.execute(trx);
  });
  let due = false;
  for (let i = 0; i < 500 && !due; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    due = checkpointer!.copyDue();
  }
  t.ok(due, 'the worker copied the WAL and says the main connection is to copy the rest');
  // Stopped, so that nothing else copies; the raised flag stays for the main connection's hook.
  await checkpointer!.stop();

  // Another writer's commit after the worker's pass: the WAL now has frames nobody copied, as when
  // commits never pause. A write then appends to the WAL unless something copies them first.
  const other = openSqlite(path);
  t.teardown(() => other.close());
  other.prepare('insert into notes (body) values (?)').run('y'.repeat(3000));
  const salts = () => readFileSync(`${path}-wal`).subarray(16, 24).toString('hex');
  const grown = salts();
  await sql`insert into notes (body) values (${'z'})`.execute(db);
  t.not(salts(), grown, 'the next write of the main connection started the WAL over (new salts in its header)');
  t.same((await sql<{ n: number }>`select count(*) as n from notes`.execute(db)).rows[0], { n: 202 }, 'every row is there');
  t.same(warnings, []);
});

t.test('beforeEachWrite runs before a write outside a transaction, and before the transaction, not inside it or for reads',
  sqliteOnly('a hook of the SQLite connection'), async (t) => {
  const { db } = await notesDesk(t);
  const seen: boolean[] = [];
  t.ok(beforeEachWrite(db, (sqlite) => seen.push(sqlite.inTransaction)), 'registered on a connection connect made');
  await sql`select count(*) from notes`.execute(db);
  t.same(seen, [], 'not for a read');
  await sql`insert into notes (body) values ('a')`.execute(db);
  t.same(seen, [false], 'before a write on its own');
  await db.transaction().execute(async (trx) => {
    await sql`insert into notes (body) values ('b')`.execute(trx);
    await sql`insert into notes (body) values ('c')`.execute(trx);
  });
  t.same(seen, [false, false], 'once for a transaction: before it begins');
});
