// The reports' daily rollup (report_days, migration 0052): kept by the consumer with each write,
// computed the same by the rebuild, and read by a supervisor's report, which shows the same page
// as when it read every ticket's row (the path a desk takes until its first rebuild).
import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { changeTicket } from '../../src/kernel/index.js';
import { DIMENSIONS, type Dimension } from '../../src/reports/queries.js';
import { rebuildReports } from '../../src/reports/rebuild.js';
import { buildReport, type Report } from '../../src/reports/report.js';
import { refreshFacts } from '../../src/reports/facts.js';
import { COMPLETE, ROLLUP_KEY } from '../../src/reports/rollup.js';
import { getSetting, putSetting } from '../../src/settings/settings.js';
import { openTestDesk, tempDir } from '../helpers/app.js';
import { makeTickets } from '../helpers/factories.js';
import { cli } from '../helpers/cli.js';
import { actorOf, at, QUERY, RANGE, reportDesk } from './helpers.js';

const rollupRows = (db: Db) => db.selectFrom('report_days').selectAll().orderBy('dim').orderBy('span').orderBy('day').orderBy('key').execute();

/** The same report read from the ticket rows: as a desk does before its first rebuild. */
async function withoutRollup<T>(db: Db, read: () => Promise<T>): Promise<T> {
  const upto = await getSetting(db, ROLLUP_KEY);
  await db.deleteFrom('settings').where('key', '=', ROLLUP_KEY).execute();
  try {
    return await read();
  } finally {
    if (upto !== undefined) await putSetting(db, ROLLUP_KEY, upto);
  }
}

t.test('each write brings the rollup up to date in its consumer\'s transaction; the rebuild computes the same rows', async (t) => {
  const d = await reportDesk(t);
  t.equal(await getSetting(d.db, ROLLUP_KEY), COMPLETE, 'a new desk starts with a complete rollup');
  const live = await rollupRows(d.db);
  const tier1 = live.find((row) => row.dim === 'group' && row.span === 1 && row.key === String(d.tier1) && row.day === '2026-03-10');
  t.match(tier1, { created: 2, solved: 1, fr_met: 1, fr_missed: 1, good: 1, bad: 0 }, 'Tier 1 on 10 March (Berlin): T1 and T2 created, T1 solved and rated');
  const whole = live.find((row) => row.dim === 'days' && row.span === 1 && row.day === '2026-03-12');
  t.match(whole, { created: 2, solved: 1, done: 1, backlog: 1 }, 'the whole desk on 12 March: T3 and T4 created, T4 solved');
  t.ok(live.some((row) => row.dim === 'tag' && row.span === 64), 'blocks of days too');

  t.equal((await cli(d.dir, 'reports', 'rebuild')).code, 0);
  t.same(await rollupRows(d.db), live, 'the rebuild writes the rows the consumer wrote');
  t.equal(await getSetting(d.db, ROLLUP_KEY), COMPLETE);
});

t.test('one change over many tickets and days (a bulk edit) adds to every day it touches, read in several statements', async (t) => {
  const d = await reportDesk(t);
  // 150 tickets on 75 days in both groups and no group: far more days than one read of the stored
  // rows takes, so the days are read in parts; what the consumer adds must equal what the rebuild computes.
  const ids = await makeTickets(d.db, 150, (i) => ({
    requesterId: d.cora.id, groupId: [d.tier1, d.tier2, null][i % 3]!, at: new Date(Date.parse('2026-01-01T09:00:00Z') + Math.floor(i / 2) * 86_400_000).toISOString(),
  }));
  await d.db.transaction().execute((trx) => refreshFacts(trx, ids, 'Europe/Berlin'));
  t.ok((await rollupRows(d.db)).filter((row) => row.span === 1 && row.dim === 'group').length >= 100, 'a day row for each group on each of the days');
  // Then every one of them moves to Tier 2: each day's stored rows are read back, less and more added.
  await d.db.updateTable('tickets').set({ group_id: d.tier2 }).where('id', 'in', ids).execute();
  await d.db.transaction().execute((trx) => refreshFacts(trx, ids, 'Europe/Berlin'));
  const changed = await rollupRows(d.db);
  t.match(changed.find((row) => row.dim === 'group' && row.span === 1 && row.key === String(d.tier2) && row.day === '2026-02-01'), { created: 2 },
    'both tickets of 1 February in Tier 2 now');
  t.notOk(changed.some((row) => row.dim === 'group' && row.key === String(d.tier1) && row.day === '2026-02-01'), 'and none in Tier 1');
  t.equal((await cli(d.dir, 'reports', 'rebuild')).code, 0);
  t.same(await rollupRows(d.db), changed, 'the rebuild computes the rows the changes left');
});

