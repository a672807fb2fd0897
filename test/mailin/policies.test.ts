import t from 'tap';
import { receiveMessage } from '../../src/mailin/receive.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, fixture, mailsTo, messagesOf, receive, STATUS } from './helpers.js';

const mailFrom = (from: string, to: string, subject: string, body: string, extra = '') => Buffer.from(
  `From: ${from}\nTo: ${to}\nSubject: ${subject}\nMessage-ID: <${Math.random().toString(36).slice(2)}@sender.test>\n${extra}Content-Type: text/plain; charset=utf-8\n\n${body}\n`);

t.test('a reply to a closed ticket is refused politely, or becomes a follow-up ticket, as the setting says', async (t) => {
  const desk = await deskWithTicket(t, STATUS.closed);
  const { db, ticketId } = desk;
  t.match(await receive(desk, 'gmail-reply.eml'), { status: 'refused', why: 'closed' });
  t.equal((await messagesOf(db, ticketId)).length, 1, 'nothing is added to the closed ticket');
  const [refusal] = await mailsTo(desk, 'casey@customer.test');
  t.equal(refusal?.subject, 'Re: [#1] Printer on fire');
  t.match(refusal?.text, 'Ticket #1 is closed');
  t.equal(refusal?.headers?.['In-Reply-To'], '<CAF3x9Lk2pQ+gmail-reply-1@mail.gmail.com>');
  t.equal(refusal?.headers?.['Auto-Submitted'], 'auto-replied');

  t.match(await receive(desk, 'auto-reply.eml'), { status: 'stored', created: false }, 'an out-of-office is kept as a note, even here');
  t.equal((await mailsTo(desk, 'casey@customer.test')).length, 1, 'an auto-reply is never answered');

  await db.insertInto('settings').values({ key: 'portal.closed_reply', value: 'followup' }).execute();
  const followUp = await receive(desk, 'thunderbird-reply.eml');
  t.match(followUp, { status: 'stored', created: true });
  const created = await db.selectFrom('tickets').select(['id', 'subject', 'requester_id']).where('id', '!=', ticketId).executeTakeFirstOrThrow();
  t.equal(created.subject, 'Follow-up to #1: Printer on fire');
  t.equal(created.requester_id, desk.casey.id);
  const link = await db.selectFrom('ticket_events').select(['kind', 'to_value']).where('ticket_id', '=', ticketId).where('kind', '=', 'followup').executeTakeFirst();
  t.same(link, { kind: 'followup', to_value: `#${created.id}` });
});

t.test('staff answer by mail: a public reply, or an internal note with #note', async (t) => {
  const desk = await deskWithTicket(t);
  await makeUser(desk.db, 'agent', { email: 'agent@desk.test', name: 'Alex Agent' });
  const to = 'support+1.csRbHxPK21McJ1tK@desk.test'; // the reply address Alex received
  await receiveMessage(depsOf(desk), mailFrom('Alex Agent <agent@desk.test>', to, 'Re: [#1] Printer on fire', 'A technician is on the way.\n\nOn Tue, Casey wrote:\n> fire'));
  await receiveMessage(depsOf(desk), mailFrom('Alex Agent <agent@desk.test>', to, 'Re: [#1] Printer on fire', '#note Customer sounds stressed, call first.'));
  const [, reply, note] = await messagesOf(desk.db, desk.ticketId);
  t.same([reply!.kind, reply!.body_text, reply!.match_reason], ['reply', 'A technician is on the way.', 'reply-token']);
  t.same([note!.kind, note!.body_text], ['note', 'Customer sounds stressed, call first.']);
});

t.test('a staff answer by mail carries the agent\'s signature, stored with it (text and html); a #note does not', async (t) => {
  const desk = await deskWithTicket(t);
  const alex = await makeUser(desk.db, 'agent', { email: 'agent@desk.test', name: 'Alex Agent' });
  await desk.db.updateTable('users').set({ signature: '**{{agent.name}}**, first line support <i>x</i>' }).where('id', '=', alex.id).execute();
  const to = 'support+1.csRbHxPK21McJ1tK@desk.test'; // the reply address Alex received
  await receiveMessage(depsOf(desk), mailFrom('Alex Agent <agent@desk.test>', to, 'Re: [#1] Printer on fire', 'On the way.\n\n-- \nSent from my phone'));
  await receiveMessage(depsOf(desk), mailFrom('Alex Agent <agent@desk.test>', to, 'Re: [#1] Printer on fire', '#note Call first.'));
  const [, reply, note] = await messagesOf(desk.db, desk.ticketId);
  t.equal(reply!.body_text, 'On the way.\n\n-- \n**Alex Agent**, first line support <i>x</i>', 'the mail client\'s signature stripped, the desk\'s added');
  t.match(reply!.body_html, '<strong>Alex Agent</strong>, first line support &lt;i&gt;x&lt;/i&gt;', 'and in its html, rendered and escaped');
  t.equal(note!.body_text, 'Call first.', 'a note gets none');
});

