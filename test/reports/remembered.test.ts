// A report's figures and charts are remembered until the database changes (src/reports/remembered.ts):
// what one person was shown is never what another sees (an agent's own report, another language), and
// a change to a ticket, or to a text, shows on the next page and in the next export.
import t from 'tap';
import { changeTicket } from '../../src/kernel/index.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { QUERY, reportDesk } from './helpers.js';

/** The "Created" cell of a row of the times table ("All", an agent's name). */
const createdOf = (page: string, name: string) => new RegExp(`<tr><th scope="row">${name}</th><td>(\\d+)</td>`).exec(page)?.[1];

t.test('a remembered report is never another person\'s, and shows every change', async (t) => {
  const d = await reportDesk(t);
  const byAgent = `/agent/reports?${QUERY}&by=agent`;
  const first = await d.boss.page(byAgent);
  t.equal(createdOf(first, 'Bob Agent'), '2');
  t.equal(await d.boss.page(byAgent), first, 'the same page again');

  const own = await d.annClient.page(byAgent);
  t.match(own, 'Your tickets (assigned to you)', 'Ann right after the supervisor: her own report');
  t.equal(createdOf(own, 'All'), '2');
  t.notMatch(own, 'Bob Agent', 'nobody else\'s figures');
  t.equal(createdOf(await d.boss.page(byAgent), 'All'), '5', 'and the supervisor still sees the whole desk');

  const greta = await makeUser(d.db, 'supervisor', { name: 'Greta' });
  await d.db.updateTable('users').set({ locale: 'de' }).where('id', '=', greta.id).execute();
  const gretaClient = new Client(d.app);
  await gretaClient.login(greta.email, PASSWORD);
  const german = await gretaClient.page(byAgent);
  t.match(german, '<title id="chart-volume-title">Erstellt und gelöst pro Tag</title>', 'in German for a supervisor who reads German');
  t.match(german, /<tr><th scope="row">Alle<\/th><td>5<\/td>/);
  t.match(await d.boss.page(byAgent), '<title id="chart-volume-title">Created and solved per day</title>', 'and in English again');

  // T6 (created on the 14th, nobody's) goes to Bob, through the kernel and the stream's consumers.
  await d.db.transaction().execute((trx) => changeTicket(trx, d.ann, d.ids.t6, {
    set: { assignee_id: d.bob.id }, history: [{ kind: 'assignee', from: null, to: d.bob.name }],
  }));
  await d.app.worker.consume();
  const moved = await d.boss.page(byAgent);
  t.equal(createdOf(moved, 'Bob Agent'), '3', 'the next page counts T6 as Bob\'s');
  t.equal(createdOf(moved, 'All'), '5');
  const csv = await d.boss.get(`/agent/reports/table.csv?table=times&${QUERY}&by=agent`);
  t.match(csv.body, /\r\nBob Agent,3,/, 'and so does the export');

  const admin = new Client(d.app);
  await admin.login((await makeUser(d.db, 'admin')).email, PASSWORD);
  t.match(await admin.page(byAgent), '<title id="chart-volume-title">Created and solved per day</title>');
  t.equal((await admin.post('/admin/texts/en/reports.chart.volume', { value: 'Tickets in and out', intent: 'save' })).statusCode, 303);
  t.match(await d.boss.page(byAgent), '<title id="chart-volume-title">Tickets in and out</title>', 'a changed text shows on the next report');
});
