import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import type { Consumer } from '../../src/events/consumer.js';
import { eventsNoted, recordEvent, type StreamEvent } from '../../src/events/record.js';
import { positionOf, RUN_EVENTS, runConsumer } from '../../src/events/runner.js';
import { tookLateWriterLock, WRITER_LOCK } from '../../src/db/writer-lock.js';
import { Worker } from '../../src/jobs/worker.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres, postgresDatabase } from '../helpers/database.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { ReadCounter } from '../helpers/read-counter.js';
import { gate } from '../helpers/gate.js';
import { untilChanged } from '../../src/db/change-cache.js';

t.test('a consumer gets every event after its position, in order, once; its position is durable', async (t) => {
  const { db } = await buildTestDesk(t);
  const seen: StreamEvent[] = [];
  const consumer: Consumer = { name: 'test.ordered', transactional: true, handle: async (_trx, event) => { seen.push(event); } };
  const a = await recordEvent(db, { kind: 'ticket.created', ticketId: 7, actorId: 1, payload: { channel: 'agent' } });
  const b = await recordEvent(db, { kind: 'ticket.changed', ticketId: 7, actorId: 1, payload: { changes: { priority: ['normal', 'high'] } } });
  t.equal(await runConsumer(db, consumer), 2);
  t.same(seen.map((e) => [e.id, e.kind, e.ticketId, e.actorId]), [[a, 'ticket.created', 7, 1], [b, 'ticket.changed', 7, 1]]);
  t.same(seen[1]!.payload, { changes: { priority: ['normal', 'high'] } }, 'the payload arrives as written');
  t.equal(await positionOf(db, 'test.ordered'), b, 'the position is the last handled event');
  t.equal(await runConsumer(db, consumer), 0, 'nothing is handed over twice');
  const c = await recordEvent(db, { kind: 'message.added', ticketId: 7, actorId: 2, payload: { messageId: 3 } });
  t.equal(await runConsumer(db, consumer), 1);
  t.equal(seen.at(-1)!.id, c, 'only the new event');
});

t.test('a failing consumer stays at the failed event, the next round retries it; others go on', async (t) => {
  const { db } = await buildTestDesk(t);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } }));
  let fail = true;
  const calls: number[] = [];
  const flaky: Consumer = {
    name: 'test.flaky', transactional: true,
    handle: async (trx, event) => {
      calls.push(event.id);
      await trx.insertInto('settings').values({ key: `seen.${event.id}`, value: '1' }).execute();
      if (event.payload.n === 1 && fail) throw new Error('not now');
    },
  };
  const seen = async () => (await db.selectFrom('settings').select('key').where('key', 'like', 'seen.%').execute()).map((r) => r.key).sort();
  const errors: string[] = [];
  // (No time bound on a run here: on a slow database it would end runs early.)
  t.equal(await runConsumer(db, flaky, { onError: (name, event) => errors.push(`${name}@${event.id}`), runMs: 60_000 }), 1);
  t.same(errors, [`test.flaky@${ids[1]}`], 'the failure is the failing event\'s alone');
  t.equal(await positionOf(db, 'test.flaky'), ids[0], 'the event before it is committed');
  t.same(await seen(), [`seen.${ids[0]}`], 'the failed attempt\'s writes rolled back with it; the first event\'s kept, once');
  // The three were tried as one run (one transaction), which rolled back whole; then one at a time.
  t.same(calls, [ids[0], ids[1], ids[0], ids[1]], 'a run that fails is tried again one event at a time');
  fail = false;
  t.equal(await runConsumer(db, flaky), 2);
  t.same(await seen(), ids.map((id) => `seen.${id}`).sort(), 'every event\'s writes once');
});