t.test('unknown senders: new customers, or a polite refusal when the desk takes mail only from customers', async (t) => {
  const desk = await deskWithTicket(t);
  const { db } = desk;
  await db.insertInto('settings').values({ key: 'mailin.allow_new_customers', value: '0' }).execute();
  t.match(await receive(desk, 'latin1.eml'), { status: 'refused', why: 'newCustomer' });
  t.notOk(await db.selectFrom('users').select('id').where('email', '=', 'rene@client.test').executeTakeFirst(), 'no account is made');
  t.match((await mailsTo(desk, 'rene@client.test'))[0]?.text, 'only take requests by mail from people who already have an account');
  const robot = mailFrom('Newsletter <news@shop.test>', 'support@desk.test', 'Our offers', 'Buy now', 'Precedence: bulk\n');
  t.match(await receiveMessage(depsOf(desk), robot), { status: 'refused' });
  t.equal((await mailsTo(desk, 'news@shop.test')).length, 0, 'bulk mail is not answered');
});

t.test('loops: our own mail coming back is dropped, and headers that look like ours are not believed', async (t) => {
  const desk = await deskWithTicket(t);
  const own = mailFrom('Help Desk <support@desk.test>', 'support@desk.test', '[#1] Printer on fire', 'We replied.', 'X-Loop: desk.test\nAuto-Submitted: auto-generated\n');
  t.match(await receiveMessage(depsOf(desk), own), { status: 'dropped', why: 'own' });
  const controls = mailFrom('Mallory <mallory@evil.test>', 'support@desk.test', 'Hello', 'Hi', 'X-Deskbell-Ticket: 1\nX-Deskbell-Match: reply-token\n');
  t.match(await receiveMessage(depsOf(desk), controls), { status: 'stored', created: true, reason: 'new-ticket' });
  t.equal((await messagesOf(desk.db, desk.ticketId)).length, 1);
});

t.test('an agent marks a ticket as spam: it goes to the recycle bin and its sender\'s later mail is dropped', async (t) => {
  const desk = await deskWithTicket(t);
  const { db } = desk;
  const first = await receive(desk, 'forged-subject.eml');
  t.match(first, { status: 'stored', created: true });
  const spamId = (first as { ticketId: number }).ticketId;
  const agent = await makeUser(db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  const confirm = await browser.get(`/agent/tickets/${spamId}/spam`);
  t.match(confirm.body, 'later mail from mallory@evil.test will be dropped');
  const done = await browser.post(`/agent/tickets/${spamId}/spam`);
  t.equal(done.statusCode, 303);
  t.match(await db.selectFrom('tickets').select('binned_reason').where('id', '=', spamId).executeTakeFirst(), { binned_reason: 'spam' }, 'the ticket is in the recycle bin');
  const later = mailFrom('Mallory <mallory@evil.test>', 'support@desk.test', 'Second try', 'Hi again');
  t.match(await receiveMessage(depsOf(desk), later), { status: 'dropped', why: 'spam' });
  t.equal((await db.selectFrom('tickets').select('id').where('binned_at', 'is', null).execute()).length, 1);

  t.equal((await browser.post(`/agent/tickets/${desk.ticketId}/spam`)).statusCode, 303, 'a customer ticket can be marked too');
  t.equal((await browser.get('/admin/mail')).statusCode, 403, 'the mail settings are for admins');
});

t.test('admins configure support addresses: mail to one lands in its brand and group', async (t) => {
  const desk = await deskWithTicket(t);
  const { db } = desk;
  const group = await db.insertInto('groups').values({ name: 'Sales', created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  const admin = await makeUser(db, 'admin');
  const browser = new Client(desk.app);
  await browser.login(admin.email, PASSWORD);
  const page = await browser.get('/admin/mail');
  t.match(page.body, 'support@desk.test');
  t.equal((await browser.post('/admin/mail/addresses', { address: 'sales@desk.test', brandId: '1', groupId: String(group.id) })).statusCode, 303);
  t.equal((await browser.post('/admin/mail/addresses', { address: 'sales@desk.test', brandId: '1', groupId: '' })).statusCode, 422, 'once only');
  t.match((await browser.get('/admin/mail')).body, /sales@desk\.test<\/td><td>Help Desk<\/td><td>Sales/);
  const result = await receiveMessage(depsOf(desk), mailFrom('Pat <pat@buyer.test>', 'sales@desk.test', 'A quote please', 'For 10 printers.'));
  const ticket = await db.selectFrom('tickets').select('group_id').where('id', '=', (result as { ticketId: number }).ticketId).executeTakeFirstOrThrow();
  t.equal(ticket.group_id, group.id);
});

t.test('the fixtures are real mails: each parses', async (t) => {
  for (const name of ['gmail-reply.eml', 'outlook-reply.eml', 'apple-mail-reply.eml', 'thunderbird-reply.eml', 'new-with-attachments.eml',
    'html-only.eml', 'latin1.eml', 'auto-reply.eml', 'bounce.eml', 'forged-subject.eml']) t.ok(fixture(name).length > 200, name);
});
