import t from 'tap';
import { LOGIN_POLICY } from '../../src/config.js';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { body, header, TestSmtpServer } from '../helpers/smtp.js';

// Issue 15, point 6: wrong passwords slow down the one address that types them (per account), an
// account is paused only by many failures from many places, its holder is told, and an admin can
// lift the pause. See docs/security.md for the numbers.

/** Every recorded try moves `ms` into the past, as if the guesser had waited that long. */
async function elapse(db: Db, ms: number): Promise<void> {
  for (const row of await db.selectFrom('login_attempts').select(['id', 'created_at']).execute()) {
    const created_at = new Date(Date.parse(row.created_at) - ms).toISOString();
    await db.updateTable('login_attempts').set({ created_at }).where('id', '=', row.id).execute();
  }
}

/** The recorded tries happened just now (however long the password checks before took on a busy machine). */
async function justNow(db: Db): Promise<void> {
  await db.updateTable('login_attempts').set({ created_at: new Date().toISOString() }).execute();
}

async function tryLogin(client: Client, email: string, password: string) {
  if (!client.csrf) await client.get('/login');
  return client.post('/login', { email, password });
}

t.test('after five wrong passwords from one address, each try waits 2 s, then 4 s...; the right password then gets in and forgets them', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const guesser = new Client(app, '10.2.0.1');
  for (let n = 0; n < LOGIN_POLICY.freeFailures; n++) t.equal((await tryLogin(guesser, agent.email, `guess ${n}`)).statusCode, 422);

  await justNow(db);
  const waiting = await tryLogin(guesser, agent.email, 'guess again');
  t.equal(waiting.statusCode, 429);
  t.equal(waiting.headers['retry-after'], '2');
  t.match(waiting.body, 'Too many failed attempts. Try again in 2 seconds.');
  t.equal((await tryLogin(guesser, agent.email, PASSWORD)).statusCode, 429, 'even the right password waits');

  await elapse(db, 2_500);
  t.equal((await tryLogin(guesser, agent.email, 'guess 6')).statusCode, 422, 'after the wait, one more try is checked');
  await justNow(db);
  const longer = await tryLogin(guesser, agent.email, 'guess 7');
  t.equal(longer.headers['retry-after'], '4', 'the next wait is twice as long');
  t.match(longer.body, 'Try again in 4 seconds.');

  await elapse(db, 4_500);
  t.equal((await tryLogin(guesser, agent.email, PASSWORD)).statusCode, 303, 'the right password gets in');
  const left = await db.selectFrom('login_attempts').select('id').where('email', '=', agent.email).execute();
  t.equal(left.length, 0, 'and the failures from this address are forgotten');
  t.equal((await tryLogin(new Client(app, '10.2.0.1'), agent.email, 'a typo')).statusCode, 422, 'a later typo is checked at once');
});

t.test('the wait doubles up to 15 minutes and says so in minutes', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const past = new Date(Date.now() - 1000).toISOString();
  const failures = (n: number) => Array.from({ length: n }, () => ({ email: user.email, ip: '10.2.1.1', created_at: past }));
  await db.insertInto('login_attempts').values(failures(LOGIN_POLICY.freeFailures + 8)).execute();
  const res = await tryLogin(new Client(app, '10.2.1.1'), user.email, PASSWORD);
  t.equal(res.statusCode, 429);
  t.equal(res.headers['retry-after'], String(512 - 1), '2^9 s after the last failure');
  t.match(res.body, 'Try again in 9 minutes.');

  await db.insertInto('login_attempts').values(failures(20)).execute();
  const capped = await tryLogin(new Client(app, '10.2.1.1'), user.email, PASSWORD);
  t.equal(capped.headers['retry-after'], String(15 * 60 - 1), 'never more than 15 minutes');
  t.match(capped.body, 'Try again in 15 minutes.');
});

