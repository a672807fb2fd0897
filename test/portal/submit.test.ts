import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { BYTES, postMultipart, type Part } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** Seed 002: "IT support" preselected; "CRM Support" has a mandatory Issue. */
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const now = nowIso();
  const it = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: now, position: 1 }).returning('id').executeTakeFirstOrThrow();
  const crm = await db.insertInto('ticket_types').values({ name: 'CRM Support', created_at: now, position: 2, default_priority: 'high' }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_types').values({ name: 'Staff only', customer_can_choose: 0, created_at: now }).execute();
  const issue = await db.insertInto('fields').values({ key: 'issue', label: 'Issue', kind: 'dropdown', required_for_customer: 1,
    options: JSON.stringify(['Login', 'Sync', 'Reports']), created_at: now }).returning('id').executeTakeFirstOrThrow();
  const secret = await db.insertInto('fields').values({ key: 'internal_score', label: 'Internal score', kind: 'number', customer_visible: 0, created_at: now })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values([{ type_id: crm.id, field_id: issue.id, position: 1 }, { type_id: crm.id, field_id: secret.id, position: 2 }]).execute();
  await db.insertInto('settings').values({ key: 'portal.default_type_id', value: String(it.id) }).execute();
  const customer = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const client = new Client(desk.app);
  await client.login(customer.email, PASSWORD);
  await client.get('/portal/tickets/new');
  const submit = (parts: Part[]) => postMultipart(desk.app, client, '/portal/tickets', [{ name: '_csrf', value: client.csrf }, ...parts]);
  return { ...desk, client, customer, itId: String(it.id), crmId: String(crm.id), submit };
}

t.test('the form offers the topics customers may choose, with the configured default preselected', async (t) => {
  const { client, itId } = await setup(t);
  const page = await client.get('/portal/tickets/new');
  t.equal(page.statusCode, 200);
  t.match(page.body, `<option value="${itId}" selected>IT support</option>`);
  t.match(page.body, 'CRM Support');
  t.notMatch(page.body, 'Staff only');
  t.match(page.body, /<label for="f-subject">Subject <span class="req"/);
  t.match(page.body, /<label for="f-message">Message <span class="req"/);
  t.notMatch(page.body, 'f-brandId', 'one brand: no Brand field');
  t.match(page.body, 'enctype="multipart/form-data"');
  t.match(page.body, /<form id="submit-form"[^>]*>\s*<input type="hidden" name="_csrf"/, 'the token is the first field');
});

