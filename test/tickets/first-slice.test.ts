import t from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

t.test('an agent opens a ticket for a new customer, finds it in the list and opens it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent', { name: 'Robin Agent' })).email, PASSWORD);

  const form = await agent.get('/agent/tickets/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, 'Requester email');

  const res = await agent.post('/agent/tickets', {
    requesterEmail: 'Cora@Example.test', requesterName: 'Cora Customer', subject: 'Printer <offline>',
    message: 'It says "paper jam".\n\nBut there is no paper.', priority: 'high',
  });
  t.equal(res.statusCode, 303);
  const id = Number(/^\/agent\/tickets\/(\d+)$/.exec(String(res.headers.location))?.[1]);
  t.ok(id > 0, 'redirected to the new ticket');

  const ticket = await db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.subject', 'tickets.priority', 'tickets.channel', 'users.email', 'users.role', 'users.name'])
    .where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { subject: 'Printer <offline>', priority: 'high', channel: 'agent', email: 'cora@example.test', role: 'customer', name: 'Cora Customer' });
  t.equal((await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).execute())[0]?.kind, 'created');

  const details = await agent.get(`/agent/tickets/${id}`);
  t.equal(details.statusCode, 200);
  t.match(details.body, 'Printer &lt;offline&gt;', 'the subject is escaped');
  t.match(details.body, '<p>It says &quot;paper jam&quot;.</p>');
  t.match(details.body, 'Cora Customer');

  const list = await agent.get('/agent/tickets?view=all');
  t.match(list.body, `href="/agent/tickets/${id}"`);
  t.match(list.body, 'Cora Customer');
  t.match(list.body, 'High');
});

t.test('a ticket form with mistakes comes back with messages and the typed values, and nothing is stored', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const res = await agent.post('/agent/tickets', { requesterEmail: 'nope', subject: 'Kept subject', message: '' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Enter an email address like name@example.com.');
  t.match(res.body, 'This field is required.');
  t.match(res.body, 'value="Kept subject"');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);
  t.equal((await db.selectFrom('users').select('id').where('role', '=', 'customer').execute()).length, 0);

  const staff = await makeUser(db, 'supervisor');
  const asStaff = await agent.post('/agent/tickets', { requesterEmail: staff.email, subject: 'x', message: 'y' });
  t.equal(asStaff.statusCode, 422);
  t.match(asStaff.body, 'belongs to a staff member');
});

t.test('a customer sees their own tickets in the portal, never internal notes, and never another customer\'s ticket', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const cora = await makeUser(db, 'customer', { name: 'Cora' });
  const dan = await makeUser(db, 'customer', { name: 'Dan' });

  const open = async (email: string, subject: string) => {
    const res = await agent.post('/agent/tickets', { requesterEmail: email, subject, message: 'Hello' });
    return Number(String(res.headers.location).split('/').pop());
  };
  const coraTicket = await open(cora.email, 'Cora needs help');
  const danTicket = await open(dan.email, 'Dan needs help');
  await makeMessage(db, coraTicket, { authorId: null, kind: 'note', text: 'CANARY-NOTE' });

  const customer = new Client(app);
  await customer.login(cora.email, PASSWORD);
  const portal = await customer.get('/portal');
  t.equal(portal.statusCode, 200);
  t.match(portal.body, 'Cora needs help');
  t.notMatch(portal.body, 'Dan needs help');

  const mine = await customer.get(`/portal/tickets/${coraTicket}`);
  t.equal(mine.statusCode, 200);
  t.match(mine.body, 'Hello');
  t.notMatch(mine.body, 'CANARY-NOTE', 'internal notes stay internal');
  t.match(mine.body, 'Received', 'the customer-facing status label is shown');

  const theirs = await customer.get(`/portal/tickets/${danTicket}`);
  t.equal(theirs.statusCode, 404, 'another customer\'s ticket is not found, not forbidden');
  t.equal((await customer.get('/portal/tickets/999999')).statusCode, 404);
  t.equal((await customer.get(`/agent/tickets/${coraTicket}`)).statusCode, 403);
});

