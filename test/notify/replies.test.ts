import t from 'tap';
import { ticketFromReplyAddress } from '../../src/mail/threading.js';
import { notifyDesk, MAIL_DOMAIN } from './helpers.js';

t.test('an agent\'s public reply reaches the requester and the CC, each with their own reply address', async (t) => {
  const { staff, id, delivered, to, config } = await notifyDesk(t);
  const res = await staff.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Please **restart** the printer.' });
  t.equal(res.statusCode, 303);
  const mails = await delivered();
  t.same(mails.map((m) => m.to).flat().sort(), ['cora@example.test', 'dan@example.test'], 'one mail per person, not to the author');
  for (const address of ['cora@example.test', 'dan@example.test']) {
    const [mail] = to(mails, address);
    t.equal(mail!.header('Subject'), `[#${id}] Re: Printer offline`);
    t.match(mail!.parsed.text, 'Kim Agent wrote:');
    t.match(mail!.parsed.text, 'Please **restart** the printer.');
    t.match(String(mail!.parsed.html), '<strong>restart</strong>');
    t.match(mail!.parsed.text, `/portal/tickets/${id}`);
    t.equal(mail!.header('Auto-Submitted'), undefined, 'a person\'s reply is not automatic');
    t.equal(mail!.header('X-Loop'), MAIL_DOMAIN);
    const replyTo = mail!.parsed.replyTo!.value[0]!.address!;
    t.match(replyTo, new RegExp(`^support\\+${id}\\.[A-Za-z0-9]{16}@${MAIL_DOMAIN.replace(/\./g, '\\.')}$`));
    t.equal(ticketFromReplyAddress({ ...config, localPart: 'support' }, replyTo, address), id, 'the token is right for this recipient');
    t.equal(ticketFromReplyAddress({ ...config, localPart: 'support' }, replyTo, 'someone@else.test'), null, 'and for nobody else');
  }
});

t.test('internal notes are never mailed; public updates are', async (t) => {
  const { staff, id, delivered, to } = await notifyDesk(t);
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'note', body: 'CANARY-NOTE: old contract' });
  t.same(await delivered(), [], 'a note sends nothing');
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Technician booked for Monday' });
  const mails = await delivered();
  t.equal(mails.length, 2);
  const [mail] = to(mails, 'cora@example.test');
  t.equal(mail!.header('Subject'), `[#${id}] Update: Printer offline`);
  t.match(mail!.parsed.text, 'Kim Agent added an update to your request:');
  t.match(mail!.parsed.text, 'Technician booked for Monday');
  t.notMatch(mails.map((m) => m.raw).join(''), 'CANARY-NOTE');
});

t.test('nothing reaches customers of an internal ticket or of a type they take no part in', async (t) => {
  const { staff, db, id, delivered } = await notifyDesk(t);
  await db.updateTable('tickets').set({ visibility: 'internal' }).where('id', '=', id).execute();
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Internal ticket: staff only' });
  t.same(await delivered(), []);

  await db.updateTable('tickets').set({ visibility: 'public' }).where('id', '=', id).execute();
  await db.updateTable('ticket_types').set({ customer_facing: 0 }).where('id', '=', 1).execute();
  await staff.post(`/agent/tickets/${id}/messages`, { kind: 'update', body: 'Purely internal type' });
  t.same(await delivered(), []);
});
