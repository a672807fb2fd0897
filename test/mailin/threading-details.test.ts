import t from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { deskWithTicket, depsOf, FIXTURE_TICKET, mailsTo, messagesOf, sendRaw, STATUS } from './helpers.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

const quiet = { info() {}, warn() {}, error() {} };
const TOKEN_ADDRESS = 'support+1.jF6fOTchNvPITaS7@desk.test';

const mail = (to: string, subject: string, id: string, body: string) => [
  'From: Casey Jones <casey@customer.test>', `To: ${to}`, `Subject: ${subject}`, 'Date: Wed, 4 Mar 2026 10:00:00 +0100',
  `Message-ID: <${id}@customer.test>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, '',
].join('\r\n');

t.test('a reply address that a server lower-cased still finds its ticket, by its token', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const lower = TOKEN_ADDRESS.toLowerCase();
  await sendRaw(receiver.port, mail(lower, 'the printer', 'lower-1', 'It is smoking again.'), { from: 'casey@customer.test', to: [lower] });
  const upper = TOKEN_ADDRESS.toUpperCase().replace('@DESK.TEST', '@desk.test');
  await sendRaw(receiver.port, mail(upper, 'the printer', 'upper-1', 'And now it beeps.'), { from: 'casey@customer.test', to: [upper] });
  const messages = await messagesOf(desk.db, FIXTURE_TICKET);
  t.same(messages.slice(-2).map((m) => [m.body_text, m.match_reason]), [['It is smoking again.', 'reply-token'], ['And now it beeps.', 'reply-token']]);
  t.equal((await desk.db.selectFrom('tickets').select('id').execute()).length, 1, 'no new ticket');
  // A wrong token is still wrong, whatever its case.
  const wrong = 'support+1.aaaaaaaaaaaaaaaa@desk.test';
  await sendRaw(receiver.port, mail(wrong, 'the printer', 'wrong-1', 'Hello?'), { from: 'casey@customer.test', to: [wrong] }).catch(() => null);
  t.notOk((await messagesOf(desk.db, FIXTURE_TICKET)).some((m) => m.body_text === 'Hello?'), 'a forged token does not reach the ticket');
});

t.test('a new ticket from mail loses the reply and forward prefixes of its subject, in the languages of the mail clients', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const subjects = {
    'Re: Scanner offline': 'Scanner offline',
    'RE : TR: Facture de mars': 'Facture de mars',
    'AW: WG: Rechnung März': 'Rechnung März',
    'Fwd: Fw: VPN access': 'VPN access',
    'SV: Re[2]: Skrivare': 'Skrivare',
    'Odp: Drukarka': 'Drukarka',
    'Отв: Принтер': 'Принтер',
    'Re: Re: Re: ': '(no subject)',
    'Reminder: renew the licence': 'Reminder: renew the licence',
  };
  let n = 0;
  for (const subject of Object.keys(subjects)) {
    await sendRaw(receiver.port, mail('support@desk.test', subject, `subject-${n++}`, 'Please help.'), { from: 'casey@customer.test', to: ['support@desk.test'] });
  }
  const stored = (await desk.db.selectFrom('tickets').select('subject').where('id', '>', FIXTURE_TICKET).orderBy('id').execute()).map((r) => r.subject);
  t.same(stored, Object.values(subjects));
});

t.test('an Outlook forward (FW:) opens a ticket with the forwarded mail in it; a reply keeps only its new text', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const forward = 'Can you check this order?\r\n\r\n________________________________\r\nFrom: Supplier <orders@supplier.test>\r\nSent: Monday, March 2, 2026 09:00\r\nTo: Casey Jones <casey@customer.test>\r\nSubject: Order 77\r\n\r\nYour order 77 has shipped.';
  await sendRaw(receiver.port, mail('support@desk.test', 'FW: Order 77', 'fw-1', forward), { from: 'casey@customer.test', to: ['support@desk.test'] });
  const ticket = await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Order 77').executeTakeFirstOrThrow();
  const [message] = await messagesOf(desk.db, ticket.id);
  t.match(message!.body_text, /^Can you check this order\?\n\n_+\nFrom: Supplier <orders@supplier\.test>[\s\S]*Your order 77 has shipped\.$/, 'the forwarded mail is kept');
  const reply = 'Thanks, received.\r\n\r\nOn Tue, 3 Mar 2026 at 10:02, Help Desk <support@desk.test> wrote:\r\n> We forwarded it.';
  await sendRaw(receiver.port, mail(TOKEN_ADDRESS, 'Re: Fwd: Order 77', 'fw-2', reply), { from: 'casey@customer.test', to: [TOKEN_ADDRESS] });
  t.equal((await messagesOf(desk.db, FIXTURE_TICKET)).at(-1)!.body_text, 'Thanks, received.');
});

t.test('a ticket opened by mail with a Cc: the CC\'s mail from us answers the mail they were copied on', async (t) => {
  const desk = await deskWithTicket(t, STATUS.open);
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const opening = [
    'From: Casey Jones <casey@customer.test>', 'To: support@desk.test', 'Cc: Dana Lee <dana@customer.test>', 'Subject: Badge reader broken',
    'Date: Wed, 4 Mar 2026 10:00:00 +0100', 'Message-ID: <badge-1@customer.test>', 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', '', 'The badge reader at the door is dead.', '',
  ].join('\r\n');
  await sendRaw(receiver.port, opening, { from: 'casey@customer.test', to: ['support@desk.test'] });
  const ticket = await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Badge reader broken').executeTakeFirstOrThrow();
  const agent = await makeUser(desk.db, 'agent');
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  t.equal((await browser.post(`/agent/tickets/${ticket.id}/messages`, { kind: 'reply', body: 'A technician is on the way.' })).statusCode, 303);
  const [toDana] = (await mailsTo(desk, 'dana@customer.test')).filter((m) => m.text.includes('A technician is on the way.'));
  t.ok(toDana, 'the CC gets the reply');
  t.equal(toDana!.headers?.['In-Reply-To'], '<badge-1@customer.test>', 'threaded under the mail Dana was copied on');
  t.equal(toDana!.headers?.References, '<badge-1@customer.test>');
});