t.test('the agent list pages with a keyset cursor: 50 per page, then the rest', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const customer = await makeUser(db, 'customer');
  const base = Date.parse('2026-01-01T00:00:00Z');
  // Pairs share a time: the id breaks the tie. Made oldest first, so newest first is the ids reversed.
  const ids = await makeTickets(db, 60, (i) => ({ requesterId: customer.id, at: new Date(base + Math.floor(i / 2) * 60_000).toISOString() }));
  const newestFirst = [...ids].reverse();

  const first = await agent.get('/agent/tickets?view=all');
  const firstIds = [...first.body.matchAll(/href="\/agent\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
  t.same(firstIds, newestFirst.slice(0, 50), '50, newest activity first');
  const next = /href="\?view=all&amp;after=([^"]+)"/.exec(first.body)?.[1];
  t.ok(next, 'a link to older tickets');
  const second = await agent.get(`/agent/tickets?after=${next}`);
  t.equal(second.statusCode, 200);
  const secondIds = [...second.body.matchAll(/href="\/agent\/tickets\/(\d+)"/g)].map((m) => Number(m[1]));
  t.same(secondIds, newestFirst.slice(50), 'then the other 10');
  t.notMatch(second.body, /<p class="pager">/, 'no further page');
});

t.test('a new customer is invited by mail; an existing one and internal tickets are not', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  await agent.get('/agent/tickets/new');
  await agent.post('/agent/tickets', { requesterEmail: 'newbie@example.test', requesterName: 'Nia Newbie', subject: 'Hello', message: 'First' });
  await app.worker.consume(); // the notifications consumer sends the invitation
  const jobs = await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').execute();
  t.equal(jobs.length, 1);
  const mail = JSON.parse(jobs[0]!.payload) as { to: string[]; subject: string; text: string };
  t.same(mail.to, ['newbie@example.test']);
  t.equal(mail.subject, 'Your account at Help Desk');
  const link = /(http\S+\/welcome\?token=\S+)/.exec(mail.text)?.[1];
  t.ok(link, 'the mail carries a Create password link');
  const page = await new Client(app).get(new URL(link!).pathname + new URL(link!).search);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'value="newbie@example.test" readonly');

  await agent.post('/agent/tickets', { requesterEmail: 'newbie@example.test', subject: 'Again', message: 'Second' });
  await agent.post('/agent/tickets', { requesterEmail: 'quiet@example.test', subject: 'Staff only', message: 'Internal', visibility: 'internal' });
  await app.worker.consume();
  t.equal((await db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute()).length, 1, 'no more invitations');
  const internal = await db.selectFrom('tickets').innerJoin('messages', 'messages.ticket_id', 'tickets.id')
    .select(['tickets.visibility', 'messages.kind']).where('tickets.subject', '=', 'Staff only').executeTakeFirstOrThrow();
  t.same(internal, { visibility: 'internal', kind: 'note' }, 'an internal ticket\'s text is an internal note');
});

t.test('a type with an initial status opens tickets there, stamped (Account created is recorded as Closed)', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const type = await db.insertInto('ticket_types').values({ name: 'Account created', initial_status_id: 5, default_priority: 'low', created_at: '2026-01-01T00:00:00Z' })
    .returning('id').executeTakeFirstOrThrow();
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  await agent.get('/agent/tickets/new');
  await agent.post('/agent/tickets', { requesterEmail: 'c@example.test', subject: 'Account for Cora', message: 'Created', typeId: String(type.id) });
  const ticket = await db.selectFrom('tickets').selectAll().where('subject', '=', 'Account for Cora').executeTakeFirstOrThrow();
  t.equal(ticket.status_id, 5);
  t.ok(ticket.closed_at, 'closed_at stamped');
  t.equal(ticket.priority, 'low', "the type's default priority");
});

t.test('the new-ticket form starts on the desk\'s default type', async (t) => {
  const { app, db } = await buildTestDesk(t);
  await db.insertInto('ticket_types').values({ name: 'Account created', initial_status_id: 5, created_at: '2026-01-01T00:00:00Z' }).execute();
  const agent = new Client(app);
  await agent.login((await makeUser(db, 'agent')).email, PASSWORD);
  const form = await agent.get('/agent/tickets/new');
  t.match(form.body, '<option value="1" selected>General</option>');
});
