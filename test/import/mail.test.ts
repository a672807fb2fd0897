// An import is old history, not news (issue 22, point 4): nothing of it reaches anyone by mail,
// while the same desk's SMTP server does get the mail of a ticket's next, real reply.
import t from 'tap';
import { simpleParser } from 'mailparser';
import { MAIL_JOB } from '../../src/mail/outbox.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { buildTestDesk } from '../helpers/app.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { fixture } from './helpers.js';

t.test('imported tickets and replies mail nobody; a new reply on one does', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const desk = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailDomain: 'mail.desk.test' });
  await makeUser(desk.db, 'agent', { name: 'Kim Agent', email: 'kim@desk.test' });
  const result = await cli(desk.dir, 'import', 'zendesk', ...['organizations.json', 'users.json', 'tickets.json'].map((name) => fixture('zendesk', name)));
  t.equal(result.code, 0, result.err);
  await desk.app.worker.drain();
  t.same(smtp.received.map((mail) => mail.to), [], 'no mail for two tickets, three replies and a note');
  const outbox = await desk.db.selectFrom('jobs').select('kind').execute();
  t.notOk(outbox.some((job) => job.kind === MAIL_JOB), 'nothing queued in the outbox either');

  const id = (await desk.db.selectFrom('import_records').select('local_id').where('source', '=', 'zendesk').where('kind', '=', 'ticket').where('external_id', '=', '35437').executeTakeFirstOrThrow()).local_id;
  const kim = new Client(desk.app);
  await kim.login('kim@desk.test', PASSWORD);
  t.equal((await kim.post(`/agent/tickets/${id}/messages`, { kind: 'reply', body: 'Here is the copy of invoice 2020-17.' })).statusCode, 303);
  await desk.app.worker.drain();
  t.same(smtp.received.map((mail) => mail.to).flat(), ['alice@acme-tools.test'], 'the requester gets the new reply');
  t.match((await simpleParser(smtp.received[0]!.raw)).text, 'Here is the copy of invoice 2020-17.');
});
