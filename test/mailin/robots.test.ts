import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { openTestDesk, tempDir } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { built } from '../helpers/cli.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { deskWithTicket, depsOf, fixture, MAIL_ENV, messagesOf, pipeToCli, sendRaw, STATUS } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };
const robot = (name: string) => fixture(join('robots', name));
const ROBOTS = readdirSync(join(import.meta.dirname, '..', 'fixtures', 'mail', 'robots')).filter((f) => f.endsWith('.eml')).sort();
// Those sent with the null sender `<>` as the envelope's MAIL FROM, as MTAs send reports.
const NULL_SENDER = /^(exim|no-from|exchange|gmail-dsn|qmail|arf|bounce-)/;
// The robots named by kind: every bounce-* returns a mail of ticket #1, every arf-* complains about one,
// every receipt-* is a read receipt, every auto-* an auto-reply (see test/fixtures/mail/robots).
const named = (prefix: string) => ROBOTS.filter((f) => f.startsWith(prefix));
const messageIdOf = (name: string) => /^Message-I[dD]:\s*(<[^>]+>)/m.exec(robot(name).toString('utf8'))![1]!;

async function setup(t: Test) {
  const outgoing = new TestSmtpServer();
  await outgoing.start(0);
  t.teardown(() => outgoing.stop());
  const desk = await deskWithTicket(t, STATUS.open, { smtpUrl: `smtp://127.0.0.1:${outgoing.port}` });
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const send = (name: string, from = NULL_SENDER.test(name) ? '' : 'robot@robots.test') => sendRaw(receiver.port, robot(name), { from, to: ['support@desk.test'] });
  const delivered = async () => {
    await desk.app.worker.drain();
    return outgoing.received;
  };
  return { ...desk, outgoing, send, delivered, port: receiver.port };
}

