import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { RESET_TTL } from '../../src/auth/auth.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { body, header, TestSmtpServer } from '../helpers/smtp.js';

interface MailPayload { to: string[]; subject: string; text: string; html: string }

/** The mails queued so far, once the notifications consumer has composed what the events call for. */
async function mails(app: FastifyInstance): Promise<MailPayload[]> {
  await app.worker.consume();
  const rows = await app.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as MailPayload);
}

function resetLink(text: string): string {
  const link = /(http\S+\/password\/reset\?token=\S+)/.exec(text)?.[1];
  if (!link) throw new Error('no reset link in: ' + text);
  const url = new URL(link);
  return url.pathname + url.search;
}

const tokenOf = (link: string) => new URL('http://x' + link).searchParams.get('token')!;

async function forgot(client: Client, email: string) {
  if (!client.csrf) await client.get('/password/forgot');
  return client.post('/password/forgot', { email });
}

t.test('the login page links "Forgot password?"; every address gets the same answer, only active people a mail', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const active = await makeUser(db, 'customer', { name: 'Ann Active' });
  const invited = await makeUser(db, 'customer', { state: 'invited' });
  const disabled = await makeUser(db, 'agent', { state: 'disabled' });

  const client = new Client(app);
  t.match((await client.get('/login')).body, '<a href="/password/forgot">Forgot password?</a>');
  const page = await client.get('/password/forgot');
  t.equal(page.statusCode, 200);
  t.match(page.body, '<label for="f-email">Email');

  const answers = [];
  for (const email of [active.email, 'nobody@example.test', invited.email, disabled.email]) {
    const res = await client.post('/password/forgot', { email });
    answers.push({ status: res.statusCode, location: res.headers.location, body: res.body });
  }
  t.same(new Set(answers.map((a) => JSON.stringify(a))).size, 1, 'the answers cannot be told apart');
  t.equal(answers[0]!.status, 303);
  const sent = await client.get(answers[0]!.location as string);
  t.match(sent.body, 'If an account exists for that address, we sent a link');

  const queued = await mails(app);
  t.equal(queued.length, 1, 'one mail: for the active person only');
  t.same(queued[0]!.to, [active.email]);
  t.match(queued[0]!.subject, 'Reset your password');
  t.match(queued[0]!.text, 'Hello Ann Active,');
  t.match(queued[0]!.html, '/password/reset?token=');
  const token = await db.selectFrom('user_tokens').selectAll().where('user_id', '=', active.id).executeTakeFirstOrThrow();
  t.equal(token.kind, 'reset');
  t.ok(Math.abs(Date.parse(token.expires_at) - Date.parse(token.created_at) - RESET_TTL) < 60_000, 'the link is good for one hour');

  const bad = await client.post('/password/forgot', { email: 'not an address' });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Enter an email address like name@example.com.');
});

t.test('a reset sets the password, logs out every other browser, logs this one in, and the link works once', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const elsewhere = new Client(app);
  await elsewhere.login(user.email, PASSWORD);
  t.equal((await elsewhere.get('/agent/tickets')).statusCode, 200);

  const browser = new Client(app);
  await forgot(browser, user.email);
  await forgot(browser, user.email);
  const [older, newer] = (await mails(app)).map((m) => resetLink(m.text));
  const form = await browser.get(newer!);
  t.equal(form.statusCode, 200);
  t.match(form.body, 'Choose a new password');
  t.match(form.body, `value="${user.email}" readonly`);
  t.match(form.body, 'action="/password/reset"');

  const mismatch = await browser.post('/password/reset', { token: tokenOf(newer!), password: 'a new long password', confirm: 'something else' });
  t.equal(mismatch.statusCode, 422);
  t.match(mismatch.body, 'The two passwords differ.');
  t.notMatch(mismatch.body, 'a new long password', 'passwords are never echoed');

  const done = await browser.post('/password/reset', { token: tokenOf(newer!), password: 'a new long password', confirm: 'a new long password' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/agent');
  const landed = await browser.get('/agent/tickets');
  t.equal(landed.statusCode, 200, 'this browser is logged in');
  t.match(landed.body, 'Your new password is set. Other browsers were logged out.');
  t.equal((await elsewhere.get('/agent/tickets')).statusCode, 303, 'the other browser is logged out');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 1);

  t.equal((await new Client(app).login(user.email, PASSWORD)).statusCode, 422, 'the old password is gone');
  t.equal((await new Client(app).login(user.email, 'a new long password')).statusCode, 303);
  const reused = await new Client(app).get(newer!);
  t.equal(reused.statusCode, 404);
  t.match(reused.body, 'This link is not valid any more');
  t.equal((await new Client(app).get(older!)).statusCode, 404, 'an older reset link died with the reset');
});

t.test('an expired reset link is not valid any more', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  await forgot(new Client(app), user.email);
  const link = resetLink((await mails(app))[0]!.text);
  await db.updateTable('user_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
  const page = await new Client(app).get(link);
  t.equal(page.statusCode, 404);
  t.match(page.body, 'This link is not valid any more');
  const client = new Client(app);
  await client.get('/password/forgot');
  const post = await client.post('/password/reset', { token: tokenOf(link), password: 'a new long password', confirm: 'a new long password' });
  t.equal(post.statusCode, 404);
});

t.test('requests are limited per address and per IP with a clear 429, so nobody\'s mailbox can be flooded', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const attacker = new Client(app, '10.1.0.1');
  for (let i = 0; i < 5; i++) t.equal((await forgot(attacker, user.email)).statusCode, 303);
  const limited = await forgot(new Client(app, '10.1.0.2'), user.email.toUpperCase());
  t.equal(limited.statusCode, 429, 'a sixth request for the address, even from elsewhere, is refused');
  t.match(limited.body, 'Too many reset requests');
  t.ok(Number(limited.headers['retry-after']) > 0);
  t.equal((await mails(app)).length, 5, 'no sixth mail');

  const sprayer = new Client(app, '10.1.0.3');
  for (let i = 0; i < 10; i++) t.equal((await forgot(sprayer, `someone${i}@example.test`)).statusCode, 303);
  t.equal((await forgot(sprayer, 'someone-else@example.test')).statusCode, 429, 'one IP is limited across addresses');
  t.equal((await forgot(new Client(app, '10.1.0.4'), 'someone-else@example.test')).statusCode, 303, 'other IPs are not');

  // Reset requests do not count as failed logins.
  t.equal((await new Client(app, '10.1.0.1').login(user.email, PASSWORD)).statusCode, 303);
});

t.test('the reset mail arrives at the SMTP server with a working link', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const user = await makeUser(db, 'customer');
  await forgot(new Client(app), user.email);
  await app.worker.drain();
  t.equal(smtp.received.length, 1);
  const mail = smtp.received[0]!;
  t.same(mail.to, [user.email]);
  t.match(header(mail.raw, 'Subject'), 'Reset your password');
  const text = body(mail.raw).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  t.equal((await new Client(app).get(resetLink(text))).statusCode, 200);
});
