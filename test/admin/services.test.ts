import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** An admin logged in; a customer Cora, an organisation Acme Ltd, a restricted provider group Fibre Co. */
async function servicesDesk(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const admin = await makeUser(db, 'admin');
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@customer.test' });
  const acme = await db.insertInto('organizations').values({ name: 'Acme Ltd', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const fibre = await db.insertInto('groups').values({ name: 'Fibre Co', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  return { ...desk, admin, client, cora, acme: acme.id, fibre: fibre.id };
}

t.test('an admin creates a customer\'s service, which the customer then picks and which routes the ticket', async (t) => {
  const d = await servicesDesk(t);
  const form = await d.client.get('/admin/services/new');
  t.match(form.body, `<option value="${d.fibre}">Fibre Co</option>`);
  t.match(form.body, `<option value="${d.acme}">Acme Ltd</option>`);
  const created = await d.client.post('/admin/services', {
    name: 'Fibre 500', customerEmail: 'CORA@customer.test', organizationId: '', providerGroupId: String(d.fibre),
    state: 'active', startsOn: '2026-01-01', endsOn: '',
  });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, '/admin/services');
  const service = await d.db.selectFrom('services').selectAll().executeTakeFirstOrThrow();
  t.match(service, { name: 'Fibre 500', customer_id: d.cora.id, organization_id: null, provider_group_id: d.fibre, state: 'active', starts_on: '2026-01-01', ends_on: null });
  const list = await d.client.get('/admin/services');
  t.match(list.body, 'The service is created.');
  t.match(list.body, /Fibre 500<\/a><\/td>\s*<td>cora@customer\.test<\/td>\s*<td>Fibre Co<\/td>\s*<td><span class="state state-active">Active<\/span>/);

  const customer = new Client(d.app);
  await customer.login(d.cora.email, PASSWORD);
  const portal = await customer.get('/portal/tickets/new');
  t.match(portal.body, `<option value="${service.id}">Fibre 500</option>`);
  const submitted = await postMultipart(d.app, customer, '/portal/tickets', [
    { name: '_csrf', value: customer.csrf }, { name: 'typeId', value: '1' }, { name: 'subject', value: 'Line down' },
    { name: 'message', value: 'No signal since this morning.' }, { name: 'serviceId', value: String(service.id) },
  ]);
  t.equal(submitted.statusCode, 303);
  t.same(await d.db.selectFrom('tickets').select(['subject', 'group_id', 'service_id']).execute(),
    [{ subject: 'Line down', group_id: d.fibre, service_id: service.id }], 'the provider group gets the ticket');

  const audit = await d.db.selectFrom('audit_log').select(['actor_id', 'action', 'subject_id', 'details']).execute();
  t.same(audit.map((a) => [a.actor_id, a.action, a.subject_id]), [[d.admin.id, 'service.created', service.id]]);
  t.match(JSON.parse(audit[0]!.details), { after: { name: 'Fibre 500', customer_id: d.cora.id, provider_group_id: d.fibre } });
});

t.test('switching a service off takes it out of the portal; the filter lists active or inactive ones', async (t) => {
  const d = await servicesDesk(t);
  await d.client.get('/admin/services/new');
  await d.client.post('/admin/services', { name: 'Office line', customerEmail: '', organizationId: String(d.acme), providerGroupId: String(d.fibre), state: 'active' });
  await d.client.post('/admin/services', { name: 'Old hosting', customerEmail: 'cora@customer.test', providerGroupId: String(d.fibre), state: 'ended' });
  const office = await d.db.selectFrom('services').select('id').where('name', '=', 'Office line').executeTakeFirstOrThrow();

  const active = await d.client.get('/admin/services?state=active');
  t.equal(active.statusCode, 200);
  t.match(active.body, 'Office line');
  t.match(active.body, '<td>Acme Ltd</td>');
  t.notMatch(active.body, 'Old hosting');
  t.match(active.body, '<option value="active" selected>Active</option>');
  const inactive = await d.client.get('/admin/services?state=ended');
  t.equal(inactive.statusCode, 200);
  t.match(inactive.body, 'Old hosting');
  t.match(inactive.body, '<span class="state state-ended">Inactive</span>');
  t.notMatch(inactive.body, 'Office line');
  t.equal((await d.client.get('/admin/services?state=gone')).statusCode, 400);

  const member = await makeUser(d.db, 'customer', { organizationId: d.acme });
  const customer = new Client(d.app);
  await customer.login(member.email, PASSWORD);
  t.match((await customer.get('/portal/tickets/new')).body, 'Office line', 'offered to the organisation\'s people');

  const edit = await d.client.get(`/admin/services/${office.id}`);
  t.match(edit.body, `<option value="${d.acme}" selected>Acme Ltd</option>`);
  const saved = await d.client.post(`/admin/services/${office.id}`, { name: 'Office line', organizationId: String(d.acme), providerGroupId: String(d.fibre), state: 'ended', endsOn: '2026-03-31' });
  t.equal(saved.statusCode, 303);
  t.notMatch(await customer.page('/portal/tickets/new'), 'Office line', 'no longer offered');
  const audit = await d.db.selectFrom('audit_log').select('details').where('action', '=', 'service.updated').executeTakeFirstOrThrow();
  t.same(JSON.parse(audit.details), { before: { state: 'active', ends_on: null }, after: { state: 'ended', ends_on: '2026-03-31' } });
});

t.test('validation: one owner, a known customer, a provider, dates in order (422, values kept)', async (t) => {
  const d = await servicesDesk(t);
  await d.client.get('/admin/services/new');
  const none = await d.client.post('/admin/services', { name: 'Kept name', customerEmail: '', organizationId: '', providerGroupId: '', state: 'active', startsOn: '2026-05-01', endsOn: '2026-04-01' });
  t.equal(none.statusCode, 422);
  t.match(none.body, 'id="f-customerEmail-error">Give a customer&#39;s email address or choose an organisation.');
  t.match(none.body, 'id="f-providerGroupId-error">This field is required.');
  t.match(none.body, 'id="f-endsOn-error">The end date is before the start date.');
  t.match(none.body, 'value="Kept name"');
  t.match(none.body, 'value="2026-05-01"');

  const both = await d.client.post('/admin/services', { name: 'X', customerEmail: 'cora@customer.test', organizationId: String(d.acme), providerGroupId: String(d.fibre), state: 'active' });
  t.match(both.body, 'id="f-organizationId-error">Give either a customer or an organisation, not both.');
  t.match(both.body, 'value="cora@customer.test"');
  const unknown = await d.client.post('/admin/services', { name: 'X', customerEmail: 'nobody@customer.test', providerGroupId: String(d.fibre), state: 'active', startsOn: '2026-02-30' });
  t.match(unknown.body, 'id="f-customerEmail-error">No customer has this email address.');
  t.match(unknown.body, 'id="f-startsOn-error">Enter a date as YYYY-MM-DD.');
  const staff = await d.client.post('/admin/services', { name: 'X', customerEmail: d.admin.email, providerGroupId: String(d.fibre), state: 'paused' });
  t.match(staff.body, 'No customer has this email address.', 'staff are not customers');
  t.match(staff.body, 'id="f-state-error">');
  t.equal((await d.db.selectFrom('services').select('id').execute()).length, 0);
  t.equal((await d.client.get('/admin/services/999')).statusCode, 404);
});

t.test('only admins reach /admin/services', async (t) => {
  const d = await servicesDesk(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(d.app);
    await other.login((await makeUser(d.db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/services')).statusCode, 403, role);
    t.equal((await other.post('/admin/services/import', { csv: 'name,customer_email,provider_group\nX,cora@customer.test,Fibre Co' })).statusCode, 403, role);
  }
  t.equal((await d.db.selectFrom('services').select('id').execute()).length, 0);
});
