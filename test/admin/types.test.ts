import t, { type Test } from 'tap';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { panelValue } from '../helpers/panel.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin', { name: 'Ada Admin' });
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  await client.get('/admin/types/new');
  return { ...desk, client, admin };
}

const audits = (db: Awaited<ReturnType<typeof setup>>['db'], action: string) =>
  db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();

const form = {
  name: 'Account created', description: 'A record that an account was created.', customerCanChoose: '', customerFacing: '',
  defaultGroupId: '1', defaultPriority: 'low', initialStatusId: '5',
};

t.test('only admins manage ticket types; others are refused', async (t) => {
  const { app, db } = await setup(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/types')).statusCode, 403, `${role}: the list`);
    t.equal((await other.get('/admin/types/1')).statusCode, 403, `${role}: a type`);
    t.equal((await other.post('/admin/types', form)).statusCode, 403, `${role}: create`);
    t.equal((await other.post('/admin/types/1/retirement', { retired: '1' })).statusCode, 403, `${role}: retire`);
  }
  t.equal((await app.inject({ url: '/admin/types' })).statusCode, 303, 'visitors are sent to log in');
  t.equal((await db.selectFrom('ticket_types').select('id').execute()).length, 1, 'nothing was created');
  t.equal((await db.selectFrom('ticket_types').select('retired_at').executeTakeFirstOrThrow()).retired_at, null);
});

t.test('an admin creates a type (seed 000: Account created, recorded straight as Closed) and sees it listed', async (t) => {
  const { client, db, admin } = await setup(t);
  const page = await client.get('/admin/types/new');
  t.match(page.body, '<h1>New ticket type</h1>');
  t.match(page.body, 'On: the requester takes part.', 'the form explains customer-facing');
  t.match(page.body, /<option value="5">Closed<\/option>/, 'initial status offers the statuses');
  const res = await client.post('/admin/types', form);
  t.equal(res.statusCode, 303);
  const type = await db.selectFrom('ticket_types').selectAll().where('name', '=', 'Account created').executeTakeFirstOrThrow();
  t.equal(res.headers.location, `/admin/types/${type.id}`);
  t.same([type.customer_can_choose, type.customer_facing, type.default_group_id, type.default_priority, type.initial_status_id],
    [0, 0, 1, 'low', 5]);
  t.match((await client.get(`/admin/types/${type.id}`)).body, 'The ticket type was created.');

  const list = await client.get('/admin/types');
  t.match(list.body, /<a href="\/admin\/types\/1">General<\/a><\/td>\s*<td>Yes<\/td>\s*<td>Support<\/td>\s*<td>Normal<\/td>\s*<td>0<\/td>\s*<td>Active<\/td>/);
  t.match(list.body, new RegExp(`<a href="/admin/types/${type.id}">Account created</a></td>\\s*<td>No</td>\\s*<td>Support</td>\\s*<td>Low</td>\\s*<td>0</td>`));

  const [audit] = await audits(db, 'type.created');
  t.same([audit!.actor_id, audit!.subject_type, audit!.subject_id], [admin.id, 'ticket_type', type.id]);
  t.match(JSON.parse(audit!.details), { after: { name: 'Account created', initial_status_id: 5, customer_facing: 0 } });
});

