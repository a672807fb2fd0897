import t from 'tap';
import { ensureSeedTypes } from '../../src/ops/demo-types.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

// The three types of seed 000. Nothing in the code names them: what they do comes from their attributes.
t.test('seed 000\'s types behave as the manual says, through their attributes', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const types = await ensureSeedTypes(db);
  t.same(await ensureSeedTypes(db), types, 'created once');
  const customer = await makeUser(db, 'customer', { email: 'cora@example.test' });
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);

  await agent.get('/agent/tickets/new');
  await agent.post('/agent/tickets', { requesterEmail: customer.email, subject: 'Account for Cora', message: 'Created', typeId: String(types.accountCreated) });
  const account = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id')
    .select(['statuses.name', 'tickets.closed_at', 'tickets.priority']).where('subject', '=', 'Account for Cora').executeTakeFirstOrThrow();
  t.equal(account.name, 'Closed', 'Account created: recorded straight as Closed');
  t.ok(account.closed_at);

  const [domain] = await makeTickets(db, 1, { requesterId: customer.id, typeId: types.domainApproval, subject: 'Approve acme.test' });
  await db.insertInto('ticket_field_values').values({ ticket_id: domain!, field_id: types.domainField, value: 'acme.test' }).execute();
  const page = await agent.get(`/agent/tickets/${domain}`);
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, 'value="reply"', 'Domain approval: no reply to the requester is offered');
  t.equal((await agent.post(`/agent/tickets/${domain}/messages`, { kind: 'reply', body: 'Hi' })).statusCode, 422, '...nor accepted');
  t.match((await agent.post(`/agent/tickets/${domain}/status`, { statusId: '4' })).body, 'Fill in Domain Approved before moving the ticket to Solved.');
  await db.insertInto('ticket_field_values').values({ ticket_id: domain!, field_id: types.approvalField, value: 'cleared' }).execute();
  t.equal((await agent.post(`/agent/tickets/${domain}/status`, { statusId: '4' })).statusCode, 303, 'set to Cleared: it can be solved');

  const [care] = await makeTickets(db, 1, { requesterId: customer.id, typeId: types.careCoordination, subject: 'Care plan' });
  await agent.get(`/agent/tickets/${care}`);
  t.equal((await agent.post(`/agent/tickets/${care}/messages`, { kind: 'reply', body: 'We booked your visit' })).statusCode, 303);
  const portal = new Client(app);
  await portal.login(customer.email, PASSWORD);
  t.match((await portal.get(`/portal/tickets/${care}`)).body, 'We booked your visit', 'Care coordination: comments reach the requester');
});
