import t from 'tap';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeEvent, makeMessage, makeTickets, makeUser, PASSWORD } from '../helpers/factories.js';

async function adminClient(app: Client['app'], db: Db) {
  const row = await makeUser(db, 'admin');
  const client = new Client(app);
  await client.login(row.email, PASSWORD);
  return { client, row };
}

t.test('merging two records of one customer moves tickets, messages, CCs and ratings, leaves one record, and is audited', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const { client: admin, row: adminRow } = await adminClient(app, db);
  const kept = await makeUser(db, 'customer', { name: 'Mia Work', email: 'mia@work.test' });
  const removed = await makeUser(db, 'customer', { name: 'Mia Home', email: 'mia@home.test' });
  const other = await makeUser(db, 'customer');
  const group = await db.selectFrom('groups').select('id').executeTakeFirstOrThrow();
  const [t1, t2] = await makeTickets(db, 2, (i) => ({ requesterId: removed.id, subject: `From home ${i}` }));
  const [t3] = await makeTickets(db, 1, { requesterId: other.id, subject: 'Someone else' });
  await makeMessage(db, t1!, { authorId: removed.id, kind: 'reply', text: 'Written at home' });
  await makeCcs(db, t3!, removed.id, kept.id);
  await db.insertInto('ratings').values({ ticket_id: t2!, user_id: removed.id, score: 'good', created_at: new Date().toISOString() }).execute();
  await db.insertInto('ticket_members').values({ ticket_id: t3!, user_id: removed.id, role: 'requested', offer_state: null, offered_at: null, offer_expires_at: null, responded_at: null, created_at: new Date().toISOString() }).execute();
  await db.insertInto('group_members').values({ group_id: group.id, user_id: removed.id }).execute();
  const removedSession = new Client(app);
  await removedSession.login(removed.email, PASSWORD);

  const lookup = await admin.get(`/admin/users/${kept.id}/merge?other=nobody@x.test`);
  t.equal(lookup.statusCode, 422);
  t.match(lookup.body, 'No one has that address or number.');
  t.equal((await admin.get(`/admin/users/${kept.id}/merge?other=${adminRow.id}`)).statusCode, 422, 'staff and customers are not merged');

  const confirm = await admin.get(`/admin/users/${kept.id}/merge?other=MIA@home.test`);
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, 'Merge these records?');
  t.match(confirm.body, 'The 2 tickets mia@home.test requested, their 1 message, the 1 ticket they are copied on');
  t.match(confirm.body, 'move to mia@work.test');
  t.equal(await db.selectFrom('users').select('id').where('id', '=', removed.id).executeTakeFirst() !== undefined, true, 'nothing changes before confirming');

  const res = await admin.post(`/admin/users/${kept.id}/merge`, { removedId: String(removed.id) });
  t.equal(res.statusCode, 303);
  t.match((await admin.get(`/admin/users/${kept.id}`)).body, 'The records are merged.');

  t.equal(await db.selectFrom('users').select('id').where('id', '=', removed.id).executeTakeFirst(), undefined, 'one record is left');
  t.same((await db.selectFrom('tickets').select('id').where('requester_id', '=', kept.id).orderBy('id').execute()).map((r) => r.id), [t1, t2]);
  t.same((await db.selectFrom('messages').select('author_id').where('ticket_id', '=', t1!).execute()).map((r) => r.author_id), [kept.id]);
  t.same(await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', t3!).execute(), [{ user_id: kept.id }], 'one CC, not two');
  t.equal((await db.selectFrom('ratings').select('user_id').executeTakeFirstOrThrow()).user_id, kept.id);
  t.equal((await db.selectFrom('ticket_members').select('user_id').executeTakeFirstOrThrow()).user_id, kept.id);
  t.same(await db.selectFrom('group_members').select('user_id').where('group_id', '=', group.id).execute(), [{ user_id: kept.id }]);
  t.equal((await removedSession.get('/portal')).statusCode, 303, 'the removed record\'s session is gone');

  const keeper = new Client(app);
  await keeper.login(kept.email, PASSWORD);
  const list = await keeper.get('/portal/tickets');
  t.match(list.body, 'From home 0');
  t.match(list.body, 'From home 1');

  const [entry] = await db.selectFrom('audit_log').selectAll().where('action', '=', 'user.merged').execute();
  t.equal(entry!.subject_id, kept.id);
  t.equal(entry!.actor_id, adminRow.id);
  t.match(JSON.parse(entry!.details), { before: { removed: { id: removed.id, email: 'mia@home.test' } }, moved: { tickets: 2, messages: 1, ccs: 1 } });
});

