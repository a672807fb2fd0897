import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

t.test('the details page offers "Mark as spam", which asks before it deletes', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const [id] = await makeTickets(db, 1, { requesterId: (await makeUser(db, 'customer')).id });
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const page = await agent.get(`/agent/tickets/${id}`);
  t.match(page.body, `<a class="button" href="/agent/tickets/${id}/spam">Mark as spam</a>`);
  t.equal((await agent.get(`/agent/tickets/${id}/spam`)).statusCode, 200);
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 1, 'asking changes nothing');
});
