import t, { type Test } from 'tap';
import { nowIso } from '../../src/lib/time.js';
import { BYTES, postMultipart } from '../attachments/helpers.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeEvent, makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

// Simple workflow: 1 New, 2 Open, 3 Pending ("In progress" to customers), 4 Solved, 5 Closed.
async function setup(t: Test) {
  const desk = await buildTestDesk(t);
  const { db } = desk;
  const cora = await makeUser(db, 'customer', { name: 'Cora', email: 'cora@example.test' });
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const [id] = await makeTickets(db, 1, { requesterId: cora.id, subject: 'Printer offline', statusId: 3 });
  const say = (kind: 'reply' | 'note' | 'update', text: string, authorId = agent.id) => makeMessage(db, id!, { authorId, kind, text });
  const client = new Client(desk.app);
  await client.login(cora.email, PASSWORD);
  await client.get(`/portal/tickets/${id}`);
  const setStatus = (statusId: number) => db.updateTable('tickets').set({ status_id: statusId }).where('id', '=', id!).execute();
  const statusOf = async () => (await db.selectFrom('tickets').select('status_id').where('id', '=', id!).executeTakeFirstOrThrow()).status_id;
  return { ...desk, cora, agent, id: id!, say, client, setStatus, statusOf };
}

t.test('the ticket page shows customer labels, public messages with files, visible fields and a timeline; nothing internal', async (t) => {
  const { client, id, db, say, agent } = await setup(t);
  await say('reply', 'We ordered a new drum');
  await say('note', 'CANARY-NOTE');
  const update = await say('update', 'Technician on Monday');
  await db.insertInto('attachments').values({ message_id: update, uploader_id: agent.id, filename: 'plan.pdf', content_type: 'application/pdf',
    size: 10, sha256: 'x', storage_key: 'nope', created_at: nowIso() }).execute();
  const now = nowIso();
  const seen = await db.insertInto('fields').values({ key: 'model', label: 'Printer model', kind: 'text', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const hidden = await db.insertInto('fields').values({ key: 'cost', label: 'CANARY-FIELD', kind: 'text', customer_visible: 0, created_at: now }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('ticket_field_values').values([{ ticket_id: id, field_id: seen.id, value: 'LaserJet 4' }, { ticket_id: id, field_id: hidden.id, value: 'CANARY-VALUE' }]).execute();
  await makeEvent(db, id, { actorId: agent.id, kind: 'status', from: 'Open', to: 'Pending', at: now });

  const page = await client.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, '<span class="status status-open">In progress</span>', 'the customer label, not "Pending"');
  t.match(page.body, 'We ordered a new drum');
  t.match(page.body, 'Technician on Monday');
  t.match(page.body, '/plan.pdf"');
  t.match(page.body, /<dt>Printer model<\/dt><dd>LaserJet 4<\/dd>/);
  t.match(page.body, 'Status changed from Open to In progress');
  for (const canary of ['CANARY-NOTE', 'CANARY-FIELD', 'CANARY-VALUE', 'Pending']) t.notMatch(page.body, canary, canary);
});

t.test('the fields are in the type\'s order, after the values of fields the type does not have (by label), on both databases', async (t) => {
  // Sorted by the app, not the database (src/lib/order.ts): PostgreSQL would put the fields without a
  // place in the type last, SQLite first; SQLite's order is kept.
  const { client, id, db } = await setup(t);
  const field = (key: string, label: string) => db.insertInto('fields').values({ key, label, kind: 'text', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const [serial, model, old, asset] = [await field('serial', 'Serial number'), await field('model', 'Printer model'), await field('old', 'Old contract'), await field('asset', 'Asset tag')];
  await db.insertInto('ticket_type_fields').values([{ type_id: 1, field_id: serial.id, position: 2 }, { type_id: 1, field_id: model.id, position: 1 }]).execute();
  await db.insertInto('ticket_field_values').values([serial, model, old, asset].map((f, i) => ({ ticket_id: id, field_id: f.id, value: `value ${i}` }))).execute();

  const page = await client.page(`/portal/tickets/${id}`);
  t.same([...page.matchAll(/<dt>([^<]+)<\/dt><dd>value \d<\/dd>/g)].map((m) => m[1]), ['Asset tag', 'Old contract', 'Printer model', 'Serial number']);
});

t.test('a reply to a solved ticket reopens it; to a ticket waiting on the customer puts it back to open', async (t) => {
  const { client, id, db, setStatus, statusOf } = await setup(t);
  await setStatus(4);
  t.match((await client.get(`/portal/tickets/${id}`)).body, 'If you write, it is reopened');
  const res = await client.post(`/portal/tickets/${id}/replies`, { body: 'Still broken' });
  t.equal(res.statusCode, 303);
  t.equal(await statusOf(), 2, 'reopened: the default open status');
  const event = await db.selectFrom('ticket_events').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same([event.kind, event.from_value, event.to_value], ['reopened', 'Solved', 'Open']);
  t.match((await client.get(`/portal/tickets/${id}`)).body, 'Reopened by you: Solved → Open');
  const message = await db.selectFrom('messages').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  t.same([message.kind, message.body_text], ['reply', 'Still broken']);

  const waiting = await db.insertInto('statuses').values({ name: 'Waiting on customer', customer_label: 'Waiting on you', category: 'pending', position: 9 })
    .returning('id').executeTakeFirstOrThrow();
  await setStatus(waiting.id);
  await client.post(`/portal/tickets/${id}/replies`, { body: 'Here is the info' });
  t.equal(await statusOf(), 2, 'answered: back to open');
  t.equal((await client.post(`/portal/tickets/${id}/replies`, { body: '  ' })).statusCode, 422);
});

t.test('a closed ticket takes no reply: refused with a follow-up link, or turned into a follow-up ticket by setting', async (t) => {
  const { client, id, db, setStatus } = await setup(t);
  await setStatus(5);
  const page = await client.get(`/portal/tickets/${id}`);
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, '/replies"', 'no reply form');
  t.match(page.body, `href="/portal/tickets/new?followup=${id}"`);
  const refused = await client.post(`/portal/tickets/${id}/replies`, { body: 'One more thing' });
  t.equal(refused.statusCode, 409);
  t.match(refused.body, 'This ticket is closed and takes no more messages.');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 0);
  const followForm = await client.get(`/portal/tickets/new?followup=${id}`);
  t.match(followForm.body, `value="Follow-up to #${id}: Printer offline"`);

  await db.insertInto('settings').values({ key: 'portal.closed_reply', value: 'followup' }).execute();
  const turned = await client.post(`/portal/tickets/${id}/replies`, { body: 'One more thing' });
  t.equal(turned.statusCode, 303);
  const follow = await db.selectFrom('tickets').selectAll().where('id', '!=', id).executeTakeFirstOrThrow();
  t.equal(follow.subject, `Follow-up to #${id}: Printer offline`);
  t.equal(turned.headers.location, `/portal/tickets/${follow.id}/submitted`);
  t.equal((await db.selectFrom('messages').select('body_text').where('ticket_id', '=', follow.id).executeTakeFirstOrThrow()).body_text, 'One more thing');
  t.equal((await db.selectFrom('ticket_events').select('to_value').where('kind', '=', 'followup').executeTakeFirstOrThrow()).to_value, `#${follow.id}`);
});

t.test('a reply can carry files; a refused file names itself and nothing is stored', async (t) => {
  const { client, id, db, app } = await setup(t);
  const ok = await postMultipart(app, client, `/portal/tickets/${id}/replies`, [{ name: '_csrf', value: client.csrf }, { name: 'body', value: 'Photo attached' },
    { name: 'files', filename: 'photo.jpg', content: BYTES.jpg }]);
  t.equal(ok.statusCode, 303);
  t.same((await db.selectFrom('attachments').select('filename').where('message_id', 'is not', null).execute()).map((a) => a.filename), ['photo.jpg']);
  const bad = await postMultipart(app, client, `/portal/tickets/${id}/replies`, [{ name: '_csrf', value: client.csrf }, { name: 'body', value: 'Again' },
    { name: 'files', filename: 'tool.png', content: Buffer.from('MZ\x90\x00 an exe') }]);
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'tool.png: its name says PNG, but the content is not a PNG file');
  t.match(bad.body, 'Again');
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 1);
});