t.test('a transactional consumer handles consecutive events in one transaction, moving its position once', async (t) => {
  const { db } = await buildTestDesk(t);
  const ids = [];
  for (let i = 0; i < RUN_EVENTS + 2; i++) ids.push(await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } }));
  const positions: number[] = [];
  const runs: Consumer = {
    name: 'test.runs', transactional: true,
    // Inside the run's transaction the position is still where the run began.
    handle: async (trx) => { positions.push(await positionOf(trx, 'test.runs')); },
  };
  t.equal(await runConsumer(db, runs, { runMs: 60_000 }), ids.length, 'every event handled');
  t.same(positions.slice(0, RUN_EVENTS), Array(RUN_EVENTS).fill(0), `the first ${RUN_EVENTS} in one transaction`);
  t.same(positions.slice(RUN_EVENTS), [ids[RUN_EVENTS - 1], ids[RUN_EVENTS - 1]], 'the rest in the next, after the first committed');
  t.equal(await positionOf(db, 'test.runs'), ids.at(-1), 'the position is the last event');

  // A run stops adding events once its time is up (requests wait while it goes on): here at once.
  for (let i = 0; i < 3; i++) await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } });
  positions.length = 0;
  t.equal(await runConsumer(db, runs, { runMs: -1 }), 3);
  t.equal(new Set(positions).size, 3, 'each event in a transaction of its own');
});

t.test('the worker\'s drain runs the consumers, also when a consumer\'s effect is outside the database', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const seen: number[] = [];
  const outside: Consumer = { name: 'test.outside', handle: async (_db, event) => { seen.push(event.id); } };
  const worker = new Worker(db, { pollMs: 1000, retryBaseMs: 1000, log: app.log, consumers: [outside] });
  const id = await recordEvent(db, { kind: 'rating.added', ticketId: 2, actorId: 3 });
  await worker.drain();
  t.same(seen, [id]);
  t.equal(await positionOf(db, 'test.outside'), id);
});

t.test('an event id taken by a rolled-back write is passed over; later events still come, in order', async (t) => {
  const { db } = await buildTestDesk(t);
  const seen: number[] = [];
  const consumer: Consumer = { name: 'test.gaps', transactional: true, handle: async (_trx, event) => { seen.push(event.id); } };
  const first = await recordEvent(db, { kind: 'rating.added', ticketId: 1, actorId: null });
  await t.rejects(db.transaction().execute(async (trx) => {
    await recordEvent(trx, { kind: 'rating.added', ticketId: 2, actorId: null });
    throw new Error('the change failed after its event was written');
  }));
  const third = await recordEvent(db, { kind: 'rating.added', ticketId: 3, actorId: null });
  t.equal(await runConsumer(db, consumer), 2);
  t.same(seen, [first, third]);
  if (onPostgres) t.ok(third > first + 1, 'the rolled-back id is a gap (SQLite gives it again)');
});

t.test('PostgreSQL: a write that takes a later event id waits for the open one; nothing is skipped or reordered', { skip: !onPostgres && 'PostgreSQL only: SQLite commits one writer at a time by itself' }, async (t) => {
  const { db } = await buildTestDesk(t);
  const seen: number[] = [];
  const consumer: Consumer = { name: 'test.order', transactional: true, handle: async (_trx, event) => { seen.push(event.id); } };
  const before = await recordEvent(db, { kind: 'rating.added', ticketId: 1, actorId: null });
  t.equal(await runConsumer(db, consumer), 1);

  // A slow write takes the next id and stays open; a quick one starts meanwhile.
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let slowId = 0;
  let taken!: () => void;
  const slowHasId = new Promise<void>((resolve) => { taken = resolve; });
  const slow = db.transaction().execute(async (trx) => {
    slowId = await recordEvent(trx, { kind: 'rating.added', ticketId: 2, actorId: null });
    taken();
    await released;
  });
  await slowHasId;
  let quickId = 0;
  const quick = recordEvent(db, { kind: 'rating.added', ticketId: 3, actorId: null }).then((id) => { quickId = id; });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(quickId, 0, 'the quick write waits for the writer lock (db/postgres.ts)');
  t.equal(await runConsumer(db, consumer), 0, 'nothing new is visible while the slow write is open');
  release();
  await slow;
  await quick;
  t.ok(quickId > slowId, 'ids are taken in commit order');
  t.equal(await runConsumer(db, consumer), 2);
  t.same(seen, [before, slowId, quickId], 'both, in id order');
});

