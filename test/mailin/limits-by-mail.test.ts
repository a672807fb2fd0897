import t, { type Test } from 'tap';
import { startSmtpReceiver } from '../../src/mailin/smtp.js';
import { openTestDesk, tempDir, type TestDesk } from '../helpers/app.js';
import { built } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { deskWithTicket, depsOf, MAIL_ENV, pipeToCli, sendRaw } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {} };

const mail = (from: string, n: number) => Buffer.from([
  `From: Chatty <${from}>`, 'To: support@desk.test', `Subject: Question ${n}`, `Message-ID: <limit-${n}-${from}>`,
  'Date: Wed, 4 Mar 2026 10:00:00 +0100', 'Content-Type: text/plain; charset=utf-8', '', `Question number ${n}.`, '',
].join('\r\n'));

/** The admin sets the per-sender limit on Admin → Mail, as in the browser. */
async function setLimit(t: Test, { app, db }: Pick<TestDesk, 'app' | 'db'>, perSenderHour: string) {
  const admin = await makeUser(db, 'admin');
  const browser = new Client(app);
  await browser.login(admin.email, PASSWORD);
  const page = await browser.get('/admin/mail');
  t.match(page.body, 'name="perSenderHour"');
  const saved = await browser.post('/admin/mail/settings', { allowNew: '1', trustedIds: '', ccCap: '5', perSenderHour });
  t.equal(saved.statusCode, 303, `the limit is set to ${perSenderHour} an hour`);
}

t.test('over SMTP: the per-sender limit set on Admin → Mail holds; the next mail is a 451 with a sentence', async (t) => {
  const desk = await deskWithTicket(t);
  await setLimit(t, desk, '2');
  const receiver = await startSmtpReceiver(depsOf(desk), '127.0.0.1:0', quiet);
  t.teardown(() => receiver.close());
  const send = (from: string, n: number) => sendRaw(receiver.port, mail(from, n), { from, to: ['support@desk.test'] })
    .then(() => null, (error: { responseCode?: number; response?: string }) => error);
  t.equal(await send('chatty@customer.test', 1), null);
  t.equal(await send('chatty@customer.test', 2), null);
  const third = await send('chatty@customer.test', 3);
  t.equal(third?.responseCode, 451, 'the sending MTA keeps the third and tries again later');
  t.match(String(third?.response), /^451 Too many messages from this sender, try again later/);
  t.notMatch(String(third?.response), 'mailin.tooMany', 'a sentence, not a catalogue key');
  t.equal(await send('other@customer.test', 1), null, 'another sender is not held up');
  const subjects = (await desk.db.selectFrom('tickets').select('subject').orderBy('id').execute()).map((r) => r.subject);
  t.same(subjects, ['Printer on fire', 'Question 1', 'Question 2', 'Question 1']);
});

const pipeSkip = process.env.DESKBELL_TEST_FAST === '1' ? 'test:fast: the pipe runs in npm test (it needs the build)'
  : !built() ? 'needs `npm run build`' : false;

t.test('`mail receive`: past the limit set on Admin → Mail the MTA gets exit 75 and a sentence with the wait', { skip: pipeSkip }, async (t) => {
  const dir = tempDir(t);
  const first = await pipeToCli(dir, mail('chatty@customer.test', 1));
  t.equal(first.code, 0, first.err);
  const desk = await openTestDesk(t, dir, {}, MAIL_ENV);
  await setLimit(t, desk, '1');
  const second = await pipeToCli(dir, mail('chatty@customer.test', 2));
  t.equal(second.code, 75, 'EX_TEMPFAIL: the MTA keeps the mail and retries');
  t.match(second.err, /^deskbell: mail not stored: Too many messages from this sender; try again later\. \(try again in \d+ s\)\n$/);
  t.same((await desk.db.selectFrom('tickets').select('subject').execute()).map((r) => r.subject), ['Question 1'], 'the second is not stored');
});
