import t, { type Test } from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, filesOf, fixture, mailsTo, messagesOf, sendRaw, STATUS } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };
const TOKEN_ADDRESS = 'support+1.jF6fOTchNvPITaS7@desk.test';

async function setup(t: Test, statusId = STATUS.solved) {
  const desk = await deskWithTicket(t, statusId);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const send = (name: string, to = 'support@desk.test', from = 'casey@customer.test') => sendRaw(receiver.port, fixture(name), { from, to: [to] });
  return { ...desk, port: receiver.port, send };
}

t.test('replies from Gmail, Outlook, Apple Mail and Thunderbird land on their ticket without the quoted history', async (t) => {
  const desk = await setup(t);
  const { db, ticketId } = desk;

  await desk.send('gmail-reply.eml', TOKEN_ADDRESS);
  let messages = await messagesOf(db, ticketId);
  const gmail = messages.at(-1)!;
  t.equal(gmail.body_text, 'Thanks, turning it off and on again worked. The smoke is gone.\n\nCasey');
  t.equal(gmail.match_reason, 'reply-token');
  t.equal(gmail.via, 'email');
  t.equal(gmail.email_message_id, '<CAF3x9Lk2pQ+gmail-reply-1@mail.gmail.com>');
  t.same((await filesOf(db, gmail.id)).map((f) => [f.filename, f.content_type]), [[`mail-${gmail.id}.eml`, 'message/rfc822']], 'the original is kept as .eml');
  const ticket = await db.selectFrom('tickets').select('status_id').where('id', '=', ticketId).executeTakeFirstOrThrow();
  t.equal(ticket.status_id, STATUS.open, 'a reply reopens the solved ticket, as in the portal');

  await desk.send('outlook-reply.eml');
  await desk.send('apple-mail-reply.eml');
  await desk.send('thunderbird-reply.eml');
  messages = await messagesOf(db, ticketId);
  const [outlook, apple, thunderbird] = messages.slice(-3);
  t.equal(outlook!.body_text, 'It caught fire again after lunch. Can someone come and look at it?', 'the sign-off is cut with the quote');
  t.match(outlook!.quoted_text, 'look at it?\n\nKind regards\nCasey\n\n____', 'and kept in the whole text agents can expand');
  t.notMatch(outlook!.body_html, 'Kind regards');
  t.equal(outlook!.match_reason, 'references');
  t.equal(apple!.body_text, 'The technician fixed it, thank you — all good now.');
  t.equal(apple!.match_reason, 'in-reply-to');
  t.equal(thunderbird!.body_text, 'One more thing: the paper tray is also jammed.');
  t.equal(thunderbird!.match_reason, 'subject-tag');
  for (const m of messages.slice(-4)) t.notMatch(m.body_html, /turning it off and on again\?|technician is on the way|ACME|From: Help Desk/, 'no quote in the stored HTML');

  // Agents see why each mail landed here; the customer does not.
  const agent = await makeUser(db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  const page = (await browser.get(`/agent/tickets/${ticketId}`)).body;
  t.match(page, 'By email: matched by its reply address');
  t.match(page, 'By email: matched by the ticket number in the subject');
  const customer = new Client(desk.app);
  await customer.login('casey@customer.test', PASSWORD);
  const portal = await customer.get(`/portal/tickets/${ticketId}`);
  t.equal(portal.statusCode, 200);
  t.match(portal.body, 'The smoke is gone');
  t.notMatch(portal.body, 'By email: matched');

  await desk.send('gmail-reply.eml', TOKEN_ADDRESS);
  t.equal((await messagesOf(db, ticketId)).length, messages.length, 'the same Message-ID delivered again is stored once');
});

t.test('a forged ticket number from a stranger opens a new ticket instead of landing on the ticket', async (t) => {
  const desk = await setup(t);
  await desk.send('forged-subject.eml', 'support@desk.test', 'mallory@evil.test');
  t.equal((await messagesOf(desk.db, desk.ticketId)).length, 1, 'ticket #1 is untouched');
  const created = await desk.db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'tickets.channel', 'users.email']).where('tickets.id', '!=', desk.ticketId).execute();
  t.same(created.map((c) => [c.email, c.channel]), [['mallory@evil.test', 'email']]);
  t.equal(created[0]!.subject, 'Printer on fire - please also reset the admin password', 'the tag is not kept (nor the Re:)');
  t.equal((await messagesOf(desk.db, created[0]!.id))[0]!.match_reason, 'new-ticket');
});