t.test('a consumer that takes the writer lock late is still handed each event once, by one of two workers at a time', async (t) => {
  const { db } = await buildTestDesk(t);
  for (let i = 0; i < 3; i++) await recordEvent(db, { kind: 'rating.added', ticketId: i + 1, actorId: null });
  const handled: number[] = [];
  const consumer: Consumer = {
    name: 'test.late', transactional: true, lateWriterLock: true,
    handle: async (trx, event) => {
      // Reads first (without the writer lock on PostgreSQL), long enough for the other worker to come.
      await trx.selectFrom('events').select('id').where('id', '=', event.id).execute();
      await new Promise((resolve) => setTimeout(resolve, 150));
      await trx.insertInto('settings').values({ key: `late.${event.id}.${handled.length}`, value: '1' }).execute();
      handled.push(event.id);
    },
  };
  await Promise.all([runConsumer(db, consumer), runConsumer(db, consumer)]);
  t.equal(handled.length, 3, `each event handled once: ${handled.join(', ')}`);
  t.equal(new Set(handled).size, 3, 'none twice');
  const written = await db.selectFrom('settings').select('key').where('key', 'like', 'late.%').execute();
  t.equal(written.length, 3, 'one write per event committed');
});

t.test('PostgreSQL: a late-locking run ends at the event that took the writer lock; one that only read goes on', { skip: !onPostgres && 'PostgreSQL only: SQLite holds its one write lock from BEGIN' }, async (t) => {
  const { db } = await buildTestDesk(t);
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push(await recordEvent(db, { kind: 'rating.added', ticketId: 1, actorId: null, payload: { write: i % 2 === 1 } }));
  const seen: { id: number; position: number; locked: boolean }[] = [];
  const consumer: Consumer = {
    name: 'test.late-runs', transactional: true, lateWriterLock: true,
    handle: async (trx, event) => {
      // Whether this event is read and handled while every other writer already waits for the run.
      seen.push({ id: event.id, position: await positionOf(trx, 'test.late-runs'), locked: tookLateWriterLock() });
      if (event.payload.write) await trx.insertInto('settings').values({ key: `late-run.${event.id}`, value: '1' }).execute();
    },
  };
  t.equal(await runConsumer(db, consumer, { runMs: 60_000 }), 4, 'every event handled');
  t.same(seen.map((s) => s.locked), [false, false, false, false], 'no event is handled with the writer lock already held');
  t.same(seen.map((s) => s.position), [0, 0, ids[1], ids[1]], 'a read-only event and the writing one after it share a transaction; the next run starts after it');
  t.equal((await db.selectFrom('settings').select('key').where('key', 'like', 'late-run.%').execute()).length, 2, 'both writes committed');
  t.equal(await positionOf(db, 'test.late-runs'), ids.at(-1), 'the position is the last event');
});

t.test('events a consumer passes get no transaction; its position catches up, never goes back, and a failure keeps what was passed', async (t) => {
  const { db } = await buildTestDesk(t);
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) ids.push(await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } }));
  const handled: number[] = [];
  let failOn: number | null = null;
  const picky: Consumer = {
    name: 'test.picky', transactional: true,
    // Only even events ask something of it.
    passes: async (_db, event) => (event.payload.n as number) % 2 === 1,
    handle: async (trx, event) => {
      if (event.payload.n === failOn) throw new Error('not now');
      await trx.insertInto('settings').values({ key: `picky.${event.id}`, value: '1' }).execute();
      handled.push(event.payload.n as number);
    },
  };
  // The fourth event (n = 3) is passed, the fifth (n = 4) fails: the position stops at the passed one.
  failOn = 4;
  t.equal(await runConsumer(db, picky), 4, 'n = 0 to 3 handled or passed before the failure');
  t.same(handled, [0, 2], 'only the events it wants are handled');
  t.equal(await positionOf(db, 'test.picky'), ids[3], 'the position includes the passed event before the failure');
  failOn = null;
  t.equal(await runConsumer(db, picky), 1);
  t.same(handled, [0, 2, 4]);
  t.equal(await positionOf(db, 'test.picky'), ids[4]);
  const settings = await db.selectFrom('settings').select('key').where('key', 'like', 'picky.%').orderBy('key').execute();
  t.same(settings.map((r) => r.key).sort(), [ids[0], ids[2], ids[4]].map((id) => `picky.${id}`).sort(), 'what it wrote, once each');

  // A round that only passes events writes its position once, at the end, and never moves it back:
  // here another worker handles later events while this one is passing (simulated by moving the
  // stored position ahead during the round).
  const more = [];
  for (let i = 0; i < 3; i++) more.push(await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: 1 } }));
  const ahead = more[2]! + 100;
  let first = true;
  const racing: Consumer = {
    ...picky,
    passes: async (d: Db) => {
      if (first) await d.updateTable('consumer_positions').set({ last_event_id: ahead }).where('consumer', '=', 'test.picky').execute();
      first = false;
      return true;
    },
  };
  t.equal(await runConsumer(db, racing), 3, 'three passed');
  t.equal(await positionOf(db, 'test.picky'), ahead, 'the catch-up did not move the position back');
  t.same(handled, [0, 2, 4], 'nothing handled twice');
});

