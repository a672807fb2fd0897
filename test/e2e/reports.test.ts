// Browser test of issue 21's reports (point 5), with JavaScript off and on: a supervisor opens
// /agent/reports, chooses a range and a breakdown, and sees the SVG charts and the tables with the
// figures of tickets the test wrote at fixed times; the table's CSV link downloads those figures. An
// agent sees their own. (test/reports/reports.test.ts holds the figures in depth, over HTTP.)
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import t from 'tap';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { launchBrowser, PageProblems, runCli } from './browser.js';
import { createFirstAdmin, finish, landsOn, logIn, mode, openSession, sees, type Session } from './steps.js';

const browser = await launchBrowser(t);
const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * In the desk's database (UTC days, the default): Ann's A (10 March, first reply after 1 h, solved
 * after 4 h) and B (10 March, answered after 3 h, open); Bob's C (12 March, 2 h, solved after 10 h)
 * and D (20 March, outside the range). Written straight into the tables, then counted by
 * `deskbell reports rebuild`, as after an upgrade.
 */
async function writeTickets(session: Session) {
  const { db } = await connectDatabase(loadConfig({ DATA_DIR: session.desk.dataDir, LOG_LEVEL: 'silent', ...session.desk.env }).database);
  try {
    const sam = await makeUser(db, 'supervisor', { name: 'Sam Supervisor', email: 'sam@desk.test' });
    const ann = await makeUser(db, 'agent', { name: 'Ann Agent', email: 'ann@desk.test' });
    const bob = await makeUser(db, 'agent', { name: 'Bob Agent', email: 'bob@desk.test' });
    const cora = await makeUser(db, 'customer', { name: 'Cora Customer' });
    const solved = (await db.selectFrom('statuses').select('id').where('category', '=', 'solved').orderBy('position').executeTakeFirstOrThrow()).id;
    const plan = [
      { subject: 'A printer', at: '2026-03-10T09:00:00.000Z', who: ann.id, reply: HOUR, solve: 4 * HOUR },
      { subject: 'B scanner', at: '2026-03-10T12:00:00.000Z', who: ann.id, reply: 3 * HOUR, solve: null },
      { subject: 'C router', at: '2026-03-12T10:00:00.000Z', who: bob.id, reply: 2 * HOUR, solve: 10 * HOUR },
      { subject: 'D later', at: '2026-03-20T10:00:00.000Z', who: bob.id, reply: null, solve: null },
    ];
    const ids = await makeTickets(db, plan.length, (i) => ({ subject: plan[i]!.subject, at: plan[i]!.at, requesterId: cora.id, assigneeId: plan[i]!.who, channel: 'portal' }));
    for (const [i, p] of plan.entries()) {
      await db.updateTable('tickets').set({
        first_response_at: p.reply === null ? null : plus(p.at, p.reply), solved_at: p.solve === null ? null : plus(p.at, p.solve),
        ...(p.solve === null ? {} : { status_id: solved }),
      }).where('id', '=', ids[i]!).execute();
    }
    return { sam: sam.email, ann: ann.email };
  } finally {
    await db.destroy();
  }
}

