import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { queueMail, smtpSender } from '../../src/mail/outbox.js';
import { nowIso } from '../../src/lib/time.js';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk, openTestDesk, tempDir } from '../helpers/app.js';
import { body, header, TestSmtpServer } from '../helpers/smtp.js';

const MAIL = {
  from: 'Support <support@desk.test>',
  to: ['casey@customer.test'],
  subject: 'Your ticket #42 was updated',
  text: 'Hello Casey,\n\nwe replied to your ticket. Reply to this mail to answer.\n',
};

/** A free loopback port for the SMTP server: taken, noted, and given back (the outage). */
async function stoppedServer(t: Test): Promise<TestSmtpServer> {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  await smtp.stop();
  t.teardown(() => smtp.stop());
  return smtp;
}

async function mailJob(db: Db, id: number) {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * A retry that cannot come due within one drain, however slow the machine (a failed SMTP connect
 * under load took longer than a 10 ms backoff, and the drain ran the retry too): tests move it with makeDue.
 */
const SLOW_RETRY = 60_000;

const makeDue = (db: Db, id: number) => db.updateTable('jobs').set({ run_at: nowIso() }).where('id', '=', id).execute();

t.test('a mail queued while the SMTP server is down is retried and arrives once it is back', async (t) => {
  const smtp = await stoppedServer(t);
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, jobRetryBaseMs: SLOW_RETRY });

  const id = await queueMail(db, MAIL);
  t.equal((await mailJob(db, id)).state, 'queued', 'queueing sends nothing yet');

  t.equal(await app.worker.drain(), 1, 'the worker tries the mail');
  const failed = await mailJob(db, id);
  t.equal(failed.state, 'queued', 'a failed mail stays in the outbox');
  t.equal(failed.attempts, 1);
  t.match(failed.last_error, /ECONNREFUSED|connect/i, 'the connection error is recorded');
  t.ok(Date.parse(failed.run_at) > Date.parse(failed.created_at), 'the retry is scheduled later');
  t.equal(smtp.received.length, 0);

  await smtp.start();
  await makeDue(db, id);
  t.equal(await app.worker.drain(), 1, 'the retry runs');

  t.equal(smtp.received.length, 1, 'the mail arrived');
  const mail = smtp.received[0]!;
  t.same(mail.to, ['casey@customer.test'], 'envelope recipient');
  t.equal(mail.from, 'support@desk.test', 'envelope sender');
  t.equal(header(mail.raw, 'Subject'), MAIL.subject);
  t.match(header(mail.raw, 'To'), /casey@customer\.test/);
  t.match(body(mail.raw), /we replied to your ticket\. Reply to this mail to answer\./);

  const done = await mailJob(db, id);
  t.equal(done.state, 'done');
  t.equal(done.attempts, 2);
  t.equal(done.last_error, null, 'the old error is cleared once sent');

  t.equal(await app.worker.drain(), 0, 'a sent mail is not sent again');
  t.equal(smtp.received.length, 1);
});

t.test('a recipient the server turns away: its answer is recorded and the mail goes out on a later try', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  smtp.refusing.add('casey@customer.test');
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, jobRetryBaseMs: SLOW_RETRY });
  const id = await queueMail(db, MAIL);

  t.equal(await app.worker.drain(), 1);
  const failed = await mailJob(db, id);
  t.equal(failed.state, 'queued');
  t.match(failed.last_error, /452.*Mailbox of casey@customer\.test is full/, "the server's answer is kept for the outbox page");
  t.equal(smtp.received.length, 0);

  smtp.refusing.clear();
  await makeDue(db, id);
  t.equal(await app.worker.drain(), 1);
  t.equal(smtp.received.length, 1);
  t.same(smtp.received[0]!.to, ['casey@customer.test']);
  t.equal((await mailJob(db, id)).state, 'done');
});

t.test('a recipient refused for good (5xx) makes the mail dead at once, with the answer kept', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  smtp.rejecting.add('casey@customer.test');
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, jobRetryBaseMs: SLOW_RETRY });
  const id = await queueMail(db, MAIL);
  t.equal(await app.worker.drain(), 1);
  const job = await mailJob(db, id);
  t.equal(job.state, 'dead', 'no pointless retries');
  t.equal(job.attempts, 1);
  t.match(job.last_error, /550.*No such mailbox/);
});