t.test('PostgreSQL: no commit waits for the disk inside the writer lock; a request\'s is on disk when it returns, a consumer\'s need not be', { skip: !onPostgres && 'PostgreSQL only: SQLite commits without waiting for the disk (synchronous=NORMAL) in any case' }, async (t) => {
  const { db } = await buildTestDesk(t);
  await recordEvent(db, { kind: 'rating.added', ticketId: 1, actorId: null });
  const setting = async (trx: Db) => (await sql<{ value: string; locked: boolean }>`select current_setting('synchronous_commit') as value,
    exists (select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and classid = 0 and objid = ${WRITER_LOCK}) as locked`.execute(trx)).rows[0]!;
  const seen: { value: string; locked: boolean }[] = [];
  for (const lateWriterLock of [false, true]) {
    const consumer: Consumer = { name: `test.flush.${lateWriterLock}`, transactional: true, lateWriterLock, handle: async (trx) => { seen.push(await setting(trx)); } };
    t.equal(await runConsumer(db, consumer), 1);
  }
  t.same(seen.map((s) => s.value), ['off', 'off'], 'inside both consumers\' transactions');
  t.ok(seen[0]!.locked, 'the ordinary consumer holds the writer lock from the start');
  t.notOk(seen[1]!.locked, 'the late-locking consumer holds none before its first write');

  // A request's write: its COMMIT, in the lock, does not wait either; the flush after it does, before
  // the caller goes on. The WAL position read last inside is before the commit's record, so the WAL
  // must be on disk beyond it (strictly) once the transaction has returned. Twenty times: the WAL
  // writer, which flushes commits that do not wait on its own rounds, would not have been that quick.
  const wal = async (trx: Db, which: 'insert' | 'flush') => (await sql<{ lsn: string }>`select ${sql.raw(`pg_current_wal_${which}_lsn()`)}::text as lsn`.execute(trx)).rows[0]!.lsn;
  const behind = async (lsn: string) => (await sql<{ behind: boolean }>`select pg_current_wal_flush_lsn() <= ${lsn}::pg_lsn as behind`.execute(db)).rows[0]!.behind;
  let unflushed = 0;
  for (let i = 0; i < 20; i++) {
    const { value, lsn } = await db.transaction().execute(async (trx) => {
      await trx.insertInto('settings').values({ key: `flush.${i}`, value: '1' }).execute();
      return { value: (await setting(trx)).value, lsn: await wal(trx, 'insert') };
    });
    if (i === 0) t.equal(value, 'off', 'a request\'s COMMIT does not wait for the disk while it holds the writer lock');
    if (await behind(lsn)) unflushed++;
  }
  t.equal(unflushed, 0, 'each request\'s commit was on disk when its transaction returned');
});

t.test('PostgreSQL: where the role may not send the flush, commits wait for the disk inside the lock, as before', { skip: !onPostgres && 'PostgreSQL only' }, async (t) => {
  const url = await postgresDatabase(t);
  const role = `deskbell_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create role ${role} login`);
  const asRole = new URL(url);
  asRole.username = role;
  const { db } = connectPostgres(asRole.toString(), 1, 0);
  try {
    await admin.query('create table written (n integer)');
    await admin.query(`grant all on written to ${role}`);
    // In this database only (its catalog's own grant): the function is PUBLIC everywhere else.
    await admin.query('revoke execute on function pg_logical_emit_message(boolean, text, text) from public');
    const value = await db.transaction().execute(async (trx) => {
      await sql`insert into written values (1)`.execute(trx);
      return (await sql<{ value: string }>`select current_setting('synchronous_commit') as value`.execute(trx)).rows[0]!.value;
    });
    t.equal(value, 'on', 'the commit waits for the disk itself');
    t.equal(Number((await admin.query('select count(*) as n from written')).rows[0].n), 1, 'and the write is there');
  } finally {
    // The role goes with the test (roles belong to the whole server): nothing of it may be left.
    await db.destroy();
    await admin.query('drop table if exists written');
    await admin.query(`drop role ${role}`);
    await admin.end();
  }
});