t.test('the customer marks their ticket solved, rates it, changes the rating, and agents see it', async (t) => {
  const { client, id, db, agent, app, statusOf } = await setup(t);
  t.equal((await client.post(`/portal/tickets/${id}/rating`, { score: 'good' })).statusCode, 422, 'not solved yet: no rating');
  await client.post(`/portal/tickets/${id}/solve`);
  t.equal(await statusOf(), 4);
  const page = await client.get(`/portal/tickets/${id}`);
  t.match(page.body, 'How did we do?');
  await client.post(`/portal/tickets/${id}/rating`, { score: 'bad', comment: 'Took a week' });
  await client.post(`/portal/tickets/${id}/rating`, { score: 'good', comment: 'Fixed in the end' });
  const ratings = await db.selectFrom('ratings').select(['score', 'comment']).execute();
  t.same(ratings, [{ score: 'good', comment: 'Fixed in the end' }], 'changed, not added');
  t.match((await client.get(`/portal/tickets/${id}`)).body, 'You rated this ticket: Good.');

  const staff = new Client(app);
  const agentRow = await db.selectFrom('users').select('email').where('id', '=', agent.id).executeTakeFirstOrThrow();
  await staff.login(agentRow.email, PASSWORD);
  t.match((await staff.get(`/agent/tickets/${id}`)).body, /<dt>Rating<\/dt>\s*<dd><span class="badge rating-good">👍 Rated good<\/span> “Fixed in the end”/);
  t.match((await staff.get('/agent/tickets?view=all')).body, '<span class="badge rating-good">');

  await db.insertInto('settings').values({ key: 'rating.closes_ticket', value: '1' }).execute();
  await client.post(`/portal/tickets/${id}/rating`, { score: 'good', comment: 'Closing' });
  t.equal(await statusOf(), 5, 'the setting makes a rating close the ticket');
  t.equal((await client.post(`/portal/tickets/${id}/rating`, { score: 'bad' })).statusCode, 422, 'closed: the rating is final');
});