t.test('the supervisor\'s report reads the rollup and shows the same page as from the ticket rows, for every breakdown', async (t) => {
  const d = await reportDesk(t);
  for (const by of DIMENSIONS) {
    const rolled = await d.boss.get(`/agent/reports?${QUERY}&by=${by}`);
    t.equal(rolled.statusCode, 200);
    const read = await withoutRollup(d.db, () => d.boss.get(`/agent/reports?${QUERY}&by=${by}`));
    t.equal(rolled.body, read.body, `by ${by}: the same page`);
  }
  // The ticket rows gone, the rollup alone still gives the figures.
  await d.db.deleteFrom('report_facts').execute();
  const report = await buildReport(d.db, { assigneeId: null }, RANGE, 'group');
  t.equal(report.total.created, 5, 'read from the rollup');
  t.same(report.days.map((day) => day.backlog), [2, 1, 2, 2, 3]);
  t.equal((await buildReport(d.db, { assigneeId: d.ann.id }, RANGE, 'none')).total.created, 0, 'an agent\'s own report reads their ticket rows');
});

t.test('a ticket moving between groups, losing its tag and reopened leaves its old rows and joins the new ones', async (t) => {
  const d = await reportDesk(t);
  const ann = await actorOf(d.db, d.ann.id);
  await at('2026-03-14T10:00:00.000Z', () => d.db.transaction().execute((trx) => changeTicket(trx, ann, d.ids.t1, {
    set: { group_id: d.tier2, status_id: 2, solved_at: null }, tags: { remove: ['vip'] },
    history: [{ kind: 'group', from: 'Tier 1', to: 'Tier 2' }, { kind: 'status', from: 'Solved', to: 'Open' }],
  })));
  await d.app.worker.consume();
  const figures = (report: Report) => ({ days: report.days, total: report.total, rows: report.rows });
  for (const by of DIMENSIONS) {
    const rolled = await buildReport(d.db, { assigneeId: null }, RANGE, by);
    const read = await withoutRollup(d.db, () => buildReport(d.db, { assigneeId: null }, RANGE, by));
    t.same(figures(rolled), figures(read), `by ${by}`);
  }
  const groups = await buildReport(d.db, { assigneeId: null }, RANGE, 'group');
  t.same(groups.rows.map((row) => [row.name, row.created, row.solved]), [['Tier 2', 3, 0], [null, 1, 1], ['Tier 1', 1, 1]]);
  t.same((await buildReport(d.db, { assigneeId: null }, RANGE, 'tag')).rows.map((row) => [row.name, row.created]), [['vip', 1]]);
  const live = await rollupRows(d.db);
  await rebuildReports(d.db);
  t.same(await rollupRows(d.db), live, 'what the rebuild computes');
});

