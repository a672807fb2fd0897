// Reports (issue 21, point 5): figures checked against tickets written through the kernel at fixed
// times (the clock frozen around each write), counted by Berlin days; the page, its CSV exports and
// who sees what; the rebuild command gives the rows the live consumer wrote.
import t from 'tap';
import { sql } from 'kysely';
import { binTicket } from '../../src/kernel/index.js';
import { rebuildReports } from '../../src/reports/rebuild.js';
import { buildReport } from '../../src/reports/report.js';
import { putSetting } from '../../src/settings/settings.js';
import { cli } from '../helpers/cli.js';
import { actorOf, at, MIN, QUERY, RANGE, reportDesk } from './helpers.js';

t.test('the whole desk: counts by Berlin day, backlog, medians, 90th percentiles, SLA attainment and ratings', async (t) => {
  const d = await reportDesk(t);
  const report = await buildReport(d.db, { assigneeId: null }, RANGE, 'agent');
  t.equal(report.timeZone, 'Europe/Berlin');
  t.same(report.days, [
    { date: '2026-03-10', created: 2, solved: 1, backlog: 2 }, // T5 open before; T1 and T2 in, T1 solved
    { date: '2026-03-11', created: 0, solved: 1, backlog: 1 }, // T2 solved at 23:30 local
    { date: '2026-03-12', created: 2, solved: 1, backlog: 2 }, // T3 at 00:30 local, T4 (solved 23:00 local)
    { date: '2026-03-13', created: 0, solved: 0, backlog: 2 },
    { date: '2026-03-14', created: 1, solved: 0, backlog: 3 }, // T6 at 23:59 local; T7 at 00:00 on the 15th is not in
  ]);
  const total = report.total;
  t.equal(total.created, 5);
  t.equal(total.solved, 3);
  t.same(total.firstReply, { n: 4, median: 90 * MIN, p90: 180 * MIN }, '30 min, 1 h, 2 h, 3 h: median 1.5 h, p90 3 h');
  t.same(total.resolution, { n: 3, median: 600 * MIN, p90: 1440 * MIN }, '4 h, 10 h, 24 h');
  t.same(total.sla, {
    first_reply: { met: 2, missed: 1, percent: 66.7 }, // T2 answered after 3 h; T3 at exactly 2 h is in time; T4, opened by staff, has none
    next_reply: { met: 0, missed: 0, percent: null },
    resolution: { met: 2, missed: 1, percent: 66.7 }, // T1 and T4 (10 h exactly) in time, T2 late; T3 and T6 still running
  });
  t.same(total.ratings, { good: 2, bad: 1, percent: 66.7 });
  const byName = Object.fromEntries(report.rows.map((row) => [row.name ?? '(none)', row]));
  t.same(Object.keys(byName).sort(), ['(none)', 'Ann Agent', 'Bob Agent']);
  t.match(byName['Ann Agent'], { created: 2, solved: 2, firstReply: { n: 2, median: 120 * MIN, p90: 180 * MIN }, resolution: { median: 840 * MIN, p90: 1440 * MIN },
    sla: { first_reply: { met: 1, missed: 1, percent: 50 } }, ratings: { good: 1, bad: 1 } });
  t.match(byName['Bob Agent'], { created: 2, solved: 1, firstReply: { n: 2, median: 75 * MIN, p90: 120 * MIN }, resolution: { n: 1, median: 600 * MIN, p90: 600 * MIN },
    sla: { first_reply: { met: 1, missed: 0, percent: 100 }, resolution: { met: 1, missed: 0 } } });
  t.match(byName['(none)'], { created: 1, solved: 0, firstReply: { n: 0, median: null } });

  const created = async (by: 'group' | 'channel' | 'tag' | 'type' | 'brand') =>
    Object.fromEntries((await buildReport(d.db, { assigneeId: null }, RANGE, by)).rows.map((row) => [row.name ?? row.key, row.created]));
  t.same(await created('group'), { 'Tier 1': 2, 'Tier 2': 2, '': 1 });
  t.same(await created('channel'), { portal: 4, agent: 1 });
  t.same(await created('tag'), { vip: 2 });
  t.same(Object.values(await created('type')), [5], 'one type');
  t.same(Object.values(await created('brand')), [5], 'one brand');
});

