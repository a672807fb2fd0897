// The reports consumer reads a ticket's old row before the writer lock (PostgreSQL, lateWriterLock):
// the rebuild, the only other writer of those rows, waits for the consumer's own lock, so the
// difference the consumer adds to the rollup is always taken from the row it replaces.
import t from 'tap';
import { lockAtFirstWrite } from '../../src/db/writer-lock.js';
import { takeConsumerLock } from '../../src/events/runner.js';
import { REPORTS_CONSUMER } from '../../src/reports/consumer.js';
import { rebuildReports } from '../../src/reports/rebuild.js';
import { onPostgres } from '../helpers/database.js';
import { gate } from '../helpers/gate.js';
import { reportDesk } from './helpers.js';

t.test('PostgreSQL: the rebuild waits while the reports consumer holds its lock, then writes every row', { skip: !onPostgres && 'PostgreSQL only: SQLite has one writer, from BEGIN' }, async (t) => {
  const { db } = await reportDesk(t);
  const count = async () => Number((await db.selectFrom('report_facts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await count();
  t.equal(rows, 7, 'the consumer wrote a row for each of the seven tickets');

  const release = gate();
  const taken = gate();
  // The consumer between reading a ticket's old row and writing its new one.
  const consumer = lockAtFirstWrite(db, async (trx) => {
    await takeConsumerLock(trx, REPORTS_CONSUMER);
    await trx.selectFrom('report_facts').selectAll().execute();
    taken.open();
    await release.opened;
  });
  await taken.opened;
  const rebuild = rebuildReports(db);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal(await count(), 7, 'meanwhile the rebuild has removed no row');
  release.open();
  await consumer;
  t.match(await rebuild, { tickets: 7 }, 'then it rebuilds all seven');
  t.equal(await count(), 7);
});