t.test('one address cannot lock anyone out, admins included, nor does an office behind one address lock itself', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const guesser = new Client(app, '10.3.0.1');
  const statuses: number[] = [];
  for (let n = 0; n < 30; n++) statuses.push((await tryLogin(guesser, admin.email, `guess ${n}`)).statusCode);
  t.equal(statuses.filter((s) => s === 422).length, LOGIN_POLICY.freeFailures, 'only the free guesses were checked');
  t.equal((await tryLogin(new Client(app, '10.3.0.2'), admin.email, PASSWORD)).statusCode, 303, 'the admin, elsewhere, logs in');
  t.equal((await db.selectFrom('login_locks').select('email').execute()).length, 0, 'nothing is paused');

  // An office: 25 typos by five colleagues behind one NAT address (the old limit was 20 an address).
  const office = '10.3.1.1';
  const colleagues = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(db, 'customer')));
  for (const colleague of colleagues) {
    for (let n = 0; n < LOGIN_POLICY.freeFailures; n++) t.equal((await tryLogin(new Client(app, office), colleague.email, `typo ${n}`)).statusCode, 422);
  }
  const latecomer = await makeUser(db, 'customer');
  t.equal((await tryLogin(new Client(app, office), latecomer.email, PASSWORD)).statusCode, 303, 'another colleague still gets in');
  await justNow(db);
  t.equal((await tryLogin(new Client(app, office), colleagues[0]!.email, PASSWORD)).statusCode, 429, 'the one who mistyped five times waits a moment');
});

t.test('an address is still capped across accounts, high enough for an office', async (t) => {
  const { app, db } = await buildTestDesk(t, { loginLimit: { ...LOGIN_POLICY, perIp: 6 } });
  const sprayer = new Client(app, '10.3.2.1');
  for (let n = 0; n < 6; n++) t.equal((await tryLogin(sprayer, `someone${n}@example.test`, 'guess')).statusCode, 422);
  const other = await makeUser(db, 'customer');
  const refused = await tryLogin(sprayer, other.email, PASSWORD);
  t.equal(refused.statusCode, 429);
  t.match(refused.body, 'Try again in 60 minutes.');
  t.equal((await tryLogin(new Client(app, '10.3.2.2'), other.email, PASSWORD)).statusCode, 303, 'other addresses get in');
});

t.test('many failures from many places pause the account; the holder is mailed once; unknown addresses answer alike; an admin lifts the pause', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const policy = { ...LOGIN_POLICY, perAccount: 6 };
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, loginLimit: policy });
  const ann = await makeUser(db, 'customer', { name: 'Ann Holder' });

  const answers = async (email: string, subnet: number) => {
    const seen: number[] = [];
    for (let ip = 1; ip <= 3; ip++) {
      for (let n = 0; n < 2; n++) seen.push((await tryLogin(new Client(app, `10.5.${subnet}.${ip}`), email, `guess ${n}`)).statusCode);
    }
    const after = await tryLogin(new Client(app, `10.5.${subnet}.99`), email, email === ann.email ? PASSWORD : 'anything');
    return { seen, status: after.statusCode, retry: after.headers['retry-after'], message: /role="alert">([^<]*)</.exec(after.body)?.[1] };
  };
  const known = await answers(ann.email, 1);
  t.same(known.seen, [422, 422, 422, 422, 422, 422], 'six failures from three addresses were checked');
  t.equal(known.status, 429, 'then even the right password from a fourth address is refused');
  t.equal(known.message, 'Too many failed attempts. Try again in 60 minutes.');
  t.equal(known.retry, '3600');
  const unknown = await answers('nobody-here@example.test', 2);
  t.same({ ...unknown, retry: undefined }, { ...known, retry: undefined }, 'an address without an account answers the same');

  await app.worker.drain();
  t.equal(smtp.received.length, 1, 'one notice, to the holder only');
  const notice = smtp.received[0]!;
  t.same(notice.to, [ann.email]);
  t.match(header(notice.raw, 'Subject'), 'Sign-in to your account at Help Desk is paused');
  const text = body(notice.raw).replace(/=\r?\n/g, '');
  t.match(text, 'Hello Ann Holder,');
  t.match(text, '6 times within an hour');
  t.match(text, 'paused for 60 minutes');
  t.match(text, '/password/forgot');

  // The admin sees the pause on the person's page and lifts it.
  const admin = new Client(app, '10.5.9.1');
  await admin.login((await makeUser(db, 'admin')).email, PASSWORD);
  const page = await admin.get(`/admin/users/${ann.id}`);
  t.match(page.body, 'Paused after too many wrong passwords, until');
  t.match(page.body, `action="/admin/users/${ann.id}/unlock"`);
  const forged = await admin.post(`/admin/users/${ann.id}/unlock`, { _csrf: 'x'.repeat(43) });
  t.equal(forged.statusCode, 403, 'not without the form\'s CSRF token');
  t.equal((await tryLogin(new Client(app, '10.5.1.99'), ann.email, PASSWORD)).statusCode, 429, 'still paused');

  const lifted = await admin.post(`/admin/users/${ann.id}/unlock`);
  t.equal(lifted.statusCode, 303);
  const after = await admin.get(lifted.headers.location as string);
  t.equal(after.statusCode, 200);
  t.match(after.body, 'The sign-in pause is lifted: the person can log in again.');
  t.notMatch(after.body, 'Paused after too many wrong passwords');
  t.equal((await tryLogin(new Client(app, '10.5.1.99'), ann.email, PASSWORD)).statusCode, 303, 'Ann logs in again');
  const audit = await db.selectFrom('audit_log').select('action').where('subject_id', '=', ann.id).where('action', '=', 'user.signInUnlocked').execute();
  t.equal(audit.length, 1, 'the lift is in the audit log');
});

