import { simpleParser } from 'mailparser';
import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { header, TestSmtpServer } from '../helpers/smtp.js';

async function setup(t: Test) {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const supervisor = await makeUser(desk.db, 'supervisor', { name: 'Sam Supervisor' });
  const agent = await makeUser(desk.db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora Customer', email: 'cora@example.test' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Domain approval for acme.test' });
  const client = new Client(desk.app);
  await client.login(supervisor.email, PASSWORD);
  await client.get(`/agent/tickets/${id}`);
  return { ...desk, smtp, supervisor, agent, customer, id: id!, client };
}

t.test('assigning a ticket to someone else mails them the subject, requester and link', async (t) => {
  const { client, db, app, smtp, id, agent, config } = await setup(t);
  const res = await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) });
  t.equal(res.statusCode, 303);
  const ticket = await db.selectFrom('tickets').select(['assignee_id', 'status_id']).where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(ticket.assignee_id, agent.id);
  t.equal(ticket.status_id, 1, 'the Simple workflow has no assignment status: still New');
  const event = await db.selectFrom('ticket_events').selectAll().where('kind', '=', 'assignee').executeTakeFirstOrThrow();
  t.same([event.from_value, event.to_value], [null, 'Kim Agent']);

  t.equal(await app.worker.drain(), 1);
  t.equal(smtp.received.length, 1, 'the mail arrived at the SMTP server');
  const mail = smtp.received[0]!;
  t.same(mail.to, ['kim@desk.test']);
  t.equal(header(mail.raw, 'Subject'), `[#${id}] Assigned to you: Domain approval for acme.test`);
  t.equal(header(mail.raw, 'Auto-Submitted'), 'auto-generated');
  const parsed = await simpleParser(mail.raw);
  t.match(parsed.text, /^Hello Kim Agent,\n\nSam Supervisor assigned a ticket to you:\n\n  #\d+ Domain approval for acme.test\n  Requester: Cora Customer <cora@example.test>\n/, 'a readable plain-text part, unescaped');
  t.match(parsed.html, 'Cora Customer &lt;cora@example.test&gt;', 'and an HTML part, escaped');
  t.match(mail.raw, `${config.baseUrl}/agent/tickets/${id}`);
  t.match((await client.get(`/agent/tickets/${id}?tab=history`)).body, /<td>Assignee<\/td>\s*<td><\/td>\s*<td>Kim Agent<\/td>/);
});

t.test('"Assign to me" sends no mail to oneself', async (t) => {
  const { client, db, app, smtp, id, supervisor } = await setup(t);
  const page = await client.get(`/agent/tickets/${id}`);
  t.match(page.body, 'Assign to me');
  await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: 'me' });
  t.equal((await db.selectFrom('tickets').select('assignee_id').where('id', '=', id).executeTakeFirstOrThrow()).assignee_id, supervisor.id);
  t.equal(await app.worker.drain(), 0);
  t.equal(smtp.received.length, 0);
  t.notMatch(await client.page(`/agent/tickets/${id}`), 'Assign to me', 'the button goes once it is yours');
});

t.test('with an assignment status set, assigning a new ticket moves it there', async (t) => {
  const { client, db, id, agent } = await setup(t);
  await db.insertInto('settings').values({ key: 'assignment_status_id', value: '2' }).execute();
  await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) });
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id, 2);
  const kinds = (await db.selectFrom('ticket_events').select('kind').orderBy('id').execute()).map((e) => e.kind);
  t.same(kinds, ['assignee', 'status']);
});

t.test('only active staff can be assigned; unassigning clears it', async (t) => {
  const { client, db, id, customer, agent } = await setup(t);
  t.equal((await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(customer.id) })).statusCode, 422);
  t.equal((await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: 'someone' })).statusCode, 422);
  await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: String(agent.id) });
  await client.post(`/agent/tickets/${id}/assignment`, { assigneeId: '' });
  t.equal((await db.selectFrom('tickets').select('assignee_id').where('id', '=', id).executeTakeFirstOrThrow()).assignee_id, null);
});
