// The write gate (src/db/write-gate.ts): while a worker thread writes to the SQLite file, the main
// connection's writes wait for it asynchronously, and its reads go on.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import t from 'tap';
import { connect, writeGateOf } from '../../src/db/connect.js';
import { FREE, STATE, WANTED, WORKER } from '../../src/db/write-gate.js';
import { tempDir } from '../helpers/app.js';
import { sqliteOnly } from '../helpers/database.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

t.test('while a worker holds the gate, writes wait and reads answer; then the writes go in order', sqliteOnly('the write gate of a SQLite file'), async (t) => {
  const { db } = connect(join(tempDir(t), 'desk.db'));
  t.teardown(() => db.destroy());
  await sql`create table notes (id integer primary key, body text)`.execute(db);
  await sql`insert into notes (body) values ('before')`.execute(db);
  const gate = writeGateOf(db)!;
  const words = new Int32Array(gate.buffer);
  Atomics.store(words, STATE, WORKER); // as the merge worker holds it

  const done: string[] = [];
  const transaction = db.transaction().execute(async (trx) => {
    await sql`insert into notes (body) values ('in a transaction')`.execute(trx);
  }).then(() => done.push('transaction'));
  const lone = sql`insert into notes (body) values ('alone')`.execute(db).then(() => done.push('lone write'));
  const read = await sql<{ n: number }>`select count(*) as n from notes`.execute(db);
  t.same(read.rows, [{ n: 1 }], 'a read answers while the gate is held, and sees no write of this connection yet');
  await tick();
  t.same(done, [], 'no write went in while the worker held the gate');

  gate.workerGone();
  await Promise.all([transaction, lone]);
  t.same(done, ['transaction', 'lone write'], 'then both, in the order they came');
  t.same((await sql<{ body: string }>`select body from notes order by id`.execute(db)).rows.map((r) => r.body), ['before', 'in a transaction', 'alone']);
  t.equal(Atomics.load(words, STATE), FREE, 'and the gate is free again');
});

t.test('a worker that asks for the gate gets it after the write in progress, before the next one', sqliteOnly('the write gate of a SQLite file'), async (t) => {
  const { db } = connect(join(tempDir(t), 'desk.db'));
  t.teardown(() => db.destroy());
  await sql`create table notes (id integer primary key, body text)`.execute(db);
  const gate = writeGateOf(db)!;
  const order: string[] = [];
  // Set by the worker just before it lets go of the gate.
  const done = new SharedArrayBuffer(4);
  let release!: () => void;
  const held = new Promise<void>((resolve) => { release = resolve; });
  const first = db.transaction().execute(async (trx) => {
    await sql`insert into notes (body) values ('first')`.execute(trx);
    await held;
  }).then(() => order.push('first'));
  await tick();
  // A real thread waits for the gate as the merge worker does (WANTED, then the gate), holds it for a moment.
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    const words = new Int32Array(workerData.buffer);
    Atomics.store(words, ${WANTED}, 1);
    let holder;
    while ((holder = Atomics.compareExchange(words, ${STATE}, ${FREE}, ${WORKER})) !== ${FREE}) Atomics.wait(words, ${STATE}, holder, 1000);
    Atomics.store(words, ${WANTED}, 0);
    Atomics.notify(words, ${WANTED});
    parentPort.postMessage('held');
    const until = Date.now() + 100;
    while (Date.now() < until);
    Atomics.store(new Int32Array(workerData.done), 0, 1);
    Atomics.store(words, ${STATE}, ${FREE});
    Atomics.notify(words, ${STATE});
  `, { eval: true, workerData: { buffer: gate.buffer, done } });
  worker.on('message', (message: string) => order.push(`worker ${message}`));
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const words = new Int32Array(gate.buffer);
  while (Atomics.load(words, WANTED) !== 1) await new Promise((resolve) => setTimeout(resolve, 5));
  const second = sql`insert into notes (body) values ('second')`.execute(db)
    .then(() => order.push(Atomics.load(new Int32Array(done), 0) === 1 ? 'second, after the worker' : 'second, before the worker was done'));
  await tick();
  release();
  await Promise.all([first, second, exited]);
  t.same(order, ['first', 'worker held', 'second, after the worker'], 'the waiting worker went between the two writes');
});