t.test('a form with mistakes comes back with 422, what was typed, and nothing saved', async (t) => {
  const { client, db } = await setup(t);
  const res = await client.post('/admin/types', { ...form, name: 'general', description: 'Typed text', defaultPriority: 'whenever', initialStatusId: '999' });
  t.equal(res.statusCode, 422);
  const error = (name: string) => new RegExp(`id="f-${name}-error">([^<]+)<`).exec(res.body)?.[1];
  t.equal(error('name'), 'Another ticket type already has this name.', 'names are unique whatever their case');
  t.equal(error('defaultPriority'), 'Choose one of the options.');
  t.equal(error('initialStatusId'), 'Choose one of the options.');
  t.match(res.body, 'value="general"');
  t.match(res.body, '>Typed text</textarea>');
  t.match(res.body, 'Some fields need your attention.');
  const empty = await client.post('/admin/types', { ...form, name: '  ' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, /id="f-name-error">This field is required\./);
  t.equal((await db.selectFrom('ticket_types').select('id').execute()).length, 1);
  t.equal((await audits(db, 'type.created')).length, 0, 'no audit entry for a refused change');
});

t.test('editing a type saves it and records only what changed, before → after', async (t) => {
  const { client, db } = await setup(t);
  const page = await client.get('/admin/types/1');
  t.match(page.body, '<input id="f-name" name="name" type="text" value="General"');
  t.match(page.body, /id="f-customerCanChoose" name="customerCanChoose" type="checkbox" value="1" checked/);
  const res = await client.post('/admin/types/1', {
    name: 'Care coordination request', description: 'Ask our team to coordinate care for you.', customerCanChoose: '1', customerFacing: '1',
    defaultGroupId: '1', defaultPriority: 'high', initialStatusId: '',
  });
  t.equal(res.statusCode, 303);
  const type = await db.selectFrom('ticket_types').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  t.same([type.name, type.default_priority, type.description], ['Care coordination request', 'high', 'Ask our team to coordinate care for you.']);
  const shown = await client.get('/admin/types/1');
  t.match(shown.body, 'The ticket type was saved.');
  t.match(shown.body, 'value="Care coordination request"');
  const [audit] = await audits(db, 'type.updated');
  t.same(JSON.parse(audit!.details), {
    name: 'Care coordination request',
    before: { name: 'General', description: 'Questions and problems of any kind.', default_priority: 'normal' },
    after: { name: 'Care coordination request', description: 'Ask our team to coordinate care for you.', default_priority: 'high' },
  });
  await client.post('/admin/types/1', { name: 'Care coordination request', description: 'Ask our team to coordinate care for you.',
    customerCanChoose: '1', customerFacing: '1', defaultGroupId: '1', defaultPriority: 'high', initialStatusId: '' });
  t.equal((await audits(db, 'type.updated')).length, 1, 'saving without changes records nothing');
  t.equal((await client.get('/admin/types/999')).statusCode, 404);
});

t.test('a retired type leaves the new-ticket forms and the portal, and stays on its tickets', async (t) => {
  const { client, db, app } = await setup(t);
  await client.post('/admin/types', { ...form, name: 'Hardware', customerCanChoose: '1', customerFacing: '1', initialStatusId: '' });
  const hardware = await db.selectFrom('ticket_types').select('id').where('name', '=', 'Hardware').executeTakeFirstOrThrow();
  const customer = await makeUser(db, 'customer');
  const agent = await makeUser(db, 'agent');
  const [ticketId] = await makeTickets(db, 1, { requesterId: customer.id, typeId: hardware.id, subject: 'Broken keyboard' });
  const customerClient = new Client(app);
  await customerClient.login(customer.email, PASSWORD);
  const agentClient = new Client(app);
  await agentClient.login(agent.email, PASSWORD);
  t.match((await customerClient.get('/portal/tickets/new')).body, `<option value="${hardware.id}">Hardware</option>`);
  t.match((await agentClient.get('/agent/tickets/new')).body, `<option value="${hardware.id}">Hardware</option>`);

  await client.get(`/admin/types/${hardware.id}`);
  const res = await client.post(`/admin/types/${hardware.id}/retirement`, { retired: '1' });
  t.equal(res.statusCode, 303);
  const page = await client.get(`/admin/types/${hardware.id}`);
  t.match(page.body, 'The ticket type was retired.');
  t.match(page.body, /<h1>Ticket type: Hardware <span class="badge">Retired<\/span><\/h1>/);
  t.match((await client.get('/admin/types')).body, new RegExp(`Hardware</a></td>[\\s\\S]*?<span class="badge">Retired</span>`));
  t.notMatch(await customerClient.page('/portal/tickets/new'), 'Hardware');
  t.notMatch(await agentClient.page('/agent/tickets/new'), 'Hardware');
  t.equal(panelValue((await agentClient.get(`/agent/tickets/${ticketId}`)).body, 'Type'), 'Hardware', 'the old ticket keeps its type');
  t.match((await customerClient.get(`/portal/tickets/${ticketId}`)).body, /<dd>Hardware<\/dd>/);
  const [retired] = await audits(db, 'type.retired');
  t.match(JSON.parse(retired!.details), { name: 'Hardware', before: { retired_at: null }, after: { retired_at: String } });

  await client.post(`/admin/types/${hardware.id}/retirement`, { retired: '0' });
  t.match((await customerClient.get('/portal/tickets/new')).body, `<option value="${hardware.id}">Hardware</option>`, 'used again');
  t.equal((await audits(db, 'type.unretired')).length, 1);
});

t.test('the desk\'s default type cannot be retired', async (t) => {
  const { client, db } = await setup(t);
  await client.get('/admin/types/1');
  const res = await client.post('/admin/types/1/retirement', { retired: '1' });
  t.equal(res.statusCode, 409);
  t.match(res.body, 'This is the desk&#39;s default ticket type');
  t.equal((await db.selectFrom('ticket_types').select('retired_at').where('id', '=', 1).executeTakeFirstOrThrow()).retired_at, null);
  t.equal((await audits(db, 'type.retired')).length, 0);
});
