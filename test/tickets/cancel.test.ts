import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

type Desk = Awaited<ReturnType<typeof buildTestDesk>>;

async function addCancelled(db: Desk['db']): Promise<number> {
  const row = await db.insertInto('statuses').values({ name: 'Cancelled', customer_label: 'Cancelled', category: 'cancelled', position: 9, is_default_for_category: 1 })
    .returning('id').executeTakeFirstOrThrow();
  return row.id;
}

async function setup(t: Test, withCancelled = true) {
  const desk = await buildTestDesk(t);
  const { app, db } = desk;
  const cancelledId = withCancelled ? await addCancelled(db) : null;
  const customer = await makeUser(db, 'customer', { name: 'Cora Customer' });
  const agent = await makeUser(db, 'agent', { name: 'Andy Agent' });
  const [id] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Broken boiler' });
  const login = async (email: string) => {
    const client = new Client(app);
    await client.login(email, PASSWORD);
    return client;
  };
  const statusOf = async () => (await db.selectFrom('tickets').select('status_id').where('id', '=', id!).executeTakeFirstOrThrow()).status_id;
  return { ...desk, cancelledId, customer, agent, id: id!, login, statusOf };
}

t.test('without a cancelled status there is no Cancel link and the routes answer 404', async (t) => {
  const { id, customer, agent, login, statusOf } = await setup(t, false);
  const cora = await login(customer.email);
  t.notMatch(await cora.page(`/portal/tickets/${id}`), '/cancel"');
  t.equal((await cora.get(`/portal/tickets/${id}/cancel`)).statusCode, 404);
  t.equal((await cora.post(`/portal/tickets/${id}/cancel`, { reason: 'No longer needed' })).statusCode, 404);
  const andy = await login(agent.email);
  t.notMatch(await andy.page(`/agent/tickets/${id}`), '/cancel"');
  t.equal((await andy.get(`/agent/tickets/${id}/cancel`)).statusCode, 404);
  t.equal((await andy.post(`/agent/tickets/${id}/cancel`, { reason: 'Duplicate' })).statusCode, 404);
  t.equal(await statusOf(), 1);
});

t.test('the requester cancels with a reason; the history keeps it and the agent sees it', async (t) => {
  const { db, id, customer, agent, login, statusOf, cancelledId } = await setup(t);
  const cora = await login(customer.email);
  t.match((await cora.get(`/portal/tickets/${id}`)).body, `href="/portal/tickets/${id}/cancel"`);
  const confirm = await cora.get(`/portal/tickets/${id}/cancel`);
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, 'Reason');
  t.match(confirm.body, 'Cancel ticket');
  t.equal(await statusOf(), 1, 'asking changes nothing');

  const res = await cora.post(`/portal/tickets/${id}/cancel`, { reason: 'Fixed it myself' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/portal/tickets/${id}`);
  t.equal(await statusOf(), cancelledId);
  const events = await db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value', 'actor_id']).where('ticket_id', '=', id).orderBy('id').execute();
  t.match(events, [{ kind: 'cancelled', to_value: 'Cancelled', actor_id: customer.id }, { kind: 'cancel_reason', to_value: 'Fixed it myself', actor_id: customer.id }]);
  const page = await cora.page(`/portal/tickets/${id}`);
  t.match(page, 'Cancelled: Fixed it myself', 'the customer sees the reason');
  t.notMatch(page, '/cancel"', 'no Cancel link any more');
  t.equal((await cora.post(`/portal/tickets/${id}/cancel`, { reason: 'Again' })).statusCode, 409, 'twice: refused');

  const andy = await login(agent.email);
  const history = await andy.page(`/agent/tickets/${id}?tab=history`);
  t.match(history, 'Cancellation reason');
  t.match(history, 'Fixed it myself');
  t.notMatch(history, `/agent/tickets/${id}/cancel"`);
});

t.test('an agent cancels from the details view', async (t) => {
  const { db, id, agent, login, statusOf, cancelledId } = await setup(t);
  const andy = await login(agent.email);
  t.match((await andy.get(`/agent/tickets/${id}`)).body, `href="/agent/tickets/${id}/cancel"`);
  t.equal((await andy.get(`/agent/tickets/${id}/cancel`)).statusCode, 200);
  const res = await andy.post(`/agent/tickets/${id}/cancel`, { reason: 'Duplicate of another ticket' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/agent/tickets/${id}`);
  t.equal(await statusOf(), cancelledId);
  const reason = await db.selectFrom('ticket_events').selectAll().where('kind', '=', 'cancel_reason').executeTakeFirstOrThrow();
  t.same([reason.to_value, reason.actor_id], ['Duplicate of another ticket', agent.id]);
});

t.test('an empty or overlong reason is refused with 422 and nothing changes', async (t) => {
  const { db, id, customer, agent, login, statusOf } = await setup(t);
  const cora = await login(customer.email);
  await cora.get(`/portal/tickets/${id}/cancel`);
  const empty = await cora.post(`/portal/tickets/${id}/cancel`, { reason: '   ' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'aria-invalid="true"');
  t.match(empty.body, 'class="error"');
  const andy = await login(agent.email);
  await andy.get(`/agent/tickets/${id}/cancel`);
  t.equal((await andy.post(`/agent/tickets/${id}/cancel`, { reason: 'x'.repeat(1001) })).statusCode, 422);
  t.equal(await statusOf(), 1);
  t.equal((await db.selectFrom('ticket_events').select('id').where('ticket_id', '=', id).execute()).length, 0);
});

t.test("a CC'd customer or another customer cannot cancel", async (t) => {
  const { db, id, login, statusOf } = await setup(t);
  const dan = await makeUser(db, 'customer', { email: 'dan@example.test' });
  await makeCcs(db, id, dan.id);
  const ccd = await login(dan.email);
  t.notMatch(await ccd.page(`/portal/tickets/${id}`), '/cancel"', 'no link for a CC');
  t.equal((await ccd.get(`/portal/tickets/${id}/cancel`)).statusCode, 403);
  t.equal((await ccd.post(`/portal/tickets/${id}/cancel`, { reason: 'Not mine' })).statusCode, 403);
  const eve = await login((await makeUser(db, 'customer', { email: 'eve@example.test' })).email);
  t.equal((await eve.get(`/portal/tickets/${id}/cancel`)).statusCode, 404);
  t.equal((await eve.post(`/portal/tickets/${id}/cancel`, { reason: 'Guessing ids' })).statusCode, 404);
  t.equal(await statusOf(), 1);
});

t.test('a solved ticket cannot be cancelled', async (t) => {
  const { db, id, customer, agent, login, statusOf } = await setup(t);
  await db.updateTable('tickets').set({ status_id: 4 }).where('id', '=', id).execute();
  const cora = await login(customer.email);
  t.notMatch(await cora.page(`/portal/tickets/${id}`), '/cancel"');
  const refused = await cora.post(`/portal/tickets/${id}/cancel`, { reason: 'Too late' });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, 'can no longer be cancelled');
  const andy = await login(agent.email);
  t.notMatch(await andy.page(`/agent/tickets/${id}`), '/cancel"');
  t.equal((await andy.get(`/agent/tickets/${id}/cancel`)).statusCode, 409);
  t.equal(await statusOf(), 4);
});

t.test('cancelling needs the CSRF token', async (t) => {
  const { id, customer, login, statusOf } = await setup(t);
  const cora = await login(customer.email);
  t.equal((await cora.post(`/portal/tickets/${id}/cancel`, { reason: 'No token', _csrf: '' })).statusCode, 403);
  t.equal(await statusOf(), 1);
});
