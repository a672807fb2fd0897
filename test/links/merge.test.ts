// Merging tickets (issue 20, point 4): the other ticket's conversation (with its files, notes and
// chat) moves into the survivor in time order, its requester and CCs are copied in, it is closed with
// a note its requester reads (and is mailed), both histories say so, its customers land on the
// survivor in the portal, and mail answering its threads lands on the survivor. Only tickets the
// agent sees; two brands only when the agent ticks that they mean it; internal notes stay internal.
import t, { type Test } from 'tap';
import { receiveMessage } from '../../src/mailin/receive.js';
import { nowIso } from '../../src/lib/time.js';
import { Client } from '../helpers/client.js';
import { makeCcs, makeMessage, makeTicket, makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, mailsTo, messagesOf, receive, STATUS } from '../mailin/helpers.js';

const mailFrom = (from: string, to: string, subject: string, body: string, extra = '') => Buffer.from(
  `From: ${from}\nTo: ${to}\nSubject: ${subject}\nMessage-ID: <${Math.random().toString(36).slice(2)}@sender.test>\n${extra}Content-Type: text/plain; charset=utf-8\n\n${body}\n`);

/** Casey's #1 "Printer on fire" (the mail fixtures answer it) and Dana's #2 "Office smells of smoke", which survives. */
async function setup(t: Test) {
  const desk = await deskWithTicket(t);
  const { db } = desk;
  const agent = await makeUser(db, 'agent', { name: 'Robin Agent' });
  const dana = await makeUser(db, 'customer', { email: 'dana@customer.test', name: 'Dana Doe' });
  const copied = await makeUser(db, 'customer', { email: 'cc@customer.test', name: 'Cee Copied' });
  const survivor = await makeTicket(db, { requesterId: dana.id, subject: 'Office smells of smoke', statusId: STATUS.open });
  await makeMessage(db, survivor, { authorId: dana.id, text: 'The office smells of smoke.', at: '2026-03-03T08:00:00.000Z' });
  await makeMessage(db, survivor, { authorId: agent.id, text: 'We are looking into it.', at: '2026-03-03T10:00:00.000Z' });
  const note = await makeMessage(db, 1, { authorId: agent.id, kind: 'note', text: 'Secret: the printer is ours.', at: '2026-03-03T09:30:00.000Z' });
  await makeMessage(db, 1, { authorId: desk.casey.id, kind: 'chat', text: 'Chatting about the printer.', at: '2026-03-03T09:45:00.000Z' });
  await makeCcs(db, 1, copied.id);
  const first = await db.selectFrom('messages').select('id').where('ticket_id', '=', 1).orderBy('id').executeTakeFirstOrThrow();
  const file = await db.insertInto('attachments').values({
    message_id: first.id, uploader_id: desk.casey.id, filename: 'smoke.txt', content_type: 'text/plain', size: 5, sha256: '0'.repeat(64),
    storage_key: 'b'.repeat(32), created_at: nowIso(),
  }).returning('id').executeTakeFirstOrThrow();
  const staff = new Client(desk.app);
  await staff.login(agent.email, PASSWORD);
  await staff.page(`/agent/tickets/${survivor}`);
  return { ...desk, agent, dana, copied, survivor, note, file: file.id, firstMessage: first.id, staff };
}

