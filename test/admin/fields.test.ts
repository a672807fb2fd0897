import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const admin = await makeUser(desk.db, 'admin');
  const client = new Client(desk.app);
  await client.login(admin.email, PASSWORD);
  await client.get('/admin/fields/new');
  return { ...desk, client, admin };
}

const base = { key: 'domain_approved', label: 'Domain Approved', kind: 'dropdown', newOptions: 'Approved\nDeclined\nCleared (manual)\n',
  requiredForCustomer: '', requiredForAgent: '', requiredBeforeCategory: 'solved', customerVisible: '' };
const error = (html: string, name: string) => new RegExp(`id="f-${name}-error">([^<]+)<`).exec(html)?.[1];

t.test('only admins manage fields', async (t) => {
  const { app, db } = await setup(t);
  for (const role of ['supervisor', 'agent', 'customer'] as const) {
    const other = new Client(app);
    await other.login((await makeUser(db, role)).email, PASSWORD);
    t.equal((await other.get('/admin/fields')).statusCode, 403, `${role}: the list`);
    t.equal((await other.get('/admin/fields/new')).statusCode, 403, `${role}: the form`);
    t.equal((await other.post('/admin/fields', base)).statusCode, 403, `${role}: create`);
  }
  t.equal((await db.selectFrom('fields').select('id').execute()).length, 0);
});

t.test('an admin creates a dropdown field (seed 000: Domain Approved, needed before Solved)', async (t) => {
  const { client, db, admin } = await setup(t);
  const form = await client.get('/admin/fields/new');
  t.match(form.body, '<option value="textarea">Long text</option>');
  t.match(form.body, 'It cannot be changed later.');
  const res = await client.post('/admin/fields', base);
  t.equal(res.statusCode, 303);
  const field = await db.selectFrom('fields').selectAll().executeTakeFirstOrThrow();
  t.equal(res.headers.location, `/admin/fields/${field.id}`);
  t.same([field.key, field.label, field.kind, field.required_before_category, field.customer_visible], ['domain_approved', 'Domain Approved', 'dropdown', 'solved', 0]);
  t.same(JSON.parse(field.options), [
    { value: 'approved', label: 'Approved', retired: false }, { value: 'declined', label: 'Declined', retired: false },
    { value: 'cleared_manual', label: 'Cleared (manual)', retired: false },
  ], 'each option gets a stored value from its label');

  const page = await client.get(`/admin/fields/${field.id}`);
  t.match(page.body, 'The field was created.');
  t.match(page.body, /name="key" type="text" value="domain_approved" readonly/, 'the key is shown, not editable');
  t.match(page.body, /name="option_2_label" type="text" value="Cleared \(manual\)"/);
  t.match(page.body, '<code>cleared_manual</code>');
  const list = await client.get('/admin/fields');
  t.match(list.body, /Domain Approved<\/a><\/td>\s*<td><code>domain_approved<\/code><\/td>\s*<td>Dropdown<\/td>\s*<td>before solved<\/td>\s*<td>No<\/td>\s*<td>0<\/td>\s*<td>Active<\/td>/);

  const [audit] = await db.selectFrom('audit_log').selectAll().where('action', '=', 'field.created').execute();
  t.equal(audit!.actor_id, admin.id);
  t.match(JSON.parse(audit!.details), { after: { key: 'domain_approved', kind: 'dropdown', options: [{ value: 'approved' }, { value: 'declined' }, { value: 'cleared_manual' }] } });

  await client.post('/admin/fields', { ...base, key: 'status_reason', label: 'Reason', newOptions: 'Approved\nApproved!\n' });
  const second = await db.selectFrom('fields').select('options').where('key', '=', 'status_reason').executeTakeFirstOrThrow();
  t.same(JSON.parse(second.options).map((o: { value: string }) => o.value), ['approved', 'approved_2'], 'values stay unique');
});

t.test('keys are lower-case letters, digits and _, and unique; mistakes come back with 422 and what was typed', async (t) => {
  const { client, db } = await setup(t);
  const bad = await client.post('/admin/fields', { ...base, key: 'Domain Approved!', label: '', newOptions: '' });
  t.equal(bad.statusCode, 422);
  t.equal(error(bad.body, 'key'), 'Use only lower-case letters, digits and _.');
  t.equal(error(bad.body, 'label'), 'This field is required.');
  t.equal(error(bad.body, 'newOptions'), 'A dropdown needs at least one option that is not retired.');
  t.match(bad.body, 'value="Domain Approved!"', 'the typed key is kept');
  t.match(bad.body, /<option value="dropdown" selected>Dropdown<\/option>/);
  t.match(bad.body, /<option value="solved" selected>Solved<\/option>/);

  const dup = await client.post('/admin/fields', { ...base, newOptions: 'Yes\nyes' });
  t.equal(error(dup.body, 'newOptions'), 'Two options would have the same label.');
  t.match(dup.body, '>Yes\nyes</textarea>');

  const hidden = await client.post('/admin/fields', { ...base, kind: 'text', requiredForCustomer: '1', customerVisible: '' });
  t.equal(error(hidden.body, 'requiredForCustomer'), 'A field customers cannot see cannot be required for them.');

  t.equal((await client.post('/admin/fields', base)).statusCode, 303);
  const taken = await client.post('/admin/fields', { ...base, label: 'Another' });
  t.equal(taken.statusCode, 422);
  t.equal(error(taken.body, 'key'), 'Another field already has this key.');
  t.equal((await db.selectFrom('fields').select('id').execute()).length, 1);
  t.equal((await db.selectFrom('audit_log').select('id').execute()).length, 1, 'only the saved field is in the audit log');
});