t.test('the retry waits for its backoff: it is not sent before run_at, and is once it passed', async (t) => {
  const smtp = await stoppedServer(t);
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, jobRetryBaseMs: 2000 });
  const id = await queueMail(db, MAIL);
  t.equal(await app.worker.drain(), 1);
  await smtp.start();

  t.equal(await app.worker.drain(), 0, 'not yet due');
  t.equal(smtp.received.length, 0);
  const { run_at: runAt } = await mailJob(db, id);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(runAt) - Date.now()) + 20));
  t.equal(await app.worker.drain(), 1);
  t.equal(smtp.received.length, 1);
  t.equal((await mailJob(db, id)).state, 'done');
});

t.test('without SMTP_URL a mail stays queued: the worker runs nothing', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  t.equal(config.smtpUrl, null);
  const id = await queueMail(db, MAIL);
  t.equal(await app.worker.drain(), 0);
  const row = await mailJob(db, id);
  t.equal(row.state, 'queued');
  t.equal(row.attempts, 0);
  t.equal(row.last_error, null);
});

t.test('a queued mail survives a restart and is sent by the next process', async (t) => {
  const smtp = await stoppedServer(t);
  const dir = tempDir(t);
  const smtpUrl = `smtp://127.0.0.1:${smtp.port}`;

  const first = await openTestDesk(t, dir, { smtpUrl, jobRetryBaseMs: SLOW_RETRY });
  const id = await queueMail(first.db, MAIL);
  t.equal(await first.app.worker.drain(), 1, 'one failed attempt before the restart');
  await first.close();

  await smtp.start();
  const second = await openTestDesk(t, dir, { smtpUrl });
  const kept = await mailJob(second.db, id);
  t.equal(kept.state, 'queued', 'the mail is still in the outbox after the restart');
  t.equal(kept.attempts, 1);
  t.ok(kept.last_error);

  await makeDue(second.db, id);
  t.equal(await second.app.worker.drain(), 1);
  t.equal(smtp.received.length, 1, 'the mail arrived');
  t.equal(header(smtp.received[0]!.raw, 'Subject'), MAIL.subject);
  t.equal((await mailJob(second.db, id)).state, 'done');
});

t.test('a mail being sent when the process died is sent by the next process once the lease runs out', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const dir = tempDir(t);

  const first = await openTestDesk(t, dir);
  const id = await queueMail(first.db, MAIL);
  // The crash: a worker had leased the mail (attempt counted, lease running) and never finished.
  await first.db.updateTable('jobs').set({ attempts: 1, locked_until: new Date(Date.now() + 60_000).toISOString() })
    .where('id', '=', id).execute();
  await first.close();

  const second = await openTestDesk(t, dir, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  t.equal(await second.app.worker.drain(), 0, 'not taken while the dead process still holds the lease');
  await second.db.updateTable('jobs').set({ locked_until: new Date(Date.now() - 1000).toISOString() }).where('id', '=', id).execute();
  t.equal(await second.app.worker.drain(), 1);
  t.equal(smtp.received.length, 1, 'the mail arrived');
  t.same(smtp.received[0]!.to, MAIL.to);
  const row = await mailJob(second.db, id);
  t.equal(row.state, 'done');
  t.equal(row.attempts, 2);
});

t.test('queueMail refuses a mail without recipients or with a line break in a header', async (t) => {
  const { db } = await buildTestDesk(t);
  await t.rejects(queueMail(db, { ...MAIL, to: [] }), /recipient/);
  await t.rejects(queueMail(db, { ...MAIL, subject: 'Hi\r\nBcc: victim@example.test' }), /line breaks/);
  await t.rejects(queueMail(db, { ...MAIL, to: ['a@example.test\nBcc: b@example.test'] }), /line breaks/);
  const { n } = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(n, 0, 'nothing was queued');
});

t.test('a server that greets and then says nothing fails the attempt instead of hanging', async (t) => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => { sockets.push(socket); socket.write('220 desk.test ESMTP\r\n'); });
  silent.listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => { for (const s of sockets) s.destroy(); silent.close(); });
  const { port } = silent.address() as { port: number };

  const send = smtpSender(`smtp://127.0.0.1:${port}`, { timeoutMs: 300 });
  const started = Date.now();
  // On a loaded machine the greeting itself may come after the 300 ms: nodemailer's greeting timeout
  // then ends the attempt ("Greeting never received"), a timeout all the same.
  await t.rejects(send(MAIL), /timeout|greeting never received/i, 'the attempt fails with a timeout');
  t.ok(Date.now() - started < 20_000, 'and ends instead of hanging');
});
