import t from 'tap';
import { lastDays } from '../../src/dashboard/days.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

/** A minute or two ago, but never before today's UTC midnight (the chart's last day is today: a run just after midnight put both tickets on yesterday). */
function minutesAgoToday(minutes: number): string {
  const now = Date.now();
  const midnight = Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`);
  return new Date(Math.max(now - minutes * 60_000, midnight + 10 - minutes)).toISOString();
}

t.test('an agent lands on the dashboard, which works without JavaScript and draws an accessible chart', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  const [waiting] = await makeTickets(db, 2, (i) => ({ subject: i === 0 ? 'Printer on fire' : 'Mine', requesterId: customer.id,
    statusId: 2, assigneeId: i === 1 ? agent.id : null, at: minutesAgoToday(i + 1) }));
  const client = new Client(app);
  t.equal((await client.login(agent.email, PASSWORD)).headers.location, '/agent');
  const page = await client.get('/agent');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<a href="\/agent" aria-current="page">Dashboard<\/a>/, 'the top nav links the dashboard');
  t.match(page.body, /<svg role="img" aria-labelledby="chart-title chart-desc"/);
  t.match(page.body, /<title id="chart-title">Tickets created and solved per day<\/title>/);
  t.match(page.body, /<desc id="chart-desc">[^<]*2 tickets created, 0 solved\.<\/desc>/);
  const today = lastDays('UTC', new Date(), 1)[0]!.date;
  t.match(page.body, new RegExp(`<tr data-day="${today}"><th scope="row"><time datetime="${today}">[^<]+</time></th><td>2</td><td>0</td></tr>`));
  t.match(page.body, /data-figure="my_open"><a href="\/agent\/tickets\?view=my_open"><strong>1<\/strong>/);
  t.match(page.body, /data-figure="unassigned"><a href="\/agent\/tickets\?view=unassigned"><strong>1<\/strong>/);
  t.match(page.body, new RegExp(`<a href="/agent/tickets/${waiting}">#${waiting} Printer on fire</a>`), 'the oldest unanswered ticket is linked');
  t.notMatch(page.body, /Set up your desk/, 'the checklist is for admins');
  t.notMatch(page.body, /<script>|style="/, 'no inline script or style');
});

t.test('customers cannot open the dashboard', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);
  t.equal((await client.get('/agent')).statusCode, 403);
});

t.test('a desk without tickets says so and suggests the next step', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const client = new Client(app);
  await client.login(agent.email, PASSWORD);
  const page = await client.get('/agent');
  t.match(page.body, /Every open ticket has had an answer from the team\. <a href="\/agent\/tickets\/new">/);
  t.match(page.body, /No ratings yet/);
});
