import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';

async function acme(db: Db) {
  return (await db.insertInto('organizations').values({ name: 'Acme', domains: 'acme.test,acme-corp.test', created_at: new Date().toISOString() })
    .returning('id').executeTakeFirstOrThrow()).id;
}

async function staff(app: Client['app'], db: Db, role: 'agent' | 'admin' = 'agent') {
  const client = new Client(app);
  await client.login((await makeUser(db, role)).email, PASSWORD);
  return client;
}

const orgOf = async (db: Db, email: string) =>
  (await db.selectFrom('users').select('organization_id').where('email', '=', email).executeTakeFirstOrThrow()).organization_id;

t.test('a ticket an agent opens for a new address at an organisation\'s domain puts the newcomer (and the ticket) in it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const org = await acme(db);
  const agent = await staff(app, db);
  await agent.get('/agent/tickets/new');
  const res = await agent.post('/agent/tickets', { requesterEmail: 'newbie@ACME-corp.test', requesterName: 'New Bie', subject: 'Hello', message: 'Help', typeId: '1' });
  t.equal(res.statusCode, 303);
  t.equal(await orgOf(db, 'newbie@acme-corp.test'), org);
  const ticket = await db.selectFrom('tickets').select('organization_id').executeTakeFirstOrThrow();
  t.equal(ticket.organization_id, org, 'the ticket belongs to the organisation too');

  await agent.get('/agent/tickets/new');
  await agent.post('/agent/tickets', { requesterEmail: 'someone@sub.acme.test', subject: 'Hi', message: 'Hi', typeId: '1' });
  t.equal(await orgOf(db, 'someone@sub.acme.test'), null, 'a subdomain is not the domain');
  await agent.post('/agent/tickets', { requesterEmail: 'other@elsewhere.test', subject: 'Hi', message: 'Hi', typeId: '1' });
  t.equal(await orgOf(db, 'other@elsewhere.test'), null);
});

t.test('an invitation, from an agent or an admin, joins the domain\'s organisation unless one is chosen', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const org = await acme(db);
  const other = (await db.insertInto('organizations').values({ name: 'Other', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow()).id;
  const agent = await staff(app, db);
  await agent.get('/agent/customers/invite');
  t.equal((await agent.post('/agent/customers/invite', { name: 'Ivy', email: 'ivy@acme.test' })).statusCode, 303);
  t.equal(await orgOf(db, 'ivy@acme.test'), org);
  await agent.post('/agent/customers/invite', { name: 'Chosen', email: 'chosen@acme.test', organizationId: String(other) });
  t.equal(await orgOf(db, 'chosen@acme.test'), other, 'a chosen organisation wins');

  const admin = await staff(app, db, 'admin');
  await admin.get('/admin/users/new');
  t.equal((await admin.post('/admin/users', { name: 'Ann', email: 'ann@acme.test', role: 'customer', method: 'invite' })).statusCode, 303);
  t.equal(await orgOf(db, 'ann@acme.test'), org);
  await app.worker.consume();
  t.equal((await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute()).length, 3, 'three invitation mails');
  await admin.post('/admin/users', { name: 'Stan', email: 'stan@acme.test', role: 'agent', method: 'invite' });
  t.equal(await orgOf(db, 'stan@acme.test'), null, 'staff never join customer organisations');
});

t.test('a CC of a new address joins too', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const org = await acme(db);
  const customer = await makeUser(db, 'customer', { email: 'owner@elsewhere.test' });
  const ticket = await makeTicket(db, { subject: 'Mine', requesterId: customer.id, channel: 'portal', createdById: customer.id });
  const client = new Client(app);
  await client.login(customer.email, PASSWORD);
  await client.get(`/portal/tickets/${ticket}`);
  const res = await client.post(`/portal/tickets/${ticket}/ccs`, { email: 'boss@acme.test' });
  t.equal(res.statusCode, 303);
  t.equal(await orgOf(db, 'boss@acme.test'), org);
});
