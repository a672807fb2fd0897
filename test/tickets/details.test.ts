import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Broken VPN' });
  const client = new Client(desk.app);
  await client.login(agent.email, PASSWORD);
  return { ...desk, agent, customer, id: id!, client };
}

t.test('the status bar shows the workflow with the current status highlighted, and a visibility badge', async (t) => {
  const { client, id } = await setup(t);
  const page = await client.get(`/agent/tickets/${id}`);
  t.equal(page.statusCode, 200);
  const steps = [...page.body.matchAll(/<li class="status-step( current)?"/g)];
  t.equal(steps.length, 5, 'one step per status of the Simple workflow');
  t.match(page.body, /<li class="status-step current" aria-current="step">[\s\S]*?New <span class="visually-hidden">\(current status\)/);
  t.match(page.body, '<span class="badge visibility-public">Public</span>');
  t.match(page.body, `hx-post="/agent/tickets/${id}/status" hx-target="#ticket-main" hx-select="#ticket-main"`);
});

t.test('clicking a status moves the ticket, records who did it, and stamps solved; reopening clears it', async (t) => {
  const { client, id, db } = await setup(t);
  await client.get(`/agent/tickets/${id}`);
  const solved = await client.post(`/agent/tickets/${id}/status`, { statusId: '4' });
  t.equal(solved.statusCode, 303);
  let ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(ticket.status_id, 4);
  t.ok(ticket.solved_at, 'solved_at stamped');
  t.equal(ticket.closed_at, null);

  await client.post(`/agent/tickets/${id}/status`, { statusId: '5' });
  ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.ok(ticket.closed_at, 'closed_at stamped');

  await client.post(`/agent/tickets/${id}/status`, { statusId: '2' });
  ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.same([ticket.solved_at, ticket.closed_at], [null, null], 'reopening clears both stamps');

  const history = await client.get(`/agent/tickets/${id}?tab=history`);
  t.match(history.body, /<td>Robin Agent<\/td>\s*<td>Status<\/td>\s*<td>New<\/td>\s*<td>Solved<\/td>/);
  t.match(history.body, /<td>Status<\/td>\s*<td>Closed<\/td>\s*<td>Open<\/td>/);
  t.equal((await db.selectFrom('ticket_events').select('id').where('kind', '=', 'status').execute()).length, 3);
});

t.test('a status that does not exist is refused and changes nothing', async (t) => {
  const { client, id, db } = await setup(t);
  await client.get(`/agent/tickets/${id}`);
  const res = await client.post(`/agent/tickets/${id}/status`, { statusId: '99' });
  t.equal(res.statusCode, 422);
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id, 1);
  t.equal((await client.post('/agent/tickets/424242/status', { statusId: '2' })).statusCode, 404);
});

t.test('a field required before Solved blocks the move with a clear message until it is filled', async (t) => {
  const { client, id, db } = await setup(t);
  const field = await db.insertInto('fields').values({ key: 'domain_approved', label: 'Domain Approved', kind: 'dropdown',
    options: '["Approved","Declined","Cleared"]', required_before_category: 'solved', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: field.id, position: 1 }).execute();
  await client.get(`/agent/tickets/${id}`);

  const open = await client.post(`/agent/tickets/${id}/status`, { statusId: '2' });
  t.equal(open.statusCode, 303, 'moving to Open needs nothing');
  const refused = await client.post(`/agent/tickets/${id}/status`, { statusId: '4' });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Fill in Domain Approved before moving the ticket to Solved.');
  t.match(refused.body, 'id="ticket-main"', 'the details page comes back with the message');
  const closed = await client.post(`/agent/tickets/${id}/status`, { statusId: '5' });
  t.equal(closed.statusCode, 422, 'Closed is past Solved: also refused');
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id, 2);

  await db.insertInto('ticket_field_values').values({ ticket_id: id, field_id: field.id, value: 'Cleared' }).execute();
  t.equal((await client.post(`/agent/tickets/${id}/status`, { statusId: '4' })).statusCode, 303);
  const general = await client.get(`/agent/tickets/${id}`);
  t.match(general.body, /<dt>Domain Approved<\/dt><dd>Cleared<\/dd>/, 'the General tab shows the field value');
});