t.test('editing a field: the key stays, the label and rules change, the audit log keeps before → after', async (t) => {
  const { client, db } = await setup(t);
  await client.post('/admin/fields', { ...base, key: 'seats', label: 'Seats', kind: 'number', newOptions: '', requiredBeforeCategory: '' });
  const field = await db.selectFrom('fields').selectAll().executeTakeFirstOrThrow();
  await client.get(`/admin/fields/${field.id}`);
  const res = await client.post(`/admin/fields/${field.id}`, { key: 'renamed', label: 'Number of seats', kind: 'number', requiredForAgent: '1',
    customerVisible: '1', requiredForCustomer: '1', requiredBeforeCategory: '' });
  t.equal(res.statusCode, 303);
  const after = await db.selectFrom('fields').selectAll().executeTakeFirstOrThrow();
  t.same([after.key, after.label, after.required_for_agent, after.required_for_customer, after.customer_visible], ['seats', 'Number of seats', 1, 1, 1]);
  const [audit] = await db.selectFrom('audit_log').select('details').where('action', '=', 'field.updated').execute();
  t.same(JSON.parse(audit!.details), {
    key: 'seats',
    before: { label: 'Seats', required_for_customer: 0, required_for_agent: 0, customer_visible: 0 },
    after: { label: 'Number of seats', required_for_customer: 1, required_for_agent: 1, customer_visible: 1 },
  });
  const invalid = await client.post(`/admin/fields/${field.id}`, { label: '', kind: 'number' });
  t.equal(invalid.statusCode, 422);
  t.equal(error(invalid.body, 'label'), 'This field is required.');
  t.equal((await client.get('/admin/fields/999')).statusCode, 404);
});

t.test('the kind can change until a ticket holds a value, then it is refused with the reason', async (t) => {
  const { client, db } = await setup(t);
  await client.post('/admin/fields', { ...base, key: 'due', label: 'Due', kind: 'text', newOptions: '', requiredBeforeCategory: '' });
  const field = await db.selectFrom('fields').selectAll().executeTakeFirstOrThrow();
  await client.get(`/admin/fields/${field.id}`);
  const form = { label: 'Due', kind: 'date', customerVisible: '1' };
  t.equal((await client.post(`/admin/fields/${field.id}`, form)).statusCode, 303);
  t.equal((await db.selectFrom('fields').select('kind').executeTakeFirstOrThrow()).kind, 'date', 'no values yet: the kind changes');

  const customer = await makeUser(db, 'customer');
  const [ticketId] = await makeTickets(db, 1, { requesterId: customer.id });
  await db.insertInto('ticket_field_values').values({ ticket_id: ticketId!, field_id: field.id, value: '2026-05-01' }).execute();
  const page = await client.get(`/admin/fields/${field.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, '1 ticket has a value for this field, so its kind cannot change: its value would no longer read right.');
  t.notMatch(page.body, 'name="kind"', 'the form no longer offers the kind');

  const refused = await client.post(`/admin/fields/${field.id}`, { ...form, kind: 'number', label: 'Due date' });
  t.equal(refused.statusCode, 422);
  t.equal(error(refused.body, 'kind'), 'Tickets already have values for this field, so its kind cannot change.');
  t.match(refused.body, 'value="Due date"', 'what was typed is kept');
  const after = await db.selectFrom('fields').selectAll().executeTakeFirstOrThrow();
  t.same([after.kind, after.label], ['date', 'Due']);
  t.equal((await client.post(`/admin/fields/${field.id}`, { label: 'Due date', customerVisible: '1' })).statusCode, 303, 'other changes still save');
  t.equal((await db.selectFrom('fields').select('label').executeTakeFirstOrThrow()).label, 'Due date');
});

t.test('retiring and using a field again is recorded', async (t) => {
  const { client, db } = await setup(t);
  const field = await db.insertInto('fields').values({ key: 'domain', label: 'Domain', kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await client.get(`/admin/fields/${field.id}`);
  t.equal((await client.post(`/admin/fields/${field.id}/retirement`, { retired: '1' })).statusCode, 303);
  const page = await client.get(`/admin/fields/${field.id}`);
  t.match(page.body, 'The field was retired.');
  t.match(page.body, /<h1>Field: Domain <span class="badge">Retired<\/span><\/h1>/);
  t.match((await client.get('/admin/fields')).body, /Domain<\/a>[\s\S]*?<span class="badge">Retired<\/span>/);
  await client.post(`/admin/fields/${field.id}/retirement`, { retired: '0' });
  t.equal((await db.selectFrom('fields').select('retired_at').executeTakeFirstOrThrow()).retired_at, null);
  const actions = (await db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((a) => a.action);
  t.same(actions, ['field.retired', 'field.unretired']);
});