t.test('a desk with report rows from before the rollup reads them until `deskbell reports rebuild`', async (t) => {
  const d = await reportDesk(t);
  await d.db.deleteFrom('settings').where('key', '=', ROLLUP_KEY).execute();
  await d.db.deleteFrom('report_days').execute();
  const page = await d.boss.get(`/agent/reports?${QUERY}&by=agent`);
  t.match(page.body, /<tr><th scope="row">Ann Agent<\/th><td>2<\/td><td>2<\/td><td>2<\/td><td>2 h 0 min<\/td><td>3 h 0 min<\/td>/, 'the figures, from the ticket rows');
  const result = await cli(d.dir, 'reports', 'rebuild');
  t.equal(result.code, 0);
  t.equal(await getSetting(d.db, ROLLUP_KEY), COMPLETE);
  t.equal((await d.boss.get(`/agent/reports?${QUERY}&by=agent`)).body, page.body, 'the same page from the rollup');
});

t.test('on a demo desk the counts are the same as from the ticket rows, the medians and 90th percentiles within 4.43 % + 1 s', async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'demo', '--tickets', '3000')).code, 0);
  const { db } = await openTestDesk(t, dir);
  t.equal(await getSetting(db, ROLLUP_KEY), COMPLETE, 'the demo builds the rollup');
  const today = new Date().toISOString().slice(0, 10);
  const range = { from: new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10), to: today };
  const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 0.0443 * b + 1);
  for (const by of ['none', 'group', 'agent', 'tag'] satisfies Dimension[]) {
    const rolled = await buildReport(db, { assigneeId: null }, range, by);
    const read = await withoutRollup(db, () => buildReport(db, { assigneeId: null }, range, by));
    t.same(rolled.days, read.days, `by ${by}: created, solved and the backlog per day`);
    const pairs = [[rolled.total, read.total], ...rolled.rows.map((row, i) => [row, read.rows[i]!])] as const;
    t.same(rolled.rows.map((row) => row.key), read.rows.map((row) => row.key), `by ${by}: the same rows`);
    for (const [a, b] of pairs) {
      t.same([a.created, a.solved, a.sla, a.ratings, a.firstReply.n, a.resolution.n], [b.created, b.solved, b.sla, b.ratings, b.firstReply.n, b.resolution.n]);
      for (const key of ['firstReply', 'resolution'] as const) {
        t.ok(close(a[key].median, b[key].median) && close(a[key].p90, b[key].p90), `by ${by}: ${key} ${JSON.stringify(a[key])} ~ ${JSON.stringify(b[key])}`);
      }
    }
    t.ok(rolled.total.created > 100, 'a busy quarter');
  }
});

t.test('while a rebuild is behind a day, the consumer leaves later days to it and reports ending after it read the ticket rows', async (t) => {
  const d = await reportDesk(t);
  // As a rebuild that has done every block of 64 days up to 26 January 2026 (the next runs to 31 March).
  await d.db.deleteFrom('report_days').execute();
  await putSetting(d.db, ROLLUP_KEY, '2026-01-26');
  const before = await withoutRollup(d.db, () => buildReport(d.db, { assigneeId: null }, RANGE, 'group'));
  const ann = await actorOf(d.db, d.ann.id);
  await at('2026-03-14T12:00:00.000Z', () => d.db.transaction().execute((trx) => changeTicket(trx, ann, d.ids.t6, {
    set: { group_id: d.tier1 }, history: [{ kind: 'group', from: 'Tier 2', to: 'Tier 1' }],
  })));
  await d.app.worker.consume();
  t.same(await rollupRows(d.db), [], 'no cell of a day the rebuild has still to do');
  const report = await buildReport(d.db, { assigneeId: null }, RANGE, 'group');
  t.same(report.rows.map((row) => [row.name, row.created]), [['Tier 1', 3], [null, 1], ['Tier 2', 1]], 'from the ticket rows, T6 in Tier 1 now');
  t.equal(report.total.created, before.total.created);
  await rebuildReports(d.db);
  const rolled = await buildReport(d.db, { assigneeId: null }, RANGE, 'group');
  t.same(rolled.rows, report.rows, 'the same once the rebuild is through');
});
