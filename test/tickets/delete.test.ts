import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

t.test('an admin deletes a ticket after confirming; the audit log keeps the record', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin', { name: 'Ada Admin' });
  const customer = await makeUser(db, 'customer', { email: 'cora@example.test' });
  const [id, keep] = await makeTickets(db, 2, { requesterId: customer.id, subject: 'Spam spam spam' });
  await makeMessage(db, id!, { authorId: null, kind: 'reply', text: 'x', at: '2026-01-01T00:00:00Z' });
  const client = new Client(app);
  await client.login(admin.email, PASSWORD);
  t.match((await client.get(`/agent/tickets/${id}`)).body, `href="/agent/tickets/${id}/delete"`);

  const confirm = await client.get(`/agent/tickets/${id}/delete`);
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, `Delete ticket #${id}?`);
  t.equal((await db.selectFrom('tickets').select('id').where('id', '=', id!).execute()).length, 1, 'asking changes nothing');

  const res = await client.post(`/agent/tickets/${id}/delete`);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/agent/tickets');
  // Into the recycle bin (issue 20): out of every scope, whole until restored or purged (test/bin/).
  t.same((await db.selectFrom('tickets').select('id').where('binned_at', 'is', null).execute()).map((r) => r.id), [keep]);
  t.match(await db.selectFrom('tickets').select(['binned_reason', 'binned_by_id']).where('id', '=', id!).executeTakeFirst(), { binned_reason: 'deleted', binned_by_id: admin.id }, 'in the bin');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 1, 'its messages kept with it');
  const audit = await db.selectFrom('audit_log').selectAll().executeTakeFirstOrThrow();
  t.same([audit.action, audit.subject_id, audit.actor_id], ['ticket.deleted', id, admin.id]);
  t.match(JSON.parse(audit.details), { subject: 'Spam spam spam', requester: 'cora@example.test', messages: 1 });
  t.equal((await client.get(`/agent/tickets/${id}`)).statusCode, 404);
});

t.test('agents and supervisors cannot delete tickets', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const [id] = await makeTickets(db, 1, { requesterId: (await makeUser(db, 'customer')).id });
  for (const role of ['agent', 'supervisor'] as const) {
    const client = new Client(app);
    await client.login((await makeUser(db, role)).email, PASSWORD);
    t.notMatch(await client.page(`/agent/tickets/${id}`), '/delete"', `${role}: no Delete button`);
    t.equal((await client.get(`/agent/tickets/${id}/delete`)).statusCode, 403);
    t.equal((await client.post(`/agent/tickets/${id}/delete`)).statusCode, 403);
  }
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 1);
  t.equal((await db.selectFrom('audit_log').select('id').execute()).length, 0);
});