t.test('the page: charts with their titles and tables, the form kept; an agent sees their own tickets; customers are refused', async (t) => {
  const d = await reportDesk(t);
  const page = await d.boss.get(`/agent/reports?${QUERY}&by=agent`);
  t.equal(page.statusCode, 200);
  for (const id of ['volume', 'backlog', 'times', 'sla', 'ratings']) t.match(page.body, `data-report="${id}"`, `the ${id} chart`);
  t.match(page.body, /<svg role="img" aria-labelledby="chart-volume-title chart-volume-desc"/);
  t.match(page.body, '<title id="chart-volume-title">Created and solved per day</title>');
  t.match(page.body, /<tr><th scope="row">2026-03-12<\/th><td>2<\/td><td>1<\/td><\/tr>/, 'the table beside the chart');
  t.match(page.body, /<tr><th scope="row">Ann Agent<\/th><td>2<\/td><td>2<\/td><td>2<\/td><td>2 h 0 min<\/td><td>3 h 0 min<\/td>/);
  t.match(page.body, 'value="2026-03-10"', 'the range kept in the form');
  t.match(page.body, /<option value="agent" selected>/);
  t.match(page.body, 'href="/agent/reports/tickets.csv?from=2026-03-10&amp;to=2026-03-14&amp;by=agent"');

  const own = await d.annClient.get(`/agent/reports?${QUERY}&by=agent`);
  t.equal(own.statusCode, 200);
  t.match(own.body, 'Your tickets (assigned to you)');
  t.match(own.body, /<tr><th scope="row">Ann Agent<\/th>/);
  t.notMatch(own.body, 'Bob Agent', 'nobody else\'s figures');
  const mine = await buildReport(d.db, { assigneeId: d.ann.id }, RANGE, 'none');
  t.equal(mine.total.created, 2);
  t.same(mine.days.map((day) => day.backlog), [1, 0, 0, 0, 0], 'their own backlog');
  const csv = await d.annClient.get(`/agent/reports/tickets.csv?${QUERY}`);
  t.same(csv.body.trim().split('\r\n').slice(1).map((line) => Number(line.split(',')[0])), [d.ids.t1, d.ids.t2], 'their own tickets in the export');

  for (const path of ['/agent/reports', '/agent/reports/table.csv', '/agent/reports/tickets.csv']) {
    t.equal((await d.customer.get(`${path}?${QUERY}`)).statusCode, 403, `a customer may not: ${path}`);
  }
  const portal = await d.customer.get('/portal');
  t.equal(portal.statusCode, 200);
  t.notMatch(portal.body, 'href="/agent/reports"', 'no link in the portal');
  t.match((await d.annClient.get('/agent')).body, 'href="/agent/reports"', 'staff have the link');
});

t.test('CSV exports: each table, and the tickets under it', async (t) => {
  const d = await reportDesk(t);
  const volume = await d.boss.get(`/agent/reports/table.csv?table=volume&${QUERY}`);
  t.equal(volume.statusCode, 200);
  t.match(String(volume.headers['content-type']), /^text\/csv; charset=utf-8/);
  t.equal(volume.headers['content-disposition'], 'attachment; filename="report-volume-2026-03-10-2026-03-14.csv"');
  t.equal(volume.body, 'Day,Created,Solved\r\n2026-03-10,2,1\r\n2026-03-11,0,1\r\n2026-03-12,2,1\r\n2026-03-13,0,0\r\n2026-03-14,1,0\r\n');
  const backlog = await d.boss.get(`/agent/reports/table.csv?table=backlog&${QUERY}`);
  t.equal(backlog.body, 'Day,Open at the end of the day\r\n2026-03-10,2\r\n2026-03-11,1\r\n2026-03-12,2\r\n2026-03-13,2\r\n2026-03-14,3\r\n');
  const times = await d.boss.get(`/agent/reports/table.csv?table=times&${QUERY}&by=group`);
  t.same(times.body.split('\r\n').slice(0, 2), [
    'Group,Created,Solved,Answered,First reply (median),First reply (90th percentile),Resolution (median),Resolution (90th percentile)',
    'All,5,3,4,90,180,600,1440',
  ], 'durations in minutes');
  t.match(times.body, '\r\nTier 1,2,2,2,120,180,840,1440\r\n');
  const sla = await d.boss.get(`/agent/reports/table.csv?table=sla&${QUERY}`);
  t.same(sla.body.split('\r\n')[1], 'All,2,1,66.7,0,0,,2,1,66.7');
  const ratings = await d.boss.get(`/agent/reports/table.csv?table=ratings&${QUERY}`);
  t.same(ratings.body.split('\r\n')[1], 'All,2,1,66.7');
  t.equal((await d.boss.get(`/agent/reports/table.csv?table=nothing&${QUERY}`)).statusCode, 404);

  const tickets = await d.boss.get(`/agent/reports/tickets.csv?${QUERY}`);
  t.equal(tickets.statusCode, 200);
  const lines = tickets.body.trim().split('\r\n');
  t.equal(lines[0], 'Ticket,Subject,Created (UTC),First reply (UTC),Solved (UTC),Channel,Group,Assignee,Type,Brand,First reply (minutes),Resolution (minutes),SLA first reply,SLA next reply,SLA resolution,Rating');
  t.same(lines.slice(1).map((line) => Number(line.split(',')[0])), [d.ids.t1, d.ids.t2, d.ids.t3, d.ids.t4, d.ids.t6], 'T5 and T7 are outside the range');
  t.match(lines[1], new RegExp(`^${d.ids.t1},printer,2026-03-10T09:00:00.000Z,2026-03-10T10:00:00.000Z,2026-03-10T13:00:00.000Z,portal,Tier 1,Ann Agent,[^,]+,[^,]+,60,240,met,,met,good$`));
  t.match(lines[4], `${d.ids.t4},"'=SUM(A1) ""quoted"", too",`, 'a formula is defused, quotes doubled');
});