t.test('each tab shows its own messages: replies, public updates, internal notes, history', async (t) => {
  const { client, id, db, agent } = await setup(t);
  const add = (kind: 'reply' | 'update' | 'note', text: string) => db.insertInto('messages').values({ ticket_id: id, author_id: agent.id,
    kind, body_text: text, body_html: `<p>${text}</p>`, via: 'web', email_message_id: null, match_reason: null, created_at: nowIso() }).execute();
  await add('reply', 'REPLY-TEXT');
  await add('update', 'UPDATE-TEXT');
  await add('note', 'NOTE-TEXT');
  const tab = async (name: string) => (await client.get(`/agent/tickets/${id}?tab=${name}`)).body;
  const general = await tab('general');
  t.match(general, 'REPLY-TEXT');
  t.notMatch(general, 'NOTE-TEXT');
  const updates = await tab('updates');
  t.match(updates, 'UPDATE-TEXT');
  t.notMatch(updates, 'REPLY-TEXT');
  const internal = await tab('internal');
  t.match(internal, 'NOTE-TEXT');
  t.match(internal, '<span class="badge badge-internal">Internal note</span>');
  t.match(internal, /<a href="\/agent\/tickets\/\d+\?tab=internal" hx-get="[^"]+" hx-target="#ticket-main" hx-select="#ticket-main" hx-swap="outerHTML" hx-push-url="true" aria-current="page">Internal Updates/);
  t.match(await tab('nonsense'), 'REPLY-TEXT', 'an unknown tab falls back to General');

  const customer = new Client(client.app);
  const row = await db.selectFrom('users').select('email').where('role', '=', 'customer').executeTakeFirstOrThrow();
  await customer.login(row.email, PASSWORD);
  const portal = await customer.get(`/portal/tickets/${id}`);
  t.match(portal.body, 'REPLY-TEXT');
  t.match(portal.body, 'UPDATE-TEXT', 'public updates are the customer\'s service record');
  t.notMatch(portal.body, 'NOTE-TEXT');
});

t.test('when its assignee first opens a new ticket it becomes Open; others looking change nothing', async (t) => {
  const { client, id, db, agent } = await setup(t);
  const statusOf = async () => (await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id;
  await client.get(`/agent/tickets/${id}`);
  t.equal(await statusOf(), 1, 'not assigned to the viewer: still New');
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  const page = await client.get(`/agent/tickets/${id}`);
  t.equal(await statusOf(), 2, 'the assignee opened it: Open');
  t.match(page.body, /<li class="status-step current" aria-current="step">[\s\S]*?Open <span/);
  t.equal((await db.selectFrom('ticket_events').selectAll().where('kind', '=', 'status').executeTakeFirstOrThrow()).actor_id, agent.id);

  const other = await makeTickets(db, 1, { requesterId: (await makeUser(db, 'customer')).id, assigneeId: agent.id });
  await db.insertInto('settings').values({ key: 'open_on_first_view', value: '0' }).execute();
  await client.get(`/agent/tickets/${other[0]}`);
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', other[0]!).executeTakeFirstOrThrow()).status_id, 1, 'the setting turns it off');
});

t.test('after a change the confirmation shows inside the part htmx swaps, and the address names the shown tab', async (t) => {
  const { client, id } = await setup(t);
  await client.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Noted' });
  const page = await client.get(`/agent/tickets/${id}?tab=internal`);
  t.match(page.body, /<div id="ticket-main" class="ticket">\s*<p class="flash" role="status">Internal note added.<\/p>/);
  t.equal(page.headers['hx-replace-url'], `/agent/tickets/${id}?tab=internal`);
});
