import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';
import { BYTES, filesUnder, postMultipart } from '../attachments/helpers.js';

async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Robin Agent' });
  const customer = await makeUser(desk.db, 'customer', { name: 'Cora' });
  const [id] = await makeTickets(desk.db, 1, { requesterId: customer.id, subject: 'Broken VPN' });
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.get(`/agent/tickets/${id}`);
  const portal = new Client(desk.app);
  await portal.login(customer.email, PASSWORD);
  return { ...desk, agent, customer, id: id!, staff, portal };
}

t.test('an agent replies in Markdown: the customer reads it, and the first response is stamped', async (t) => {
  const { staff, portal, db, id, agent } = await setup(t);
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Please **restart** the client.\n\n- step one' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/agent/tickets/${id}?tab=general`);
  const message = await db.selectFrom('messages').selectAll().where('ticket_id', '=', id).executeTakeFirstOrThrow();
  t.equal(message.kind, 'reply');
  t.equal(message.body_text, 'Please **restart** the client.\n\n- step one', 'the source text is kept');
  t.match(message.body_html, '<strong>restart</strong>');
  const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.ok(ticket.first_response_at);
  t.equal(ticket.last_replier_id, agent.id);
  t.match((await staff.get(`/agent/tickets/${id}`)).body, '<strong>restart</strong>');
  t.match((await portal.get(`/portal/tickets/${id}`)).body, '<strong>restart</strong>');
});

t.test('an internal note is marked as such, lives in Internal Updates and in the whole story, and never reaches the customer', async (t) => {
  const { staff, portal, db, id } = await setup(t);
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'CANARY-NOTE: customer is on the old plan', tab: 'internal' });
  t.equal(res.headers.location, `/agent/tickets/${id}?tab=internal`, 'written on Internal Updates, it comes back there');
  const internal = await staff.get(`/agent/tickets/${id}?tab=internal`);
  t.match(internal.body, /<article class="message message-note by-staff">[\s\S]*Internal[\s\S]*CANARY-NOTE/);
  t.match(await staff.page(`/agent/tickets/${id}`), /<article class="message message-note by-staff">[\s\S]*?<span class="badge badge-internal">Internal<\/span>[\s\S]*?CANARY-NOTE/,
    'General shows it in the stream, labelled Internal');
  t.notMatch(await portal.page(`/portal/tickets/${id}`), 'CANARY-NOTE');
  t.notMatch(await portal.page('/portal'), 'CANARY-NOTE');
  const ticket = await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.equal(ticket.first_response_at, null, 'a note is not a response to the customer');
});

t.test('a public update goes to the Updates tab and into the customer\'s service record', async (t) => {
  const { staff, portal, id } = await setup(t);
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Technician booked for Monday', tab: 'updates' });
  t.equal(res.headers.location, `/agent/tickets/${id}?tab=updates`, 'written on Updates, it comes back there');
  const fromGeneral = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Technician came', tab: 'general' });
  t.equal(fromGeneral.headers.location, `/agent/tickets/${id}?tab=general`, 'written on General, it stays on the whole story');
  t.match((await staff.get(`/agent/tickets/${id}?tab=updates`)).body, 'Technician booked for Monday');
  t.match((await portal.get(`/portal/tickets/${id}`)).body, 'Technician booked for Monday');
});

t.test('"Submit as" moves the status with the message, in one step', async (t) => {
  const { staff, db, id } = await setup(t);
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Working on it', statusId: '3' });
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', id).executeTakeFirstOrThrow()).status_id, 3);
  const events = await db.selectFrom('ticket_events').select(['kind', 'from_value', 'to_value']).where('ticket_id', '=', id).execute();
  t.same(events, [{ kind: 'status', from_value: 'New', to_value: 'Pending' }]);
});