t.test('range edges in the site\'s time zone, a change of zone, and bad ranges', async (t) => {
  const d = await reportDesk(t);
  const one = async (date: string) => (await buildReport(d.db, { assigneeId: null }, { from: date, to: date }, 'none')).total.created;
  t.equal(await one('2026-03-09'), 1, 'T5 at 23:59 local on the 9th');
  t.equal(await one('2026-03-15'), 1, 'T7 at 00:00 local on the 15th');
  t.equal(await one('2026-03-11'), 0, 'T3 is on the 12th in Berlin');

  t.equal((await cli(d.dir, 'reports', 'rebuild')).code, 0);
  await putSetting(d.db, 'site_time_zone', 'UTC');
  const stale = await d.boss.get(`/agent/reports?${QUERY}`);
  t.match(stale.body, 'These figures were counted by days in Europe/Berlin; the site&#39;s time zone is now UTC.');
  const result = await cli(d.dir, 'reports', 'rebuild');
  t.equal(result.code, 0);
  t.match(result.out, /Report figures rebuilt for 7 tickets \(days in UTC\)/);
  t.equal(await one('2026-03-11'), 1, 'in UTC T3 is on the 11th');
  t.equal(await one('2026-03-14'), 2, 'and T7 on the 14th');
  const fresh = await d.boss.get(`/agent/reports?${QUERY}`);
  t.equal(fresh.statusCode, 200);
  t.notMatch(fresh.body, 'These figures were counted', 'no notice once rebuilt');

  const bad = await d.boss.get('/agent/reports?from=2026-02-30&to=2026-03-14&by=group');
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Enter a date as YYYY-MM-DD.');
  t.match(bad.body, 'value="2026-02-30"', 'what was typed is kept');
  const backwards = await d.boss.get('/agent/reports?from=2026-03-14&to=2026-03-10');
  t.equal(backwards.statusCode, 422);
  t.match(backwards.body, 'The end comes before the start.');
  const long = await d.boss.get('/agent/reports?from=2025-01-01&to=2026-03-14');
  t.equal(long.statusCode, 422);
  t.match(long.body, 'A report covers at most 366 days.');
  t.equal((await d.boss.get('/agent/reports/table.csv?from=2026-03-14&to=2026-03-10')).statusCode, 422);
  t.equal((await d.boss.get('/agent/reports')).statusCode, 200, 'no range: the last 30 days');
});

t.test('the rebuild command writes exactly the rows the live consumer wrote; a binned ticket leaves the report', async (t) => {
  const d = await reportDesk(t);
  const rows = () => d.db.selectFrom('report_facts').selectAll().orderBy('ticket_id').execute();
  const live = await rows();
  t.equal(live.length, 7, 'a row per ticket from the consumer');
  await d.db.deleteFrom('report_facts').execute();
  t.equal((await cli(d.dir, 'reports', 'rebuild')).code, 0);
  t.same(await rows(), live, 'the same rows from the command');
  // Written outside the stream (no event): only the rebuild sees it.
  await sql`update report_facts set channel = 'api' where ticket_id = ${d.ids.t1}`.execute(d.db);
  t.same((await rebuildReports(d.db)).tickets, 7);
  t.same(await rows(), live);

  await at('2026-03-15T10:00:00.000Z', async () => d.db.transaction().execute(async (trx) => binTicket(trx, await actorOf(trx, d.bob.id), d.ids.t6, 'spam')));
  await d.app.worker.consume();
  t.equal((await buildReport(d.db, { assigneeId: null }, RANGE, 'none')).total.created, 4, 'the spam ticket is out');
});