t.test('an export is a JSON download of the person\'s profile, tickets, messages and ratings, without secrets', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const { client: admin } = await adminClient(app, db);
  const customer = await makeUser(db, 'customer', { name: 'Exa Port', email: 'exa@customer.test' });
  const agent = await makeUser(db, 'agent', { name: 'Nate Notes' });
  const [ticket] = await makeTickets(db, 1, { requesterId: customer.id, subject: 'Printer on fire' });
  await makeMessage(db, ticket!, { authorId: customer.id, kind: 'reply', text: 'It is still burning' });
  await makeMessage(db, ticket!, { authorId: agent.id, kind: 'note', text: 'Call the fire brigade' });
  await db.insertInto('ratings').values({ ticket_id: ticket!, user_id: customer.id, score: 'bad', comment: 'Too slow', created_at: new Date().toISOString() }).execute();
  await db.insertInto('user_tokens').values({ user_id: customer.id, kind: 'reset', token_hash: 'secret-token-hash', expires_at: '2099-01-01T00:00:00Z', used_at: null, created_at: new Date().toISOString() }).execute();

  const res = await admin.get(`/admin/users/${customer.id}/export`);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], 'application/json');
  t.match(res.headers['content-disposition'], `attachment; filename="person-${customer.id}.json"`);
  const data = JSON.parse(res.body);
  t.match(data.profile, { id: customer.id, email: 'exa@customer.test', name: 'Exa Port', role: 'customer' });
  t.same(data.tickets_requested.map((x: { subject: string }) => x.subject), ['Printer on fire']);
  t.same(data.messages.map((m: { body_text: string }) => m.body_text), ['It is still burning']);
  t.match(data.ratings, [{ ticket_id: ticket, score: 'bad', comment: 'Too slow' }]);
  t.notMatch(res.body, 'password', 'no password hash');
  t.notMatch(res.body, 'scrypt');
  t.notMatch(res.body, 'secret-token-hash', 'no tokens');
  t.notMatch(res.body, 'fire brigade', 'someone else\'s note is not theirs');

  const staff = JSON.parse((await admin.get(`/admin/users/${agent.id}/export`)).body);
  t.same(staff.messages.map((m: { kind: string; body_text: string }) => [m.kind, m.body_text]), [['note', 'Call the fire brigade']], 'staff exports hold the notes they wrote');
  t.equal((await db.selectFrom('audit_log').select('id').where('action', '=', 'user.exported').execute()).length, 2);
});

t.test('erasing a person anonymises them, keeps their messages, and locks them out', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const { client: admin } = await adminClient(app, db);
  const org = await db.insertInto('organizations').values({ name: 'Acme', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  const person = await makeUser(db, 'customer', { name: 'Eve Erase', email: 'eve@customer.test', organizationId: org.id });
  const [ticket] = await makeTickets(db, 1, { requesterId: person.id, subject: 'My data' });
  await makeMessage(db, ticket!, { authorId: person.id, kind: 'reply', text: 'Regards, Eve' });
  await makeEvent(db, ticket!, { actorId: null, kind: 'ccs', to: 'someone@x.test, eve@customer.test' });
  await db.insertInto('audit_log').values({ actor_id: null, action: 'user.created', subject_type: 'user', subject_id: person.id, details: JSON.stringify({ after: { email: 'eve@customer.test', name: 'Eve Erase' } }), created_at: new Date().toISOString() }).execute();
  const session = new Client(app);
  await session.login(person.email, PASSWORD);

  const confirm = await admin.get(`/admin/users/${person.id}/erase`);
  t.equal(confirm.statusCode, 200);
  t.match(confirm.body, `Their name becomes &quot;Deleted user #${person.id}&quot;`);
  t.match(confirm.body, 'message bodies stay as they wrote them');
  const res = await admin.post(`/admin/users/${person.id}/erase`);
  t.equal(res.statusCode, 303);
  const page = await admin.get(`/admin/users/${person.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'The person is erased; their messages are kept.');
  t.match(page.body, `Deleted user #${person.id}`);
  t.notMatch(page.body, 'Enable again', 'an erased person cannot be enabled');

  const row = await db.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
  t.match(row, { name: `Deleted user #${person.id}`, email: `deleted-${person.id}@erased.invalid`, password_hash: null, state: 'disabled', organization_id: null });
  t.same((await db.selectFrom('messages').select(['author_id', 'body_text']).where('ticket_id', '=', ticket!).execute()), [{ author_id: person.id, body_text: 'Regards, Eve' }], 'the message is kept as written');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', person.id).execute()).length, 0);
  t.equal((await session.get('/portal')).statusCode, 303, 'the open session ended');
  const retry = new Client(app);
  await retry.get('/login');
  t.not((await retry.post('/login', { email: 'eve@customer.test', password: PASSWORD })).statusCode, 303, 'they cannot log in');

  const event = await db.selectFrom('ticket_events').select('to_value').where('kind', '=', 'ccs').executeTakeFirstOrThrow();
  t.equal(event.to_value, `someone@x.test, deleted-${person.id}@erased.invalid`);
  const entries = await db.selectFrom('audit_log').select(['action', 'details']).where('subject_id', '=', person.id).orderBy('id').execute();
  t.same(entries.map((e) => e.action), ['user.created', 'user.erased']);
  for (const e of entries) {
    t.notMatch(e.details, 'eve@customer.test', 'the audit log keeps no address');
    t.notMatch(e.details, 'Eve Erase', 'nor the name');
  }
  t.equal((await admin.post(`/admin/users/${person.id}/state`, { state: 'active' })).statusCode, 409);
});
