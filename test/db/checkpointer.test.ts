import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { connect } from '../../src/db/connect.js';
import { tempDir } from '../helpers/app.js';
import { sqliteOnly } from '../helpers/database.js';

t.test('a worker copies the WAL into the database in the background; commits no longer checkpoint at 1,000 pages',
  sqliteOnly('the WAL checkpointer of a SQLite file (the server starts it on SQLite only)'), async (t) => {
  const path = join(tempDir(t), 'desk.db');
  const { db } = connect(path);
  t.teardown(() => db.destroy());
  await sql`create table notes (id integer primary key, body text)`.execute(db);
  const warnings: object[] = [];
  const checkpointer = await startCheckpointer(db, path, { warn: (obj) => warnings.push(obj) }, 20);
  t.ok(checkpointer, 'started');
  t.same((await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows[0], { wal_autocheckpoint: 65_536 }, 'a large safety net only: 256 MiB of WAL');
  t.same((await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(db)).rows[0], { journal_size_limit: 64 * 1024 * 1024 }, 'a WAL file that starts over is cut back to 64 MiB');
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
