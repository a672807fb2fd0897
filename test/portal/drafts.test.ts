import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { BYTES, postMultipart, type Part } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

/** Seed 001 "Draft": a CRM topic with a mandatory Issue; drafts only where the workflow has a draft status. */
async function setup(t: Test, withDraft = true) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const now = nowIso();
  const it = await db.insertInto('ticket_types').values({ name: 'IT support', created_at: now, position: 1 }).returning('id').executeTakeFirstOrThrow();
  const crm = await db.insertInto('ticket_types').values({ name: 'CRM Support', created_at: now, position: 2 }).returning('id').executeTakeFirstOrThrow();
  const issue = await db.insertInto('fields').values({ key: 'issue', label: 'Issue', kind: 'dropdown', required_for_customer: 1,
    options: JSON.stringify(['Login', 'Sync', 'Reports']), created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: crm.id, field_id: issue.id, position: 1 }).execute();
  await db.insertInto('settings').values({ key: 'portal.default_type_id', value: String(it.id) }).execute();
  if (withDraft) await db.insertInto('statuses').values({ name: 'Draft', customer_label: 'Draft', category: 'draft', position: 0, is_default_for_category: 1 }).execute();
  const customer = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const client = new Client(desk.app);
  await client.login(customer.email, PASSWORD);
  await client.get('/portal/tickets/new');
  const post = (c: Client, url: string, parts: Part[]) => postMultipart(desk.app, c, url, [{ name: '_csrf', value: c.csrf }, ...parts]);
  // The notifications consumer queues the mail: run it (not the jobs, so the queued mails stay to be read).
  const jobs = async (kind: string) => {
    await desk.app.worker.consume();
    return (await db.selectFrom('jobs').select('payload').where('kind', '=', kind).execute()).map((j) => JSON.parse(j.payload));
  };
  return { ...desk, client, customer, itId: String(it.id), crmId: String(crm.id), post, jobs };
}

t.test('without a draft status there is no "Save as draft", and a draft post is a normal submit', async (t) => {
  const { client, post, db, itId } = await setup(t, false);
  const page = await client.get('/portal/tickets/new');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, 'Save as draft');
  const res = await post(client, '/portal/tickets', [{ name: 'typeId', value: itId }, { name: 'subject', value: 'Only this' }, { name: 'draft', value: '1' }]);
  t.equal(res.statusCode, 422, 'the message is still required');
  t.equal((await db.selectFrom('tickets').select('id').execute()).length, 0);
});

