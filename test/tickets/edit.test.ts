import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD, ticketIdsIn } from '../helpers/factories.js';
import { panelValue } from '../helpers/panel.js';

/** A "Domain approval" type with the fields of seed 000. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const now = nowIso();
  const type = await db.insertInto('ticket_types').values({ name: 'Domain approval', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const domain = await db.insertInto('fields').values({ key: 'domain', label: 'Domain', kind: 'text', required_for_agent: 1, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const approved = await db.insertInto('fields').values({ key: 'domain_approved', label: 'Domain Approved', kind: 'dropdown',
    options: JSON.stringify([{ value: 'approved', label: 'Approved' }, { value: 'declined', label: 'Declined' }, { value: 'cleared', label: 'Cleared' }, { value: 'maybe', label: 'Maybe', retired: true }]),
    required_before_category: 'solved', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const seats = await db.insertInto('fields').values({ key: 'seats', label: 'Seats', kind: 'number', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const due = await db.insertInto('fields').values({ key: 'due', label: 'Due date', kind: 'date', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const site = await db.insertInto('fields').values({ key: 'site', label: 'Web site', kind: 'url', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const urgent = await db.insertInto('fields').values({ key: 'vip', label: 'VIP partner', kind: 'checkbox', created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values([domain, approved, seats, due, site, urgent].map((f, position) => ({ type_id: type.id, field_id: f.id, position }))).execute();
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  await makeUser(db, 'customer', { name: 'Ccy', email: 'ccy@example.test' });
  const [id] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Approve acme.test' });
  const client = new Client(desk.app);
  await client.login(agent.email, PASSWORD);
  await client.get(`/agent/tickets/${id}/edit`);
  const base = { subject: 'Approve acme.test', typeId: '1', statusId: '1', priority: 'normal', visibility: 'public', assigneeId: '',
    groupId: '', requesterEmail: 'cora@example.test', ccs: '' };
  return { ...desk, client, id: id!, typeId: String(type.id), agent, customer, base };
}

const ticketOf = (db: Awaited<ReturnType<typeof setup>>['db'], id: number) => db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

t.test('the edit page is the "Updating Ticket" form with the ticket\'s values; htmx opens it as a dialog', async (t) => {
  const { client, id } = await setup(t);
  const page = await client.get(`/agent/tickets/${id}/edit`);
  t.equal(page.statusCode, 200);
  t.match(page.body, '<h1>Updating Ticket');
  t.match(page.body, 'value="Approve acme.test"');
  t.match(page.body, 'value="cora@example.test"');
  const dialog = await client.get(`/agent/tickets/${id}/edit`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(dialog.body, /^<dialog id="edit-dialog" class="modal"/);
  const details = await client.get(`/agent/tickets/${id}`);
  t.match(details.body, `hx-get="/agent/tickets/${id}/edit" hx-target="#modal"`);
});

t.test('saving records one history event per changed field, custom fields included', async (t) => {
  const { client, id, db, typeId, agent, base } = await setup(t);
  const res = await client.post(`/agent/tickets/${id}/edit`, {
    ...base, subject: 'Approve acme.test now', typeId, priority: 'high', visibility: 'public', assigneeId: String(agent.id),
    groupId: '1', ccs: 'ccy@example.test', field_domain: 'acme.test', field_domain_approved: 'cleared', field_seats: '12',
    field_due: '2026-12-01', field_site: 'https://acme.test', field_vip: '1',
  });
  t.equal(res.statusCode, 303);
  const ticket = await ticketOf(db, id);
  t.same([ticket.subject, ticket.priority, ticket.assignee_id, ticket.group_id, ticket.type_id], ['Approve acme.test now', 'high', agent.id, 1, Number(typeId)]);
  const values = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'field_id').select(['key', 'value']).orderBy('key').execute();
  t.same(values, [{ key: 'domain', value: 'acme.test' }, { key: 'domain_approved', value: 'cleared' }, { key: 'due', value: '2026-12-01' },
    { key: 'seats', value: '12' }, { key: 'site', value: 'https://acme.test' }, { key: 'vip', value: '1' }]);
  const events = await db.selectFrom('ticket_events').select(['kind', 'field', 'from_value', 'to_value']).orderBy('id').execute();
  t.same(events.map((e) => e.kind), ['subject', 'priority', 'type', 'group', 'ccs', 'field', 'field', 'field', 'field', 'field', 'field', 'assignee']);
  t.same(events.find((e) => e.field === 'Domain Approved'), { kind: 'field', field: 'Domain Approved', from_value: null, to_value: 'Cleared' }, 'the label, not the stored value');
  t.same((await db.selectFrom('ticket_ccs').select('user_id').execute()).length, 1);
  const history = await client.get(`/agent/tickets/${id}?tab=history`);
  t.match(history.body, /<td>Domain Approved<\/td>\s*<td><\/td>\s*<td>Cleared<\/td>/);
  // Followed from the desk's own page (as a browser says): the assignee opening it makes it Open.
  t.equal(panelValue((await client.get(`/agent/tickets/${id}`, { 'sec-fetch-site': 'same-origin' })).body, 'Domain Approved'), 'Cleared', 'the side panel shows the option\'s label');

  await client.get(`/agent/tickets/${id}/edit`);
  const before = (await db.selectFrom('ticket_events').select('id').execute()).length; // opening it as assignee made it Open
  t.equal((await ticketOf(db, id)).status_id, 2, 'the assignee looked at it: Open');
  await client.post(`/agent/tickets/${id}/edit`, { ...base, statusId: '2', subject: 'Approve acme.test now', typeId, priority: 'high', assigneeId: String(agent.id), groupId: '1',
    ccs: 'ccy@example.test', field_domain: 'acme.test', field_domain_approved: 'cleared', field_seats: '12', field_due: '2026-12-01', field_site: 'https://acme.test', field_vip: '1' });
  t.equal((await db.selectFrom('ticket_events').select('id').execute()).length, before, 'saving unchanged values records nothing');
});

t.test('each field kind is checked on the server; errors come back with what was typed and nothing is saved', async (t) => {
  const { client, id, db, typeId, base } = await setup(t);
  const res = await client.post(`/agent/tickets/${id}/edit`, {
    ...base, typeId, subject: 'Kept subject', field_domain: '', field_domain_approved: 'maybe', field_seats: 'twelve',
    field_due: '2026-02-30', field_site: 'javascript:alert(1)', requesterEmail: 'nobody@nowhere.test',
  });
  t.equal(res.statusCode, 422);
  const error = (name: string) => new RegExp(`id="f-${name}-error">([^<]+)<`).exec(res.body)?.[1];
  t.equal(error('field_domain'), 'This field is required.', 'required for agents');
  t.equal(error('field_domain_approved'), 'Choose one of the options.', 'a retired option cannot be chosen');
  t.equal(error('field_seats'), 'Enter a number, like 42 or 3.5.');
  t.equal(error('field_due'), 'Enter a date as YYYY-MM-DD.');
  t.equal(error('field_site'), 'Enter a web address starting with https://.');
  t.match(error('requesterEmail'), 'No customer has this address.');
  t.match(res.body, 'value="Kept subject"');
  t.match(res.body, 'value="twelve"');
  t.match(res.body, 'hx-status:422="target:#edit-form select:#edit-form swap:outerHTML"');
  t.equal((await ticketOf(db, id)).subject, 'Approve acme.test');
  t.equal((await db.selectFrom('ticket_events').select('id').execute()).length, 0);
});

t.test('a field required before Solved: the save is refused until it is set, and accepted with it', async (t) => {
  const { client, id, db, typeId, base } = await setup(t);
  const solve = { ...base, typeId, statusId: '4', field_domain: 'acme.test' };
  const refused = await client.post(`/agent/tickets/${id}/edit`, solve);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'Fill in Domain Approved before moving the ticket to Solved.');
  t.equal((await ticketOf(db, id)).type_id, 1, 'nothing of the refused save is kept');
  const saved = await client.post(`/agent/tickets/${id}/edit`, { ...solve, field_domain_approved: 'approved' });
  t.equal(saved.statusCode, 303);
  t.equal((await ticketOf(db, id)).status_id, 4);
});

t.test('changing the type without JavaScript draws the form again with that type\'s fields, keeping what was typed', async (t) => {
  const { client, id, db, typeId, base } = await setup(t);
  const page = await client.post(`/agent/tickets/${id}/edit`, { ...base, subject: 'Typed but not saved', typeId, refresh: '1' });
  t.equal(page.statusCode, 200);
  t.match(page.body, 'value="Typed but not saved"');
  t.match(page.body, '<label for="f-field_domain">Domain');
  t.match(page.body, 'Required before the ticket is solved.');
  t.equal((await ticketOf(db, id)).subject, 'Approve acme.test', 'nothing saved');
  const withJs = await client.get(`/agent/tickets/${id}/edit?${new URLSearchParams({ ...base, typeId })}`);
  t.match(withJs.body, '<fieldset id="type-fields"');
  t.match(withJs.body, '<label for="f-field_seats">Seats');
});

t.test('an internal ticket disappears from its customer\'s portal', async (t) => {
  const { client, id, app, base } = await setup(t);
  await client.post(`/agent/tickets/${id}/edit`, { ...base, visibility: 'internal' });
  const customer = new Client(app);
  await customer.login('cora@example.test', PASSWORD);
  t.same(ticketIdsIn((await customer.get('/portal')).body), []);
  t.equal((await customer.get(`/portal/tickets/${id}`)).statusCode, 404);
  t.match((await client.get(`/agent/tickets/${id}`)).body, '<span class="badge visibility-internal">Internal</span>');
});

t.test('a ticket keeps a retired type and a retired option it already has, and can still be saved', async (t) => {
  const { client, id, db, typeId, base } = await setup(t);
  await client.post(`/agent/tickets/${id}/edit`, { ...base, typeId, field_domain: 'acme.test', field_domain_approved: 'approved' });
  const field = await db.selectFrom('fields').select(['id', 'options']).where('key', '=', 'domain_approved').executeTakeFirstOrThrow();
  const options = JSON.parse(field.options).map((o: { value: string }) => (o.value === 'approved' ? { ...o, retired: true } : o));
  await db.updateTable('fields').set({ options: JSON.stringify(options) }).where('id', '=', field.id).execute();
  await db.updateTable('ticket_types').set({ retired_at: nowIso() }).where('id', '=', Number(typeId)).execute();

  const form = await client.get(`/agent/tickets/${id}/edit`);
  t.match(form.body, `<option value="${typeId}" selected>Domain approval</option>`, 'the retired type is still offered to this ticket');
  t.match(form.body, '<option value="approved" selected>Approved</option>', 'and so is the retired option it holds');
  const saved = await client.post(`/agent/tickets/${id}/edit`, { ...base, typeId, subject: 'Renamed', field_domain: 'acme.test', field_domain_approved: 'approved' });
  t.equal(saved.statusCode, 303);
  t.equal((await ticketOf(db, id)).subject, 'Renamed');
  const other = await makeTickets(db, 1, { requesterId: (await makeUser(db, 'customer')).id });
  await client.get(`/agent/tickets/${other[0]}/edit`);
  t.notMatch(await client.page(`/agent/tickets/${other[0]}/edit`), 'Domain approval', 'other tickets are not offered the retired type');
  const refused = await client.post(`/agent/tickets/${other[0]}/edit`, { ...base, typeId, field_domain: 'x.test', field_domain_approved: 'approved' });
  t.equal(refused.statusCode, 422, 'nor can they be moved to it');
});
