import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

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
  t.match(general.body, /<select id="p-field_domain_approved" name="field_domain_approved"[^>]*>[\s\S]*?<option value="Cleared" selected>Cleared<\/option>/,
    'the side panel shows the field value');
});

t.test('General shows every message; Updates and Internal Updates only their own kind', async (t) => {
  const { client, id, db, agent } = await setup(t);
  const add = (kind: 'reply' | 'update' | 'note', text: string) => makeMessage(db, id, { authorId: agent.id, kind, text });
  await add('reply', 'REPLY-TEXT');
  await add('update', 'UPDATE-TEXT');
  await add('note', 'NOTE-TEXT');
  const tab = (name: string) => client.page(`/agent/tickets/${id}?tab=${name}`);
  const general = await tab('general');
  t.match(general, /REPLY-TEXT[\s\S]*UPDATE-TEXT[\s\S]*NOTE-TEXT/, 'General is the whole story, in time order');
  t.match(general, /<article class="message message-note by-staff">\s*<header>[\s\S]*?<span class="badge badge-internal">Internal<\/span>[\s\S]*?NOTE-TEXT/,
    'the note is labelled Internal');
  const updates = await tab('updates');
  t.match(updates, 'UPDATE-TEXT');
  t.notMatch(updates, 'REPLY-TEXT');
  t.notMatch(updates, 'NOTE-TEXT');
  const internal = await tab('internal');
  t.match(internal, 'NOTE-TEXT');
  t.notMatch(internal, 'REPLY-TEXT');
  t.match(internal, '<span class="badge badge-internal">Internal</span>');
  t.match(internal, /<a href="\/agent\/tickets\/\d+\?tab=internal" hx-get="[^"]+" hx-target="#ticket-main" hx-select="#ticket-main" hx-swap="outerHTML" hx-push-url="true" hx-sync="closest nav:replace" aria-current="page">Internal Updates/);
  t.match(await tab('nonsense'), 'REPLY-TEXT', 'an unknown tab falls back to General');

  const customer = new Client(client.app);
  const row = await db.selectFrom('users').select('email').where('role', '=', 'customer').executeTakeFirstOrThrow();
  await customer.login(row.email, PASSWORD);
  const portal = await customer.get(`/portal/tickets/${id}`);
  t.equal(portal.statusCode, 200);
  t.match(portal.body, 'REPLY-TEXT');
  t.match(portal.body, 'UPDATE-TEXT', 'public updates are the customer\'s service record');
  t.notMatch(portal.body, 'NOTE-TEXT');
});

t.test('when its assignee first opens a new ticket it becomes Open; others looking change nothing', async (t) => {
  const { client, id, db, agent } = await setup(t);
  const statusOf = async () => (await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id;
  const fromDesk = { 'sec-fetch-site': 'same-origin' };
  await client.get(`/agent/tickets/${id}`, fromDesk);
  t.equal(await statusOf(), 1, 'not assigned to the viewer: still New');
  await db.updateTable('tickets').set({ assignee_id: agent.id }).where('id', '=', id).execute();
  const page = await client.get(`/agent/tickets/${id}`, fromDesk);
  t.equal(await statusOf(), 2, 'the assignee opened it: Open');
  t.match(page.body, /<li class="status-step current" aria-current="step">[\s\S]*?Open <span/);
  t.equal((await db.selectFrom('ticket_events').selectAll().where('kind', '=', 'status').executeTakeFirstOrThrow()).actor_id, agent.id);

  const other = await makeTickets(db, 1, { requesterId: (await makeUser(db, 'customer')).id, assigneeId: agent.id });
  await db.insertInto('settings').values({ key: 'open_on_first_view', value: '0' }).execute();
  await client.get(`/agent/tickets/${other[0]}`, fromDesk);
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', other[0]!).executeTakeFirstOrThrow()).status_id, 1, 'the setting turns it off');
});

t.test('a link on another site opening the assignee\'s new ticket leaves it New; the desk\'s own pages, a typed address or an old browser\'s same-host Referer open it', async (t) => {
  const { client, db, agent, customer } = await setup(t);
  const ticket = async () => (await makeTickets(db, 1, { requesterId: customer.id, assigneeId: agent.id }))[0]!;
  const statusOf = async (id: number) => (await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id;
  const visit = async (headers: Record<string, string>) => {
    const id = await ticket();
    const page = await client.get(`/agent/tickets/${id}`, headers);
    t.equal(page.statusCode, 200, 'the page is shown either way');
    return statusOf(id);
  };
  t.equal(await visit({ 'sec-fetch-site': 'cross-site' }), 1, 'cross-site link: still New');
  t.equal(await visit({ 'sec-fetch-site': 'same-site' }), 1, 'a neighbouring subdomain is another site: still New');
  t.equal(await visit({ 'sec-fetch-site': 'cross-site', referer: 'http://localhost/agent/tickets' }), 1, 'the browser\'s header wins over a Referer');
  t.equal(await visit({}), 1, 'no header at all (a script, a link checker): still New');
  t.equal(await visit({ referer: 'https://evil.test/page' }), 1, 'an old browser coming from another site: still New');
  t.equal(await visit({ 'sec-fetch-site': 'same-origin' }), 2, 'from the desk\'s own page: Open');
  t.equal(await visit({ 'sec-fetch-site': 'none' }), 2, 'typed or bookmarked: Open');
  t.equal(await visit({ referer: 'http://localhost:80/agent/tickets' }), 2, 'an old browser coming from our own list: Open');
  t.equal(await db.selectFrom('ticket_events').select(db.fn.countAll<number>().as('n')).where('kind', '=', 'status').executeTakeFirstOrThrow().then((r) => Number(r.n)), 3,
    'a status event only for the three that opened');
});

t.test('after a change the confirmation shows inside the part htmx swaps, and the address names the shown tab', async (t) => {
  const { client, id } = await setup(t);
  await client.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'Noted' });
  const page = await client.get(`/agent/tickets/${id}?tab=internal`);
  t.match(page.body, /<div id="ticket-main" class="ticket-main">\s*<div class="ticket">\s*<p class="flash" role="status">Internal note added.<\/p>/);
  t.equal(page.headers['hx-replace-url'], `/agent/tickets/${id}?tab=internal`);
});