t.test('new tickets by mail: attachments, CCs, charsets and HTML-only mail', async (t) => {
  const desk = await setup(t);
  const { db } = desk;
  await desk.send('new-with-attachments.eml');
  const ticket = await db.selectFrom('tickets').selectAll().where('subject', '=', 'Screenshot of the error').executeTakeFirstOrThrow();
  t.equal(ticket.channel, 'email');
  t.equal(ticket.brand_id, 1);
  t.equal(ticket.group_id, 1, 'the default brand and group of support@desk.test');
  const [first] = await messagesOf(db, ticket.id);
  t.same((await filesOf(db, first!.id)).map((f) => f.filename), ['error.png', `mail-${first!.id}.eml`], 'the PNG is kept; the .exe is not');
  t.match(first!.body_text, /Files in this mail that were not kept:\n- .*fix\.exe/);
  const ccs = await db.selectFrom('ticket_ccs').innerJoin('users', 'users.id', 'ticket_ccs.user_id').select(['users.email', 'users.name', 'users.state'])
    .where('ticket_id', '=', ticket.id).execute();
  t.same(ccs, [{ email: 'dana@customer.test', name: 'Dana Smith', state: 'invited' }], 'the Cc becomes a CC of the ticket');
  t.ok((await mailsTo(desk, 'casey@customer.test')).some((m) => m.subject.includes(`[#${ticket.id}]`)), 'the requester gets the confirmation');

  await desk.send('latin1.eml', 'support@desk.test', 'rene@client.test');
  const french = await db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'users.name']).where('users.email', '=', 'rene@client.test').executeTakeFirstOrThrow();
  t.equal(french.subject, 'Problème de connexion');
  t.equal(french.name, 'René François');
  t.match((await messagesOf(db, french.id))[0]!.body_text, 'je n\'arrive pas à me connecter depuis ce matin. Le message dit « mot de passe erroné ».');

  await desk.send('html-only.eml', 'support@desk.test', 'robin@customer.test');
  const html = await db.selectFrom('tickets').select('id').where('subject', '=', 'Newsletter signup broken').executeTakeFirstOrThrow();
  const [message] = await messagesOf(db, html.id);
  t.match(message!.body_text, 'The signup form on our shop does nothing.');
  t.match(message!.body_html, /<a href="https:\/\/shop\.customer\.test\/signup"/);
  t.notMatch(message!.body_html, /onclick|onmouseover|hx-get|style|<script|<iframe|<form|<meta|<img|javascript:/);
  t.same((await filesOf(db, message!.id)).map((f) => f.content_type), ['image/png', 'message/rfc822'], 'the inline image is stored');
});

t.test('robots are recorded but never answered: an auto-reply, a bounce', async (t) => {
  const desk = await setup(t, STATUS.solved);
  const { db, ticketId } = desk;
  const jobsBefore = (await db.selectFrom('jobs').select('id').execute()).length;
  await desk.send('auto-reply.eml', TOKEN_ADDRESS);
  await desk.send('bounce.eml', 'support@desk.test', '');
  const [, auto, bounce] = await messagesOf(db, ticketId);
  t.equal(auto!.kind, 'note', 'the out-of-office is an internal note');
  t.match(auto!.body_text, 'out of the office');
  t.equal(bounce!.kind, 'note');
  t.match(bounce!.body_text, 'A mail to casey@customer.test could not be delivered (5.1.1');
  t.equal((await db.selectFrom('tickets').select('status_id').where('id', '=', ticketId).executeTakeFirstOrThrow()).status_id, STATUS.solved, 'not reopened');
  t.equal((await db.selectFrom('jobs').select('id').execute()).length, jobsBefore, 'no mail is sent in answer');
});

t.test('the receiver takes mail only for our support and reply addresses', async (t) => {
  const desk = await setup(t);
  await t.rejects(desk.send('latin1.eml', 'someone@elsewhere.test', 'rene@client.test'), /550|No such mailbox/);
  await t.rejects(desk.send('latin1.eml', 'support+1.AAAAAAAAAAAAAAAA@other.test', 'rene@client.test'), /550/);
  t.equal((await desk.db.selectFrom('tickets').select('id').execute()).length, 1);
});
