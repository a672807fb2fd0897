import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import t from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { depsOf, MAIL_ENV, messagesOf } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };

t.test('the whole loop: a mail opens a ticket, the agent answers in the browser, the customer replies from their mail client', async (t) => {
  const outgoing = new TestSmtpServer();
  await outgoing.start(0);
  t.teardown(() => outgoing.stop());
  const desk = await buildTestDesk(t, { secretKey: MAIL_ENV.SECRET_KEY, mailDomain: MAIL_ENV.MAIL_DOMAIN, smtpUrl: `smtp://127.0.0.1:${outgoing.port}` });
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const mailClient = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
  t.teardown(() => mailClient.close());
  const mailsToSam = async (count: number) => {
    for (let i = 0; i < 50 && outgoing.received.filter((m) => m.to.includes('sam@customer.test')).length < count; i++) {
      await desk.app.worker.drain();
      await new Promise((r) => setTimeout(r, 20));
    }
    return Promise.all(outgoing.received.filter((m) => m.to.includes('sam@customer.test')).map((m) => simpleParser(m.raw)));
  };

  // 1. Sam writes to the support address from their mail client.
  await mailClient.sendMail({ from: 'Sam Carter <sam@customer.test>', to: 'support@desk.test', subject: 'Internet down', text: 'Our internet is down since this morning.\n\nSam' });
  const ticket = await desk.db.selectFrom('tickets').select(['id', 'channel']).where('subject', '=', 'Internet down').executeTakeFirstOrThrow();
  t.equal(ticket.channel, 'email');
  const [confirmation] = await mailsToSam(1);
  t.match(confirmation!.subject, `[#${ticket.id}]`, 'Sam gets the confirmation with the ticket number');

  // 2. An agent answers in the browser.
  const agent = await makeUser(desk.db, 'agent', { name: 'Alex Agent' });
  const browser = new Client(desk.app);
  await browser.login(agent.email, PASSWORD);
  await browser.get(`/agent/tickets/${ticket.id}`);
  const posted = await browser.post(`/agent/tickets/${ticket.id}/messages`, { kind: 'reply', body: 'Please restart the router and tell us what the lights show.' });
  t.equal(posted.statusCode, 303);
  const mails = await mailsToSam(2);
  const answer = mails.find((m) => (m.text ?? '').includes('Please restart the router'));
  t.ok(answer, 'the agent\'s answer reaches Sam by mail');

  // 3. Sam's mail client answers it: to its Reply-To, threaded under its Message-ID, quoting it.
  const replyTo = answer!.replyTo?.value[0]?.address ?? answer!.from!.value[0]!.address!;
  const references = [...(Array.isArray(answer!.references) ? answer!.references : answer!.references ? [answer!.references] : []), answer!.messageId!];
  const quoted = (answer!.text ?? '').trim().split('\n').map((line) => `> ${line}`).join('\n');
  await mailClient.sendMail({
    from: 'Sam Carter <sam@customer.test>', to: replyTo, subject: `Re: ${answer!.subject}`,
    inReplyTo: answer!.messageId, references,
    text: `Restarted it: all lights green, and it works again. Thanks!\n\nOn ${answer!.date?.toUTCString()}, ${answer!.from!.text} wrote:\n${quoted}\n`,
  });
  const messages = await messagesOf(desk.db, ticket.id);
  t.equal(messages.length, 3, 'the reply lands on the same ticket');
  const last = messages.at(-1)!;
  t.equal(last.body_text, 'Restarted it: all lights green, and it works again. Thanks!', 'without the quote');
  t.ok(['reply-token', 'in-reply-to', 'references'].includes(last.match_reason!), `threaded by ${last.match_reason}`);
  t.match((await browser.get(`/agent/tickets/${ticket.id}`)).body, 'all lights green');
});