t.test('choosing a new password through a reset link lifts a pause', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const bob = await makeUser(db, 'agent');
  await db.insertInto('login_locks').values({ email: bob.email, locked_until: new Date(Date.now() + 3600_000).toISOString(), created_at: new Date().toISOString() }).execute();
  t.equal((await tryLogin(new Client(app), bob.email, PASSWORD)).statusCode, 429);

  const browser = new Client(app);
  await browser.get('/password/forgot');
  await browser.post('/password/forgot', { email: bob.email });
  await app.worker.consume();
  const job = await db.selectFrom('jobs').select('payload').where('kind', '=', 'mail').executeTakeFirstOrThrow();
  const token = /\/password\/reset\?token=([\w-]+)/.exec(job.payload)![1]!;
  await browser.get(`/password/reset?token=${token}`);
  const done = await browser.post('/password/reset', { token, password: 'a new long password', confirm: 'a new long password' });
  t.equal(done.statusCode, 303);
  t.equal((await tryLogin(new Client(app), bob.email, 'a new long password')).statusCode, 303, 'the new password works at once');
});

t.test('a pause that was due when the process stopped is written at the next try, with its one mail', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const policy = { ...LOGIN_POLICY, perAccount: 6 };
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, loginLimit: policy });
  const cy = await makeUser(db, 'customer', { name: 'Cy Holder' });
  // Six tries were counted (each is recorded before its password is checked), and the process was
  // killed before the sixth failure could pause the account: the ceiling is reached, no pause exists.
  const at = new Date().toISOString();
  for (let ip = 1; ip <= 6; ip++) await db.insertInto('login_attempts').values({ email: cy.email, ip: `10.6.0.${ip}`, created_at: at }).execute();
  t.equal((await db.selectFrom('login_locks').select('email').execute()).length, 0, 'no pause was written');

  const refused = await tryLogin(new Client(app, '10.6.1.1'), cy.email, PASSWORD);
  t.equal(refused.statusCode, 429, 'the next try is refused');
  t.match(refused.body, 'Try again in 60 minutes.');
  const lock = await db.selectFrom('login_locks').select('email').where('email', '=', cy.email).executeTakeFirst();
  t.ok(lock, 'and the pause is written now');
  t.equal((await tryLogin(new Client(app, '10.6.1.2'), cy.email, PASSWORD)).statusCode, 429, 'another try is refused too');
  await app.worker.drain();
  const mails = smtp.received.filter((m) => m.to.includes(cy.email));
  t.equal(mails.length, 1, 'the holder is told once');
  t.match(header(mails[0]!.raw, 'Subject'), 'Sign-in to your account at Help Desk is paused');
  const events = await db.selectFrom('events').select('kind').where('kind', '=', 'account.paused').execute();
  t.equal(events.length, 1, 'one account.paused event');
});
