// The backlog when a report's range starts is read from blocks of 64 and 8 days and single days
// before it (migration 0056): a desk's whole past in a few dozen rows. Tickets months apart, some
// done, give every part of that: the report shows what reading every ticket's row shows, and what
// the migration sums from the single days is what the consumer writes.
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { changeTicket, createTicket } from '../../src/kernel/index.js';
import { buildReport } from '../../src/reports/report.js';
import { ROLLUP_KEY } from '../../src/reports/rollup.js';
import { getSetting, putSetting } from '../../src/settings/settings.js';
import { up } from '../../migrations/0056_report_backlog_blocks.js';
import { at, reportDesk } from './helpers.js';

const rollupRows = (db: Db) => db.selectFrom('report_days').selectAll().orderBy('dim').orderBy('span').orderBy('day').orderBy('key').execute();

t.test('the backlog at the start of any range, from blocks of days before it', async (t) => {
  const d = await reportDesk(t);
  // Beside the seven March tickets (T5 open from 9 March): one open since October, one from
  // December solved in January, one from late February closed on 8 March.
  const open = async (iso: string, subject: string) => {
    const { ticketId } = await at(iso, () => d.db.transaction().execute((trx) => createTicket(trx, d.cora, {
      channel: 'portal', subject, typeId: 1, brandId: 1, statusId: 1, priority: 'normal', visibility: 'public',
      requester: { id: d.cora.id, organizationId: null }, groupId: null, message: { kind: 'reply', bodyText: subject },
    })));
    await d.app.worker.consume();
    return ticketId;
  };
  const finish = async (iso: string, ticketId: number, status: 'Solved' | 'Closed') => {
    await at(iso, () => d.db.transaction().execute((trx) => changeTicket(trx, d.ann, ticketId, {
      set: status === 'Solved' ? { status_id: 4, solved_at: iso } : { status_id: 5, closed_at: iso }, history: [{ kind: 'status', from: 'New', to: status }],
    })));
    await d.app.worker.consume();
  };
  await open('2025-10-01T10:00:00.000Z', 'since October');
  const december = await open('2025-12-20T10:00:00.000Z', 'from December');
  await finish('2026-01-15T10:00:00.000Z', december, 'Solved');
  const february = await open('2026-02-27T10:00:00.000Z', 'late February');
  await finish('2026-03-08T10:00:00.000Z', february, 'Closed');

  const opening = async (from: string) => (await buildReport(d.db, { assigneeId: null }, { from, to: from }, 'none')).days[0]!.backlog;
  const fromRows = async (from: string) => {
    await d.db.deleteFrom('settings').where('key', '=', ROLLUP_KEY).execute();
    try {
      return await opening(from);
    } finally {
      await putSetting(d.db, ROLLUP_KEY, '9999-12-31');
    }
  };
  // At the end of each day: October's ticket; December's until solved on 15 January; February's
  // until closed on 8 March; T5 from 9 March; the range's own tickets from 10 March.
  const expected: Record<string, number> = {
    '2025-09-30': 0, '2025-10-01': 1, '2025-11-24': 1, '2025-12-19': 1, '2025-12-20': 2, '2026-01-14': 2, '2026-01-15': 1, '2026-01-27': 1, '2026-02-26': 1,
    '2026-02-27': 2, '2026-03-07': 2, '2026-03-08': 1, '2026-03-09': 2, '2026-03-10': 3, '2026-12-31': 5,
  };
  for (const [day, backlog] of Object.entries(expected)) {
    t.equal(await opening(day), backlog, `the backlog at the end of ${day}`);
    t.equal(await fromRows(day), backlog, `as reading every ticket's row says (${day})`);
  }

  const live = await rollupRows(d.db);
  t.ok(live.some((row) => row.dim === 'days' && row.span === 64), 'the whole desk\'s counts in blocks of 64 days');
  await d.db.deleteFrom('report_days').where('dim', '=', 'days').where('span', '!=', 1).execute();
  await up(d.db);
  t.same(await rollupRows(d.db), live, 'migration 0056 sums from the single days the blocks the consumer wrote');
  t.equal(await getSetting(d.db, ROLLUP_KEY), '9999-12-31');
});