t.test('changing the topic without JS redraws the form with its fields, keeping what was typed', async (t) => {
  const { submit, crmId } = await setup(t);
  const res = await submit([{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Sync broken' }, { name: 'message', value: 'Since Monday' }, { name: 'refresh', value: '1' }]);
  t.equal(res.statusCode, 200);
  t.match(res.body, /<label for="f-field_issue">Issue <span class="req"/, 'CRM Support has a mandatory Issue');
  t.notMatch(res.body, 'Internal score', 'internal fields are not shown to customers');
  t.match(res.body, 'value="Sync broken"');
  t.match(res.body, 'Since Monday');
});

t.test('with htmx the topic select swaps only the field block', async (t) => {
  const { client, crmId } = await setup(t);
  const page = await client.get('/portal/tickets/new');
  t.match(page.body, 'hx-get="/portal/tickets/new" hx-trigger="change" hx-target="#topic-fields" hx-select="#topic-fields"');
  const block = await client.get(`/portal/tickets/new?typeId=${crmId}`, { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(block.body, /^<div id="topic-fields"/);
  t.match(block.body, 'f-field_issue');
});

t.test('a submitted ticket is routed, confirmed on a page and by mail, and its files are attached', async (t) => {
  const { submit, db, app, crmId, client } = await setup(t);
  const res = await submit([{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Reports are empty' }, { name: 'message', value: 'All **zero**' },
    { name: 'field_issue', value: 'Reports' }, { name: 'field_internal_score', value: '99' },
    { name: 'files', filename: 'screen.png', content: BYTES.png, type: 'image/png' }, { name: 'files', filename: 'export.pdf', content: BYTES.pdf }]);
  t.equal(res.statusCode, 303);
  const id = Number(/\/portal\/tickets\/(\d+)\/submitted/.exec(String(res.headers.location))?.[1]);
  const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.same([ticket.subject, ticket.channel, ticket.priority, ticket.group_id], ['Reports are empty', 'portal', 'high', 1], "the topic's priority, the desk's default group");
  const values = await db.selectFrom('ticket_field_values').innerJoin('fields', 'fields.id', 'field_id').select(['key', 'value']).where('ticket_id', '=', id).execute();
  t.same(values, [{ key: 'issue', value: 'Reports' }], 'an internal field cannot be set from the portal');
  t.same((await db.selectFrom('attachments').select('filename').where('message_id', 'is not', null).orderBy('id').execute()).map((a) => a.filename), ['screen.png', 'export.pdf']);
  t.equal((await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).execute()).map((e) => e.kind).join(), 'created');

  const confirmation = await client.get(String(res.headers.location));
  t.match(confirmation.body, `Ticket #${id} received`);
  t.match(confirmation.body, `href="/portal/tickets/${id}"`);
  await app.worker.consume(); // the notifications consumer queues the confirmation
  const mail = JSON.parse((await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').executeTakeFirstOrThrow()).payload);
  t.same(mail.to, ['cora@example.test']);
  t.equal(mail.subject, `[#${id}] We received your request: Reports are empty`);
  t.match(mail.text, `/portal/tickets/${id}`);
});

t.test('mistakes never make the customer retype or re-pick: text and accepted files are kept, a bad file is named', async (t) => {
  const { submit, db, crmId } = await setup(t);
  const first = await submit([{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Login fails' }, { name: 'message', value: 'Typed once' },
    { name: 'files', filename: 'log.pdf', content: BYTES.pdf }, { name: 'files', filename: 'setup.png', content: Buffer.from('MZ\x90\x00this is an exe') }]);
  t.equal(first.statusCode, 422);
  t.match(first.body, 'setup.png: its name says PNG, but the content is not a PNG file');
  t.match(first.body, 'Typed once');
  t.match(first.body, '<a href="/portal/tickets/new" aria-current="page">', 'the menu still marks "Submit a ticket"');
  const kept = /<input type="checkbox" name="keep" value="(\d+)" checked> log.pdf/.exec(first.body)?.[1];
  t.ok(kept, 'the accepted file is shown as attached');
  t.match(first.body, 'id="f-field_issue-error">This field is required.', 'the missing Issue is reported too');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);

  const second = await submit([{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Login fails' }, { name: 'message', value: 'Typed once' },
    { name: 'field_issue', value: 'Login' }, { name: 'keep', value: kept! }, { name: 'files', filename: 'shot.png', content: BYTES.png }]);
  t.equal(second.statusCode, 303);
  t.same((await db.selectFrom('attachments').select('filename').where('message_id', 'is not', null).orderBy('id').execute()).map((a) => a.filename), ['log.pdf', 'shot.png']);
});

t.test('services: listed with "Not related to a service", routed to the provider group; the setting can require one', async (t) => {
  const { submit, db, client, customer, itId } = await setup(t);
  const provider = await db.insertInto('groups').values({ name: 'Fibre Co', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const service = await db.insertInto('services').values({ name: 'Fibre 500', customer_id: customer.id, provider_group_id: provider.id, created_at: nowIso() })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('services').values({ name: 'Ended line', customer_id: customer.id, state: 'ended', created_at: nowIso() }).execute();
  const page = await client.get('/portal/tickets/new');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<option value="">Not related to a service</option>');
  t.match(page.body, 'Fibre 500');
  t.notMatch(page.body, 'Ended line');
  const base = [{ name: 'typeId', value: itId }, { name: 'subject', value: 'Slow' }, { name: 'message', value: 'Very slow' }];
  t.equal((await submit([...base, { name: 'serviceId', value: String(service.id) }])).statusCode, 303);
  const routed = await db.selectFrom('tickets').select(['group_id', 'service_id']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same(routed, { group_id: provider.id, service_id: service.id });

  await db.insertInto('settings').values({ key: 'portal.service_required', value: '1' }).execute();
  const refused = await submit(base);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'id="f-serviceId-error">This field is required.');
  t.equal((await submit([...base, { name: 'serviceId', value: '999' }])).statusCode, 422, 'another customer\'s service cannot be picked');
});

t.test('several brands: Brand is asked for and required; staff-only topics cannot be forced', async (t) => {
  const { submit, db, client } = await setup(t);
  await db.insertInto('brands').values({ name: 'Second', from_name: 'S', from_address: 's@example.test', portal_title: 'S', created_at: nowIso() }).execute();
  t.match((await client.get('/portal/tickets/new')).body, /<label for="f-brandId">Brand <span class="req"/);
  const staffOnly = (await db.selectFrom('ticket_types').select('id').where('name', '=', 'Staff only').executeTakeFirstOrThrow()).id;
  const res = await submit([{ name: 'typeId', value: String(staffOnly) }, { name: 'subject', value: 'x' }, { name: 'message', value: 'y' }]);
  t.equal(res.statusCode, 422);
  t.match(res.body, 'id="f-brandId-error">This field is required.');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);
});
