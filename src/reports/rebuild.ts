import type { Db, Trx } from '../db/connect.js';
import { lockAtFirstWrite } from '../db/writer-lock.js';
import { takeConsumerLock } from '../events/runner.js';
import { putSetting } from '../settings/settings.js';
import { REPORTS_CONSUMER } from './consumer.js';
import { refreshFacts } from './facts.js';
import { rebuildRollup, ROLLUP_KEY } from './rollup.js';
import { reportTimeZone } from './zone.js';

/** Tickets refreshed per transaction. */
const BATCH = 2000;

/** The site time zone the report rows were last rebuilt in (their days are local dates in it). */
export const REPORTS_ZONE_KEY = 'reports.time_zone';

/**
 * A transaction holding the reports consumer's lock: on PostgreSQL the consumer reads a ticket's old
 * row before the writer lock (consumer.ts), and only this lock keeps the rebuild from writing it
 * meanwhile. Taken before the writer lock, as the consumer does (lockAtFirstWrite), or each could
 * hold the lock the other waits for.
 */
function asTheConsumer(db: Db, run: (trx: Trx) => Promise<void>): Promise<void> {
  return lockAtFirstWrite(db, async (trx) => {
    await takeConsumerLock(trx, REPORTS_CONSUMER);
    await run(trx);
  });
}

/**
 * Every ticket's report row, then the daily rollup from the rows (rollup.ts), computed anew in the
 * site's time zone: after an upgrade (tickets from before the consumer, demo data written without
 * events, a desk from before the rollup) or a change of the site's time zone. Batches of tickets,
 * then ranges of days, each in its own transaction, so the desk keeps working meanwhile; the
 * consumer writes the same rows from the same function, so a ticket changed during the rebuild ends
 * up right. Until the rollup is complete again, whole-desk reports read the rows.
 */
export async function rebuildReports(db: Db, progress?: (done: number) => void, options: { rollup?: boolean } = {}): Promise<{ tickets: number; timeZone: string }> {
  const timeZone = await reportTimeZone(db);
  await asTheConsumer(db, async (trx) => {
    await trx.deleteFrom('settings').where('key', '=', ROLLUP_KEY).execute();
    await trx.deleteFrom('report_facts').execute();
  });
  let after = 0;
  let done = 0;
  for (;;) {
    const ids = (await db.selectFrom('tickets').select('id').where('id', '>', after).orderBy('id').limit(BATCH).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    await asTheConsumer(db, (trx) => refreshFacts(trx, ids, timeZone, { rollup: false }));
    after = ids.at(-1)!;
    done += ids.length;
    progress?.(done);
  }
  // (The demo computes the rollup after its load, once the rows' indexes are built: `rollup: false`.)
  if (options.rollup !== false) await rebuildRollup(db);
  await putSetting(db, REPORTS_ZONE_KEY, timeZone);
  const { n } = await db.selectFrom('report_facts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { tickets: Number(n), timeZone };
}
