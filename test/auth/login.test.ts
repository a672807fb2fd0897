import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('a customer logs in and lands on the portal; an agent lands on /agent', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const agent = await makeUser(db, 'agent');

  const page = await new Client(app).get('/login');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<label for="f-email">Email/);
  t.match(page.body, /<label for="f-password">Password/);

  const asCustomer = new Client(app);
  const res = await asCustomer.login(customer.email, PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/portal');
  t.equal((await asCustomer.get('/portal')).statusCode, 200);

  const asAgent = new Client(app);
  t.equal((await asAgent.login(agent.email, PASSWORD)).headers.location, '/agent');
});