t.test('the requester copies people in (an unknown address is invited) and takes them off; others cannot', async (t) => {
  const { client, id, db, app } = await setup(t);
  const res = await client.post(`/portal/tickets/${id}/ccs`, { email: 'Dana@Example.test' });
  t.equal(res.statusCode, 303);
  const dana = await db.selectFrom('users').selectAll().where('email', '=', 'dana@example.test').executeTakeFirstOrThrow();
  t.same([dana.role, dana.state], ['customer', 'invited']);
  await app.worker.consume(); // the notifications consumer sends the invitation
  const invitation = JSON.parse((await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').executeTakeFirstOrThrow()).payload);
  t.same(invitation.to, ['dana@example.test']);
  t.match((await client.get(`/portal/tickets/${id}`)).body, 'dana@example.test');
  await makeUser(db, 'agent', { email: 'staff@desk.test', name: 'S', password: null });
  t.equal((await client.post(`/portal/tickets/${id}/ccs`, { email: 'staff@desk.test' })).statusCode, 422);

  const eve = await makeUser(db, 'customer', { email: 'eve@example.test' });
  await makeCcs(db, id, eve.id);
  const asEve = new Client(app);
  await asEve.login(eve.email, PASSWORD);
  t.equal((await asEve.get(`/portal/tickets/${id}`)).statusCode, 200, "a CC'd customer reads the ticket");
  t.equal((await asEve.post(`/portal/tickets/${id}/ccs`, { remove: String(dana.id) })).statusCode, 403, '...but does not manage its CCs');
  await client.post(`/portal/tickets/${id}/ccs`, { remove: String(dana.id) });
  t.same((await db.selectFrom('ticket_ccs').select('user_id').execute()).map((r) => r.user_id), [eve.id]);
});

t.test('copying in a staff address answers exactly as any address that cannot be added: nothing tells the customer it is staff', async (t) => {
  const { client, id, db } = await setup(t);
  await makeUser(db, 'agent', { email: 'robin.staff@example.test' });
  await makeUser(db, 'customer', { email: 'gone.customer@example.test', state: 'disabled' });
  await client.get(`/portal/tickets/${id}`);
  const staff = await client.post(`/portal/tickets/${id}/ccs`, { email: 'robin.staff@example.test' });
  const disabled = await client.post(`/portal/tickets/${id}/ccs`, { email: 'gone.customer@example.test' });
  t.equal(staff.statusCode, 422);
  t.equal(disabled.statusCode, staff.statusCode, 'the same status');
  t.match(staff.body, 'This address cannot be copied in on the ticket.');
  const typed = (body: string, email: string) => body.replaceAll(email, 'ADDRESS');
  t.notMatch(typed(staff.body, 'robin.staff@example.test'), /staff/i, 'nothing about staff');
  t.equal(typed(staff.body, 'robin.staff@example.test'), typed(disabled.body, 'gone.customer@example.test'), 'the same page, but for the address typed (kept in the field)');
  t.same(await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', id).execute(), [], 'neither was added');
});

t.test('two customers of two organisations cannot reach each other\'s tickets or files by id', async (t) => {
  const { id, db, app, say, cora } = await setup(t);
  const org = await db.insertInto('organizations').values({ name: 'Globex', members_see_all_tickets: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const acme = await db.insertInto('organizations').values({ name: 'Acme', members_see_all_tickets: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await db.updateTable('users').set({ organization_id: acme.id }).where('id', '=', cora.id).execute();
  await db.updateTable('tickets').set({ organization_id: acme.id }).where('id', '=', id).execute();
  const message = await say('reply', 'with a file', cora.id);
  const file = await db.insertInto('attachments').values({ message_id: message, uploader_id: cora.id, filename: 'a.pdf', content_type: 'application/pdf',
    size: 1, sha256: 'x', storage_key: 'nope', created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const gus = await makeUser(db, 'customer', { email: 'gus@globex.test', organizationId: org.id });
  const asGus = new Client(app);
  await asGus.login(gus.email, PASSWORD);
  for (const url of [`/portal/tickets/${id}`, `/portal/tickets/${id}/submitted`, `/attachments/${file.id}/a.pdf`]) {
    t.equal((await asGus.get(url)).statusCode, 404, url);
  }
  for (const [url, form] of [[`/portal/tickets/${id}/replies`, { body: 'x' }], [`/portal/tickets/${id}/solve`, {}], [`/portal/tickets/${id}/rating`, { score: 'good' }],
    [`/portal/tickets/${id}/ccs`, { email: 'x@example.test' }]] as const) {
    t.equal((await asGus.post(url, form)).statusCode, 404, `POST ${url}`);
  }
  t.equal((await db.selectFrom('messages').select('id').execute()).length, 1, 'nothing was written');
});