t.test('merging moves the conversation, files, notes and chat in time order; the requester and CCs become CCs; both histories say so', async (t) => {
  const desk = await setup(t);
  const { db, staff, survivor } = desk;
  const page = await staff.page(`/agent/tickets/${survivor}`);
  t.match(page, `href="/agent/tickets/${survivor}/merge"`, 'the ticket page offers Merge');
  const found = await staff.page(`/agent/tickets/${survivor}/merge?q=printer`);
  t.match(found, '#1 Printer on fire', 'a search by subject finds the other ticket');
  t.notMatch(found, `>#${survivor} Office`, 'not the ticket itself');

  const merged = await staff.post(`/agent/tickets/${survivor}/merge`, { other: '#1' });
  t.equal(merged.statusCode, 303);
  t.equal(merged.headers.location, `/agent/tickets/${survivor}`);

  const messages = await db.selectFrom('messages').select(['body_text', 'kind']).where('ticket_id', '=', survivor)
    .orderBy('created_at').orderBy('id').execute();
  t.same(messages.map((m) => m.body_text), [
    'The office smells of smoke.', 'My printer is on fire.', 'Secret: the printer is ours.', 'Chatting about the printer.', 'We are looking into it.',
  ], 'every message of #1 is on the survivor, in time order');
  t.equal(messages[2]!.kind, 'note', 'the internal note is still a note');
  t.equal(messages[3]!.kind, 'chat', 'the chat line is still chat');
  const file = await db.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select('messages.ticket_id').where('attachments.id', '=', desk.file).executeTakeFirstOrThrow();
  t.equal(file.ticket_id, survivor, 'the file went with its message');

  const left = await messagesOf(db, 1);
  t.equal(left.length, 1, 'the merged ticket keeps one message: the note for its requester');
  t.equal(left[0]!.kind, 'update', 'a public update');
  t.match(left[0]!.body_text, `This request was merged into ticket #${survivor}`);
  const closed = await db.selectFrom('tickets').select(['status_id', 'closed_at']).where('id', '=', 1).executeTakeFirstOrThrow();
  t.equal(closed.status_id, STATUS.closed, 'the merged ticket is closed');
  t.ok(closed.closed_at);
  const ccs = await db.selectFrom('ticket_ccs').select('user_id').where('ticket_id', '=', survivor).orderBy('user_id').execute();
  t.same(ccs.map((c) => c.user_id), [desk.casey.id, desk.copied.id].sort((a, b) => a - b), "the merged ticket's requester and CC are copied in");

  const history = async (id: number) => db.selectFrom('ticket_events').select(['kind', 'to_value']).where('ticket_id', '=', id)
    .where('kind', 'like', 'merged%').execute();
  t.same(await history(1), [{ kind: 'merged_into', to_value: `#${survivor}` }]);
  t.same(await history(survivor), [{ kind: 'merged_from', to_value: '#1' }]);
  const event = await db.selectFrom('events').select(['ticket_id', 'payload']).where('kind', '=', 'ticket.merged').executeTakeFirstOrThrow();
  t.equal(event.ticket_id, 1);
  t.match(JSON.parse(event.payload), { survivorId: survivor });

  const after = await staff.page(`/agent/tickets/${survivor}`);
  t.match(after, 'Ticket merged into this one.');
  t.match(after, /Merged from <a href="\/agent\/tickets\/1">#1 Printer on fire<\/a>/, 'the survivor shows where it was merged from');
  t.match(after, 'My printer is on fire.');
  t.match(await staff.page(`/agent/tickets/${survivor}?tab=history`), /<td>Merged from<\/td>\s*<td><\/td>\s*<td>#1<\/td>/);
  const old = await staff.page('/agent/tickets/1');
  t.match(old, 'This ticket was merged into', 'the merged ticket says where it went');
  t.match(old, `<a href="/agent/tickets/${survivor}">#${survivor} Office smells of smoke</a>`);

  const [mail] = (await mailsTo(desk, 'casey@customer.test')).filter((m) => m.text.includes('merged into ticket'));
  t.ok(mail, 'the requester is told by mail');
  t.match(mail?.text ?? '', `merged into ticket #${survivor}`);
});

t.test('customers of the merged ticket land on the survivor; notes stay internal for both requesters', async (t) => {
  const desk = await setup(t);
  const { staff, survivor, app } = desk;
  t.equal((await staff.post(`/agent/tickets/${survivor}/merge`, { other: '1' })).statusCode, 303);
  const casey = new Client(app);
  await casey.login('casey@customer.test', PASSWORD);
  const landing = await casey.get('/portal/tickets/1');
  t.equal(landing.statusCode, 303, 'the old ticket sends its customer on');
  t.equal(landing.headers.location, `/portal/tickets/${survivor}`);
  const there = await casey.page(`/portal/tickets/${survivor}`);
  t.match(there, 'My printer is on fire.', 'where their conversation is');
  t.notMatch(there, 'Secret: the printer is ours.', 'the internal note is not shown to a customer');
  const dana = new Client(app);
  await dana.login('dana@customer.test', PASSWORD);
  const hers = await dana.page(`/portal/tickets/${survivor}`);
  t.match(hers, 'My printer is on fire.');
  t.notMatch(hers, 'Secret: the printer is ours.', 'nor to the survivor\'s requester');
  t.equal((await dana.get('/portal/tickets/1')).statusCode, 404, 'the survivor\'s requester does not see the merged ticket');
});

t.test('mail answering the merged ticket lands on the survivor (reply address, In-Reply-To, subject tag)', async (t) => {
  const desk = await setup(t);
  const { db, staff, survivor } = desk;
  t.equal((await staff.post(`/agent/tickets/${survivor}/merge`, { other: '1' })).statusCode, 303);
  t.match(await receive(desk, 'gmail-reply.eml'), { status: 'stored', created: false }, 'a reply to #1 (its reply address, In-Reply-To and [#1])');
  const reply = await db.selectFrom('messages').select(['ticket_id', 'match_reason']).where('body_text', 'like', '%turning it off and on again%').executeTakeFirstOrThrow();
  t.equal(reply.ticket_id, survivor, 'is on the survivor');
  await receiveMessage(depsOf(desk), mailFrom('Casey Jones <casey@customer.test>', 'support@desk.test', 'Re: Printer on fire', 'Still smoking a bit.', 'In-Reply-To: <ticket-1.m1@desk.test>\nReferences: <ticket-1.m1@desk.test>\n'));
  const threaded = await db.selectFrom('messages').select(['ticket_id', 'match_reason']).where('body_text', 'like', '%Still smoking a bit.%').executeTakeFirstOrThrow();
  t.same(threaded, { ticket_id: survivor, match_reason: 'in-reply-to' }, 'a reply threaded on #1 alone lands on the survivor');
  await receiveMessage(depsOf(desk), mailFrom('Casey Jones <casey@customer.test>', 'support@desk.test', 'Re: [#1] Printer on fire', 'One more thing.'));
  const tagged = await db.selectFrom('messages').select(['ticket_id', 'match_reason']).where('body_text', 'like', '%One more thing.%').executeTakeFirstOrThrow();
  t.same(tagged, { ticket_id: survivor, match_reason: 'subject-tag' }, 'the [#1] tag alone too');
  t.equal((await messagesOf(db, 1)).length, 1, 'nothing lands on the closed, merged ticket');
});

t.test('tickets of two brands merge only when the agent ticks that they mean it; the form keeps what was typed', async (t) => {
  const desk = await setup(t);
  const { db, staff, survivor } = desk;
  const brand = await db.insertInto('brands').values({ name: 'Acme', from_name: 'Acme', from_address: 'help@acme.test', portal_title: 'Acme', colour: null, is_default: 0, created_at: nowIso() })
    .returning('id').executeTakeFirstOrThrow();
  const other = await makeTicket(db, { requesterId: desk.dana.id, subject: 'Acme question', brandId: brand.id });
  await makeMessage(db, other, { authorId: desk.dana.id, text: 'A question for Acme.' });
  const warned = await staff.post(`/agent/tickets/${survivor}/merge`, { other: `#${other}` });
  t.equal(warned.statusCode, 422);
  t.match(warned.body, `Ticket #${other} belongs to the brand Acme`);
  t.match(warned.body, 'name="acrossBrands" type="checkbox"', 'a box to confirm');
  t.match(warned.body, `value="#${other}"`, 'the number as typed');
  t.equal((await messagesOf(db, other)).length, 1, 'nothing moved');
  const done = await staff.post(`/agent/tickets/${survivor}/merge`, { other: `#${other}`, acrossBrands: '1' });
  t.equal(done.statusCode, 303);
  t.equal((await messagesOf(db, other)).length, 1, 'only the note is left');
  t.equal((await messagesOf(db, other))[0]!.kind, 'update');
});

t.test('refused merges: the ticket itself, a malformed or unseen number, an already merged one, an internal ticket into a public one', async (t) => {
  const desk = await setup(t);
  const { db, staff, survivor } = desk;
  const internal = await makeTicket(db, { requesterId: desk.dana.id, subject: 'Internal matter', visibility: 'internal' });
  await makeMessage(db, internal, { authorId: desk.agent.id, text: 'Internal reply text.' });
  for (const [other, message] of [
    [String(survivor), 'A ticket cannot be merged or linked with itself.'], ['abc', 'Type a ticket number, like 123 or #123.'],
    ['999', 'There is no ticket #999 you can see.'], [String(internal), `Ticket #${internal} is internal`], ['', 'This field is required'],
  ] as const) {
    const response = await staff.post(`/agent/tickets/${survivor}/merge`, { other });
    t.equal(response.statusCode, 422, other);
    t.match(response.body, message);
  }
  t.equal((await messagesOf(db, internal)).length, 1, 'the internal ticket kept its messages');
  t.equal((await staff.post(`/agent/tickets/${survivor}/merge`, { other: '1' })).statusCode, 303);
  const again = await staff.post(`/agent/tickets/${internal}/merge`, { other: '1' });
  t.equal(again.statusCode, 422);
  t.match(again.body, 'Ticket #1 was already merged into another ticket.');
  t.equal((await db.selectFrom('events').select('id').where('kind', '=', 'ticket.merged').execute()).length, 1, 'one merge happened');
});

t.test('an agent who cannot see a ticket cannot merge it, nor merge into it; customers cannot merge at all', async (t) => {
  const desk = await setup(t);
  const { db, app, survivor } = desk;
  const group = await db.insertInto('groups').values({ name: 'Provider', is_restricted: 1, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  const outsider = await makeUser(db, 'agent', { name: 'Provider Agent' });
  await db.insertInto('group_members').values({ group_id: group.id, user_id: outsider.id }).execute();
  const theirs = await makeTicket(db, { requesterId: desk.dana.id, subject: 'Provider ticket', groupId: group.id });
  await makeMessage(db, theirs, { authorId: desk.dana.id, text: 'Provider message.' });
  const provider = new Client(app);
  await provider.login(outsider.email, PASSWORD);
  await provider.page(`/agent/tickets/${theirs}`);
  const refused = await provider.post(`/agent/tickets/${theirs}/merge`, { other: String(survivor) });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, `There is no ticket #${survivor} you can see.`, 'a ticket out of sight reads as no ticket');
  t.equal((await provider.post(`/agent/tickets/${survivor}/merge`, { other: String(theirs) })).statusCode, 404, 'nor into one out of sight');
  t.equal((await provider.get(`/agent/tickets/${survivor}/merge`)).statusCode, 404);
  const casey = new Client(app);
  await casey.login('casey@customer.test', PASSWORD);
  await casey.page('/portal/tickets/1');
  t.equal((await casey.post(`/agent/tickets/${survivor}/merge`, { other: '1' })).statusCode, 403);
  t.equal((await messagesOf(db, survivor)).length, 2, 'nothing moved');
  t.equal((await messagesOf(db, theirs)).length, 1);
});