t.test('a consumer with handleRun gets each run of events in one call', async (t) => {
  const { db } = await buildTestDesk(t);
  const ids = [];
  for (let i = 0; i < RUN_EVENTS + 2; i++) ids.push(await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } }));
  const runs: number[][] = [];
  const whole: Consumer = {
    name: 'test.whole-runs', transactional: true,
    handle: async () => { throw new Error('a consumer with handleRun is handed runs'); },
    handleRun: async (_trx, events) => { runs.push(events.map((event) => event.id)); },
  };
  t.equal(await runConsumer(db, whole, { runMs: 60_000 }), ids.length, 'every event counted as handled');
  t.same(runs, [ids.slice(0, RUN_EVENTS), ids.slice(RUN_EVENTS)], 'a call per run, with the run\'s events in order');
  t.equal(await positionOf(db, 'test.whole-runs'), ids.at(-1));
});

t.test('a round reads the stream once at its end, and again only when an event was written meanwhile', async (t) => {
  const { db } = await buildTestDesk(t);
  const counter = new ReadCounter();
  const counted = db.withPlugin(counter);
  for (let i = 0; i < 3; i++) await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: { n: i } });
  // On PostgreSQL the desk's LISTEN connection may report in meanwhile (once with nothing when it
  // connects, or an earlier desk's of this file): the round then rightly reads once more.
  const heardOf = (since: number, own: number) => eventsNoted() - since - own;
  const quiet: Consumer = { name: 'test.quiet', transactional: true, handle: async () => undefined };
  let since = eventsNoted();
  t.equal(await runConsumer(counted, quiet), 3);
  if (heardOf(since, 0) === 0) t.equal(counter.of('events'), 1, 'fewer events than asked for and none written since: no second read');
  else t.equal(counter.of('events'), 2, 'an event heard of meanwhile: one more read');

  // A consumer that writes an event (the notifications consumer noting a capped mail) sees it in the same round.
  counter.clear();
  let wrote = 0;
  const echo: Consumer = {
    name: 'test.echo', transactional: true,
    handle: async (trx) => { if (wrote++ === 0) await recordEvent(trx, { kind: 'ticket.changed', ticketId: 1, actorId: null, payload: {} }); },
  };
  since = eventsNoted();
  t.equal(await runConsumer(counted, echo), 4, 'the three, and the one it wrote');
  if (heardOf(since, 1) === 0) t.equal(counter.of('events'), 2, 'read again once, for the event written during the round');
  else t.ok(counter.of('events') === 2 || counter.of('events') === 3, 'read again for the event written, and perhaps once more for one heard of');
});

t.test('passes sees what was committed before the events it is asked about, also when they came in a later read of the same round', async (t) => {
  const { db } = await buildTestDesk(t);
  await db.insertInto('settings').values({ key: 'test.gate', value: 'off' }).execute();
  // A remembered read, as "is any trigger enabled?" is.
  const gateOn = untilChanged(async (d: typeof db, _: '') => (await d.selectFrom('settings').select('value').where('key', '=', 'test.gate').executeTakeFirst())?.value === 'on');
  const first = await recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: {} });
  // Elsewhere (another request, outside the round's scope): turn the gate on, then write an event.
  const asked = gate();
  const elsewhere = (async () => {
    await asked.opened;
    await db.updateTable('settings').set({ value: 'on' }).where('key', '=', 'test.gate').execute();
    return recordEvent(db, { kind: 'message.added', ticketId: 1, actorId: null, payload: {} });
  })();
  const handled: number[] = [];
  const gated: Consumer = {
    name: 'test.gated', transactional: true,
    passes: async (d, event) => {
      const on = await gateOn(d, '');
      if (event.id === first) {
        asked.open();
        await elsewhere;
      }
      return !on;
    },
    handle: async (_trx, event) => { handled.push(event.id); },
  };
  t.equal(await runConsumer(db, gated), 2, 'both events, in one round');
  t.same(handled, [await elsewhere], 'the first passed (the gate was off); the second, written after the gate opened, was handled');
});