t.test('an empty message comes back with the error and the choices kept; nothing is stored', async (t) => {
  const { staff, db, id } = await setup(t);
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: '   ', statusId: '4' });
  t.equal(res.statusCode, 422);
  t.match(res.body, /<textarea id="f-body"[^>]*aria-invalid="true"/);
  t.match(res.body, 'This field is required.');
  t.match(res.body, /<input type="radio" name="kind" value="note"[^>]*checked>/);
  t.match(res.body, /<details class="send-as" open>[\s\S]*?<button type="submit" name="statusId" value="4" class="chosen">Send as Solved<\/button>/,
    '"Send and set status…" stays open on the status chosen');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 0);
  const bad = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'shout', body: 'x' });
  t.equal(bad.statusCode, 422);
});

t.test('when the status in "Submit as" is refused, the message is not stored either', async (t) => {
  const { staff, db, id } = await setup(t);
  const field = await db.insertInto('fields').values({ key: 'cause', label: 'Root cause', kind: 'text', required_before_category: 'solved', created_at: nowIso() })
    .returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_type_fields').values({ type_id: 1, field_id: field.id, position: 1 }).execute();
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'All fixed!', statusId: '4' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Fill in Root cause before moving the ticket to Solved.');
  t.match(res.body, 'All fixed!', 'the typed text is kept');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 0, 'all or nothing');
});

t.test('customers and strangers cannot post as agents', async (t) => {
  const { portal, app, id, db } = await setup(t);
  t.equal((await portal.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'x' })).statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: `/agent/tickets/${id}/messages`, payload: { kind: 'note', body: 'x' } })).statusCode, 403);
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 0);
});

t.test('a reply with attachments: files are bound to it and the customer can download them; a refused file keeps nothing', async (t) => {
  const { staff, portal, db, id, app, config } = await setup(t);
  const ok = await postMultipart(app, staff, `/agent/tickets/${id}/messages`, [
    { name: '_csrf', value: staff.csrf }, { name: 'kind', value: 'reply' }, { name: 'body', value: 'Here is the invoice' },
    { name: 'files', filename: 'invoice.pdf', content: BYTES.pdf, type: 'application/pdf' },
    { name: 'files', filename: 'screen.png', content: BYTES.png, type: 'image/png' },
  ]);
  t.equal(ok.statusCode, 303);
  const files = await db.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.filename', 'messages.kind']).orderBy('attachments.id').execute();
  t.same(files.map((f) => [f.filename, f.kind]), [['invoice.pdf', 'reply'], ['screen.png', 'reply']]);
  const page = await portal.get(`/portal/tickets/${id}`);
  t.match(page.body, `href="/attachments/${files[0]!.id}/invoice.pdf"`);
  const download = await portal.get(`/attachments/${files[0]!.id}/invoice.pdf`);
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');

  const before = filesUnder(config.uploadsDir).length;
  const refused = await postMultipart(app, staff, `/agent/tickets/${id}/messages`, [
    { name: '_csrf', value: staff.csrf }, { name: 'kind', value: 'note' }, { name: 'body', value: 'Look at this' },
    { name: 'files', filename: 'fine.png', content: BYTES.png, type: 'image/png' },
    { name: 'files', filename: 'evil.png', content: BYTES.html, type: 'image/png' },
  ]);
  t.equal(refused.statusCode, 422);
  t.match(refused.body, 'evil.png: its name says PNG, but the content is HTML.');
  t.match(refused.body, 'Look at this', 'the typed text is kept');
  t.equal((await db.selectFrom('messages').select('id').where('kind', '=', 'note').execute()).length, 0);
  t.equal((await db.selectFrom('attachments').select('id').execute()).length, 2, 'no pending upload left behind');
  t.equal(filesUnder(config.uploadsDir).length, before, 'no file left behind');

  const forged = await postMultipart(app, staff, `/agent/tickets/${id}/messages`, [
    { name: 'kind', value: 'reply' }, { name: 'body', value: 'x' }, { name: 'files', filename: 'a.png', content: BYTES.png },
  ]);
  t.equal(forged.statusCode, 403, 'no token first: refused before any file is written');
  t.equal(filesUnder(config.uploadsDir).length, before);
});