t.test('robots over SMTP: bounces from many servers, complaints, read receipts, auto-replies in several languages, lists and no-reply senders are never answered', async (t) => {
  const desk = await setup(t);
  t.ok(ROBOTS.length >= 50, `${ROBOTS.length} robot mails`);
  t.ok(named('bounce-').length >= 13, `${named('bounce-').length} bounces from Postfix, Sendmail, Exim, Office 365, Exchange, Gmail, Yahoo, SES, Mimecast, Zimbra, Domino, Courier`);
  t.ok(named('auto-').length >= 15, 'auto-replies in English, German, French, Spanish, Italian, Dutch, Russian, Polish, Portuguese, Swedish, Japanese');
  for (const name of ROBOTS) await desk.send(name);
  t.same((await desk.delivered()).map((m) => `${m.to.join(',')}: ${m.raw.match(/^Subject: .*$/m)?.[0]}`), [], 'not one mail went out in answer');

  const inbound = new Map((await desk.db.selectFrom('inbound_messages').select(['message_id', 'outcome', 'ticket_id']).execute()).map((r) => [r.message_id, r]));
  t.equal(inbound.size, ROBOTS.length, 'every robot mail was accepted and recorded');
  // Bounces with From: <> or no From at all land on the ticket whose mail they return.
  const bounces = ['exim-from-empty.eml', 'no-from.eml', 'exchange-ndr.eml', 'gmail-dsn.eml', 'qmail-failure.eml', ...named('bounce-')];
  for (const name of bounces) t.match(inbound.get(messageIdOf(name)), { outcome: 'bounce', ticket_id: desk.ticketId }, `${name}: a bounce on ticket #1`);
  t.match(inbound.get('<nofrom-2@mx.elsewhere.test>'), { outcome: 'bounce', ticket_id: null }, 'a bounce about no mail of ours is dropped, with its record');
  for (const name of ['read-receipt.eml', ...named('receipt-')]) t.match(inbound.get(messageIdOf(name)), { outcome: 'dropped:receipt' }, `${name}: a read receipt is dropped`);
  for (const name of named('arf-')) t.match(inbound.get(messageIdOf(name)), { outcome: 'complaint', ticket_id: desk.ticketId }, `${name}: a complaint on ticket #1`);
  for (const name of named('auto-')) t.notMatch(inbound.get(messageIdOf(name))?.outcome, /bounce|complaint|refused/, `${name}: an auto-reply is stored, not refused`);
  t.match(inbound.get('<auto-casey-1@customer.test>'), { outcome: 'stored', ticket_id: desk.ticketId }, 'the customer\'s own out-of-office lands on her ticket');

  const notes = (await messagesOf(desk.db, desk.ticketId)).filter((m) => m.kind === 'note');
  const bounceNotes = notes.filter((n) => n.match_reason === 'bounce' && n.body_text.startsWith('A mail to'));
  t.equal(bounceNotes.length, bounces.length, 'one internal note per bounce on the ticket');
  t.same(bounceNotes.filter((n) => !n.body_text.startsWith('A mail to casey@customer.test could not be delivered')).map((n) => n.body_text), [], 'each names the address, also from a plain-text bounce');
  // Domino says why in words only; every other server gives an SMTP status.
  t.equal(bounceNotes.filter((n) => !/could not be delivered \([245]\d\d\b|could not be delivered \([245]\.\d{1,3}\.\d{1,3}\b/.test(n.body_text)).length, 1, 'each but Domino\'s names the status');
  t.ok(notes.some((n) => n.body_text.includes('could not be delivered (5.2.2')), 'the mailbox-full bounce without a From');
  t.ok(notes.some((n) => n.body_text.includes('could not be delivered (4.4.1')), 'a delay report too');
  t.ok(notes.some((n) => /casey@customer\.test reported a mail from us as unwanted \(abuse\)/.test(n.body_text)));
  t.ok(notes.some((n) => /^\? reported a mail from us as unwanted/.test(n.body_text)), 'a report with the recipient removed is noted too');
  t.ok(notes.some((n) => n.body_text === 'I am out of the office until 9 March.'), 'the out-of-office is a note');
  t.match(await desk.db.selectFrom('mail_complaints').selectAll().execute(), [{ address: 'casey@customer.test', feedback_type: 'abuse', ticket_id: desk.ticketId }]);
  t.equal((await desk.db.selectFrom('tickets').select('status_id').where('id', '=', desk.ticketId).executeTakeFirstOrThrow()).status_id, STATUS.open, 'the ticket is as it was');

  // Auto-replies and mass mail from strangers may open tickets (agents see them), but get no confirmation.
  const subjects = (await desk.db.selectFrom('tickets').select('subject').orderBy('id').execute()).map((r) => r.subject);
  t.ok(subjects.includes('Abwesenheitsnotiz: Bestellung 4711'), 'stored, unanswered');

  // The same desk does answer a person: the silence above is the robots', not a mute outbox.
  await sendRaw(desk.port, 'From: Robin Human <robin@people.test>\r\nTo: support@desk.test\r\nSubject: Order 4711\r\nMessage-ID: <human-1@people.test>\r\n\r\nWhere is my order?\r\n', { from: 'robin@people.test', to: ['support@desk.test'] });
  t.same((await desk.delivered()).map((m) => m.to.join(',')), ['robin@people.test'], 'a person writing gets the confirmation');
});

t.test('list headers count only from strangers: a known customer writing through a list is answered, a stranger is not', async (t) => {
  const desk = await setup(t);
  const viaList = (from: string, id: string) => [`From: ${from}`, 'To: printers@lists.test', 'Cc: support@desk.test', 'Subject: Toner question',
    `Message-ID: <${id}@lists.test>`, 'List-Id: Printer users <printers.lists.test>', 'List-Unsubscribe: <mailto:leave@lists.test>', '', 'Which toner fits the LaserJet 4000?', ''].join('\r\n');
  await sendRaw(desk.port, viaList('Casey Jones <casey@customer.test>', 'list-casey'), { from: 'owner-printers@lists.test', to: ['support@desk.test'] });
  await sendRaw(desk.port, viaList('Stranger <stranger@elsewhere.test>', 'list-stranger'), { from: 'owner-printers@lists.test', to: ['support@desk.test'] });
  t.equal((await desk.db.selectFrom('tickets').select('id').where('subject', '=', 'Toner question').execute()).length, 2, 'both are stored');
  t.same((await desk.delivered()).map((m) => m.to.join(',')), ['casey@customer.test'], 'only the customer gets the confirmation');
});

t.test('after a complaint, no more automatic mail goes to that address', async (t) => {
  const desk = await setup(t);
  const agent = await makeUser(desk.db, 'agent', { name: 'Alex Agent' });
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  await browser.get(`/agent/tickets/${desk.ticketId}`);
  const reply = (body: string) => browser.post(`/agent/tickets/${desk.ticketId}/messages`, { kind: 'reply', body });
  t.equal((await reply('We are sending a technician.')).statusCode, 303);
  const toCasey = async () => (await desk.delivered()).filter((m) => m.to.includes('casey@customer.test')).length;
  t.equal(await toCasey(), 1, 'before the complaint, the reply is mailed');

  await desk.send('arf-complaint.eml');
  t.equal((await reply('The technician comes on Thursday.')).statusCode, 303);
  t.equal(await toCasey(), 1, 'after it, nothing more goes to casey');
  t.match((await browser.get(`/agent/tickets/${desk.ticketId}`)).body, 'The technician comes on Thursday.', 'the reply is still on the ticket');
});

// The real `deskbell mail receive` process (dist/): `npm test` builds first; `npm run test:fast` leaves it out.
const pipeSkip = process.env.DESKBELL_TEST_FAST === '1' ? 'test:fast: the pipe runs in npm test (it needs the build)'
  : !built() ? 'needs `npm run build`' : false;

t.test('`mail receive` accepts bounces with From: <> or no From (exit 0), and never answers them', { skip: pipeSkip }, async (t) => {
  const dir = tempDir(t);
  for (const name of ['exim-from-empty.eml', 'no-from.eml', 'no-from-unknown.eml']) {
    const result = await pipeToCli(dir, robot(name));
    t.equal(result.code, 0, `${name}: ${result.err}`);
    t.match(result.out, '"status":"bounce"', name);
  }
  const garbage = await pipeToCli(dir, Buffer.from('this is not a mail at all\n'));
  t.equal(garbage.code, 65, 'bytes that are not a mail are still refused');
  const desk = await openTestDesk(t, dir, {}, MAIL_ENV);
  const rows = await desk.db.selectFrom('inbound_messages').select(['message_id', 'outcome']).orderBy('message_id').execute();
  t.same(rows, [
    { message_id: '<E1exim-0001@mx.exim.test>', outcome: 'bounce' },
    { message_id: '<nofrom-1@mx.customer.test>', outcome: 'bounce' },
    { message_id: '<nofrom-2@mx.elsewhere.test>', outcome: 'bounce' },
  ]);
  t.equal((await desk.db.selectFrom('jobs').select('id').where('kind', '=', 'mail').execute()).length, 0, 'no mail queued');
});
