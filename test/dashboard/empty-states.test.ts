import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('on a new desk the empty lists say what goes there and offer the next step', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const list = await agent.page('/agent/tickets');
  t.match(list, /No tickets yet\. Tickets arrive from the portal and by email/);
  t.match(list, /<a href="\/agent\/tickets\/new">Open a ticket<\/a>/);
  t.notMatch(list, /<table/, 'no empty table');
  const offers = (await agent.get('/agent/offers')).body;
  t.match(offers, /No open offers for you\. When a ticket&#39;s type offers work to agents/);
  t.match(offers, /<a href="\/agent\/tickets\?view=my_open">See my open tickets<\/a>/);
  const views = (await agent.get('/agent/views')).body;
  t.match(views, /No saved views yet\. Filter the ticket list/);
  t.match(views, /<a href="\/agent\/tickets">Go to the ticket list<\/a>/);

  const customer = new Client(app);
  await customer.login((await makeUser(db, 'customer')).email, PASSWORD);
  const mine = (await customer.get('/portal/tickets')).body;
  t.match(mine, /When you ask us for help, your request and our answers appear here\./);
  t.match(mine, /<a href="\/portal\/tickets\/new">Submit a ticket<\/a>/);
});