t.test('a draft needs only a subject, sends nothing, and can be finished by its requester', async (t) => {
  const { client, post, db, crmId, jobs } = await setup(t);
  const page = await client.get('/portal/tickets/new');
  t.match(page.body, '<button type="submit" name="draft" value="1">Save as draft</button>');

  const empty = await post(client, '/portal/tickets', [{ name: 'typeId', value: crmId }, { name: 'subject', value: '' }, { name: 'draft', value: '1' }]);
  t.equal(empty.statusCode, 422, 'a draft still needs a subject');

  const saved = await post(client, '/portal/tickets', [{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Reports are empty' },
    { name: 'message', value: '' }, { name: 'draft', value: '1' }, { name: 'files', filename: 'screen.png', content: BYTES.png, type: 'image/png' }]);
  t.equal(saved.statusCode, 303);
  const id = Number(/\/portal\/tickets\/(\d+)$/.exec(String(saved.headers.location))?.[1]);
  const ticket = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id').select(['statuses.name', 'subject']).where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.same(ticket, { name: 'Draft', subject: 'Reports are empty' });
  t.same(await jobs('mail'), [], 'no mail for a draft');
  t.same(await jobs('notify'), [], 'no notification for a draft');
  t.same((await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).execute()).map((e) => e.kind), ['created']);
  t.same((await db.selectFrom('attachments').select('filename').where('message_id', 'is not', null).execute()).map((a) => a.filename), ['screen.png']);

  const show = await client.get(`/portal/tickets/${id}`);
  t.match(show.body, 'This is a draft');
  t.match(show.body, `href="/portal/tickets/${id}/edit-draft">Finish and submit</a>`);

  const edit = await client.get(`/portal/tickets/${id}/edit-draft`);
  t.equal(edit.statusCode, 200);
  t.match(edit.body, `action="/portal/tickets/${id}/submit-draft"`);
  t.match(edit.body, 'value="Reports are empty"');
  t.match(edit.body, `<option value="${crmId}" selected>CRM Support</option>`);

  const missing = await post(client, `/portal/tickets/${id}/submit-draft`, [{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Reports are empty' },
    { name: 'message', value: 'Typed once' }]);
  t.equal(missing.statusCode, 422, 'finishing checks everything');
  t.match(missing.body, 'Typed once');
  t.match(missing.body, 'id="f-field_issue-error">This field is required.');
  t.same(await jobs('mail'), []);

  const done = await post(client, `/portal/tickets/${id}/submit-draft`, [{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Reports are empty' },
    { name: 'message', value: 'All zero' }, { name: 'field_issue', value: 'Reports' }]);
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/portal/tickets/${id}/submitted`);
  const after = await db.selectFrom('tickets').innerJoin('statuses', 'statuses.id', 'tickets.status_id').select('statuses.category').where('tickets.id', '=', id).executeTakeFirstOrThrow();
  t.equal(after.category, 'new');
  const first = await db.selectFrom('messages').select('body_text').where('ticket_id', '=', id).orderBy('id').execute();
  t.same(first.map((m) => m.body_text), ['All zero'], 'the first message is updated, not added to');
  const values = await db.selectFrom('ticket_field_values').select('value').where('ticket_id', '=', id).execute();
  t.same(values.map((v) => v.value), ['Reports']);
  const mail = await jobs('mail');
  t.equal(mail.length, 1);
  t.same(mail[0].to, ['cora@example.test']);
  t.equal(mail[0].subject, `[#${id}] We received your request: Reports are empty`);
  const moves = await db.selectFrom('ticket_events').select(['kind', 'from_value']).where('ticket_id', '=', id).where('kind', '=', 'status').execute();
  t.same(moves, [{ kind: 'status', from_value: 'Draft' }]);
  t.notMatch(await client.page(`/portal/tickets/${id}`), 'This is a draft');
  t.equal((await client.get(`/portal/tickets/${id}/edit-draft`)).statusCode, 404, 'a submitted ticket is no longer a draft');
});

t.test('sending a draft under another topic drops the first topic\'s values; the sending is one event that carries it all', async (t) => {
  const { client, post, db, itId, crmId, customer } = await setup(t);
  const model = await db.insertInto('fields').values({ key: 'model', label: 'Model', kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: Number(itId), field_id: model.id, position: 1 }).execute();
  const issue = await db.selectFrom('fields').select('id').where('key', '=', 'issue').executeTakeFirstOrThrow();
  const saved = await post(client, '/portal/tickets', [{ name: 'typeId', value: itId }, { name: 'subject', value: 'Laptop' },
    { name: 'message', value: 'Draft text' }, { name: 'field_model', value: 'X1' }, { name: 'draft', value: '1' }]);
  const id = Number(/\/portal\/tickets\/(\d+)$/.exec(String(saved.headers.location))?.[1]);
  t.same((await db.selectFrom('ticket_field_values').select('value').where('ticket_id', '=', id).execute()).map((v) => v.value), ['X1']);

  const done = await post(client, `/portal/tickets/${id}/submit-draft`, [{ name: 'typeId', value: crmId }, { name: 'subject', value: 'Reports are empty' },
    { name: 'message', value: 'All zero' }, { name: 'field_issue', value: 'Reports' }]);
  t.equal(done.statusCode, 303);
  t.same(await db.selectFrom('ticket_field_values').select(['field_id', 'value']).where('ticket_id', '=', id).execute(), [{ field_id: issue.id, value: 'Reports' }]);
  t.same((await db.selectFrom('messages').select('body_text').where('ticket_id', '=', id).execute()).map((m) => m.body_text), ['All zero']);
  t.same((await db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', id).orderBy('id').execute()).map((e) => e.kind), ['created', 'status'],
    'the values are part of the ticket sent: no history lines of their own');
  const events = await db.selectFrom('events').select(['kind', 'actor_id', 'payload']).where('ticket_id', '=', id).orderBy('id').execute();
  t.same(events.map((e) => e.kind), ['ticket.created', 'ticket.changed']);
  t.match(JSON.parse(events[1]!.payload), {
    changes: [{ kind: 'status', from: 'Draft', to: 'New' }],
    set: { subject: 'Reports are empty', type_id: Number(crmId), status_id: Number },
    fields: { [model.id]: null, [issue.id]: 'Reports' },
    announce: { requester: true, group: true },
  });
  t.equal(events[1]!.actor_id, customer.id);
});

t.test('another customer can neither see nor finish a draft', async (t) => {
  const { client, post, db, app, itId, jobs } = await setup(t);
  const saved = await post(client, '/portal/tickets', [{ name: 'typeId', value: itId }, { name: 'subject', value: 'Mine' }, { name: 'draft', value: '1' }]);
  const id = Number(/\/portal\/tickets\/(\d+)$/.exec(String(saved.headers.location))?.[1]);
  const other = await makeUser(db, 'customer', { name: 'Otto', email: 'otto@example.test' });
  const otto = new Client(app);
  await otto.login(other.email, PASSWORD);
  await otto.get('/portal/tickets/new');
  t.equal((await otto.get(`/portal/tickets/${id}`)).statusCode, 404);
  t.equal((await otto.get(`/portal/tickets/${id}/edit-draft`)).statusCode, 404);
  const res = await post(otto, `/portal/tickets/${id}/submit-draft`, [{ name: 'typeId', value: itId }, { name: 'subject', value: 'Taken' }, { name: 'message', value: 'Hi' }]);
  t.equal(res.statusCode, 404);
  t.same(await jobs('mail'), []);
});