/** A person logged in in a browser context of their own (same JS mode), with its own problem checker. */
async function openAs(t: Test, session: Session, email: string) {
  const context = await session.context.browser()!.newContext({ javaScriptEnabled: session.js, viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(10_000);
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  const problems = new PageProblems(page);
  await logIn(page, session.desk, email, PASSWORD);
  await landsOn(t, page, /^\/agent/);
  return { page, problems };
}

/** A table's body rows, header cell first, as text. */
function cells(table: Locator): Promise<string[][]> {
  return table.evaluate((el) => Array.from(el.querySelectorAll('tbody tr'), (tr) =>
    Array.from(tr.querySelectorAll('th, td'), (cell) => cell.textContent!.replace(/\s+/g, ' ').trim())));
}

async function chooseReport(t: Test, page: Page, by: string) {
  const form = page.locator('form.report-form');
  await form.getByLabel('From', { exact: true }).fill('2026-03-10');
  await form.getByLabel('To (included)', { exact: true }).fill('2026-03-14');
  await form.getByLabel('Break down by', { exact: true }).selectOption({ label: by });
  await form.getByRole('button', { name: 'Show', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('from') === '2026-03-10' && url.searchParams.get('to') === '2026-03-14');
  await landsOn(t, page, '/agent/reports');
}

const VOLUME = [['2026-03-10', '2', '1'], ['2026-03-11', '0', '0'], ['2026-03-12', '1', '1'], ['2026-03-13', '0', '0'], ['2026-03-14', '0', '0']];

if (browser) {
  for (const js of [false, true]) {
    t.test(`a supervisor reads the reports, with charts, tables and a CSV; an agent sees their own (${mode(js)})`, async (t) => {
      const session = await openSession(t, browser, js);
      await createFirstAdmin(t, session);
      const people = await writeTickets(session);
      const rebuilt = await runCli(session.desk, ['reports', 'rebuild']);
      t.equal(rebuilt.code, 0, 'deskbell reports rebuild', { output: rebuilt.out });

      const { page, problems } = await openAs(t, session, people.sam);
      await page.getByRole('link', { name: 'Reports', exact: true }).first().click();
      await landsOn(t, page, '/agent/reports');
      await chooseReport(t, page, 'Agent');
      await sees(t, page, 'All tickets, counted by day in the site\'s time zone (UTC).');

      const volume = page.locator('section[data-report="volume"]');
      t.equal(await volume.locator('svg[role="img"]').count(), 1, 'the volume chart is an SVG drawn by the server');
      t.equal(await volume.locator('svg desc').textContent(), 'From 10 Mar to 14 Mar (UTC): 3 created, 2 solved.', 'its description has the totals');
      t.equal(await volume.locator('svg rect:has(title)').count(), 4, 'a bar per non-zero figure: 2 and 1 on the 10th, 1 and 1 on the 12th');
      t.same(await cells(volume.locator('table')), VOLUME, 'the table beside it, day by day; D (20 March) is outside');
      const times = page.locator('section[data-report="times"]');
      t.equal(await times.locator('svg[role="img"]').count(), 1);
      t.same(await cells(times.locator('table')), [
        ['All', '3', '2', '3', '2 h 0 min', '3 h 0 min', '7 h 0 min', '10 h 0 min'],
        ['Ann Agent', '2', '1', '2', '2 h 0 min', '3 h 0 min', '4 h 0 min', '4 h 0 min'],
        ['Bob Agent', '1', '1', '1', '2 h 0 min', '2 h 0 min', '10 h 0 min', '10 h 0 min'],
      ], 'first reply and resolution by agent: medians and 90th percentiles');

      const link = times.getByRole('link', { name: 'Download this table (CSV)' });
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      t.equal(download.suggestedFilename(), 'report-times-2026-03-10-2026-03-14.csv', 'the link downloads the table');
      const downloaded = readFileSync((await download.path())!, 'utf8');
      t.same(downloaded.split('\r\n'), [
        'Agent,Created,Solved,Answered,First reply (median),First reply (90th percentile),Resolution (median),Resolution (90th percentile)',
        'All,3,2,3,120,180,420,600', 'Ann Agent,2,1,2,120,180,240,240', 'Bob Agent,1,1,1,120,120,600,600', '',
      ], 'with the same figures, durations in minutes');
      // A download has no response the page sees: ask for the link again with the page's session for its headers.
      const response = await page.request.get(new URL((await link.getAttribute('href'))!, page.url()).href);
      t.equal(response.status(), 200);
      t.match(response.headers()['content-type'], /^text\/csv; charset=utf-8/, 'served as CSV');
      t.equal(await response.text(), downloaded, 'the same file');
      t.same(problems.problems, [], 'no console errors on the supervisor\'s pages');

      // Ann: her tickets only.
      const { page: own, problems: hers } = await openAs(t, session, people.ann);
      await own.goto(`${session.desk.baseUrl}/agent/reports`);
      await chooseReport(t, own, 'Agent');
      await sees(t, own, 'Your tickets (assigned to you), counted by day in the site\'s time zone (UTC).');
      t.same(await cells(own.locator('section[data-report="volume"] table')), [VOLUME[0]!, ...VOLUME.slice(1).map(([day]) => [day!, '0', '0'])],
        'her two tickets of the 10th; Bob\'s of the 12th is not hers');
      t.same((await cells(own.locator('section[data-report="times"] table'))).map((row) => row[0]), ['All', 'Ann Agent'], 'nobody else\'s row');
      t.same(hers.problems, [], 'no console errors on the agent\'s pages');
      await finish(t, session);
    });
  }
}
