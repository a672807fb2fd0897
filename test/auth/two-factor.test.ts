import t, { type Test } from 'tap';
import { issueResetToken } from '../../src/auth/auth.js';
import { CODE_LIMIT } from '../../src/auth/two-factor.js';
import { totpAt } from '../../src/auth/totp.js';
import type { Db } from '../../src/db/connect.js';
import { buildTestDesk } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { body, header, TestSmtpServer } from '../helpers/smtp.js';

// Issue 24, point 1: two-factor sign-in with an authenticator app (TOTP), recovery codes, remembered
// browsers, the admins' requirement for staff and their reset (and the command's).

const codeNow = (secret: string) => totpAt(secret, Date.now());
/** The next step's code: the app shows it half a minute later (accepted one step ahead). */
const codeNext = (secret: string) => totpAt(secret, Date.now() + 30_000);

/** A minute passes for the replay guard: the codes taken before are older than any code now. */
async function aMinuteLater(db: Db, userId: number): Promise<void> {
  const row = await db.selectFrom('two_factor').select('last_step').where('user_id', '=', userId).executeTakeFirstOrThrow();
  await db.updateTable('two_factor').set({ last_step: Number(row.last_step) - 3 }).where('user_id', '=', userId).execute();
}

/** The settings page's form as a browser sends it (as test/admin/settings.test.ts reads it). */
function formOf(html: string): Record<string, string> {
  const decode = (text: string) => text.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const form: Record<string, string> = {};
  for (const m of html.matchAll(/<input id="f-([\w]+)" name="([\w]+)" type="(\w+)"(?:[^>]*?) value="([^"]*)"[^>]*>/g)) form[m[2]!] = decode(m[4]!);
  for (const m of html.matchAll(/<input id="f-[\w]+" name="([\w]+)" type="checkbox" value="1"( checked)?/g)) {
    if (m[2]) form[m[1]!] = '1'; else delete form[m[1]!];
  }
  for (const m of html.matchAll(/<select id="f-[\w]+" name="([\w]+)"[\s\S]*?<\/select>/g)) {
    form[m[1]!] = decode(/<option value="([^"]*)" selected>/.exec(m[0])?.[1] ?? '');
  }
  for (const m of html.matchAll(/<textarea id="f-[\w]+" name="([\w]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) form[m[1]!] = decode(m[2]!);
  return form;
}

function alert(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1];
}

/** Sign in, set up two-factor from the account page and confirm it; returns the secret and the recovery codes. */
async function enrol(t: Test, client: Client, email: string) {
  await client.login(email, PASSWORD);
  t.equal((await client.post('/account/two-factor/setup')).statusCode, 303, 'the set-up begins');
  const page = await client.page('/account/two-factor');
  const secret = /<code id="two-factor-secret">([A-Z2-7 ]+)<\/code>/.exec(page)?.[1]?.replace(/ /g, '');
  t.ok(secret && secret.length >= 32, 'the key is shown as text');
  const done = await client.post('/account/two-factor/confirm', { code: codeNow(secret!) });
  t.equal(done.statusCode, 200);
  const codes = [...done.body.matchAll(/<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code><\/li>/g)].map((m) => m[1]!);
  return { secret: secret!, codes, page, done };
}

/** The password step of a sign-in: where it leads. */
async function password(client: Client, email: string) {
  await client.get('/login');
  return client.post('/login', { email, password: PASSWORD });
}

t.test('a person sets up two-factor on their account page: key and app link shown, a code confirms it, ten recovery codes shown once', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent', { email: 'kim@desk.test' });
  const kim = new Client(app);
  await kim.login(agent.email, PASSWORD);
  t.match(await kim.page('/account'), '<a href="/account/two-factor">', 'My Page links to the set-up');
  t.match(await kim.page('/account/two-factor'), 'Two-factor sign-in is off.');

  t.equal((await kim.post('/account/two-factor/setup')).statusCode, 303);
  const page = await kim.page('/account/two-factor');
  const secret = /<code id="two-factor-secret">([A-Z2-7 ]+)<\/code>/.exec(page)![1]!.replace(/ /g, '');
  t.match(page, `otpauth://totp/Deskbell:kim%40desk.test?secret=${secret}&amp;issuer=Deskbell`, 'the otpauth link for the app');
  t.match(page, /<svg role="img" aria-label="QR code for your authenticator app" width="200" height="200" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*><path /, 'and as a QR code, an SVG made on the server');
  t.equal((await db.selectFrom('two_factor').select('enabled_at').where('user_id', '=', agent.id).executeTakeFirstOrThrow()).enabled_at, null,
    'not on before a code confirms it');

  const wrong = await kim.post('/account/two-factor/confirm', { code: codeNow(secret) === '000000' ? '111111' : '000000' });
  t.equal(wrong.statusCode, 422, 'a wrong code is refused');
  t.match(alert(wrong.body), 'That code is not right');
  t.match(wrong.body, secret.slice(0, 4), 'the key is still shown');

  const done = await kim.post('/account/two-factor/confirm', { code: codeNow(secret) });
  t.equal(done.statusCode, 200);
  t.match(done.body, 'Two-factor sign-in is on.');
  const codes = [...done.body.matchAll(/<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code><\/li>/g)].map((m) => m[1]!);
  t.equal(new Set(codes).size, 10, 'ten different recovery codes');
  const stored = await db.selectFrom('two_factor_recovery').select('code_hash').where('user_id', '=', agent.id).execute();
  t.equal(stored.length, 10);
  t.notOk(stored.some((row) => codes.some((code) => row.code_hash.includes(code) || row.code_hash.includes(code.replace(/-/g, '')))), 'only hashes are stored');

  const after = await kim.page('/account/two-factor');
  t.match(after, 'Two-factor sign-in is on.');
  t.match(after, 'You have 10 unused recovery codes.');
  t.notMatch(after, codes[0]!, 'the codes are not shown again');
  t.notMatch(after, secret.slice(0, 8), 'nor the key');
});

t.test('sign-in asks for the code after the password; a wrong code is refused, the right one signs in once (no replay)', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const { secret } = await enrol(t, new Client(app), agent.email);

  const browser = new Client(app, '10.9.0.1');
  const step = await password(browser, agent.email);
  t.equal(step.statusCode, 303);
  t.equal(step.headers.location, '/login/two-factor', 'the password leads to the second step');
  t.notOk(browser.cookies.has('deskbell_session'), 'no session yet');
  t.equal((await browser.get('/agent')).headers.location, '/login?next=%2Fagent', 'the desk still asks to log in');
  const form = await browser.page('/login/two-factor');
  t.match(form, 'Enter your code');
  t.match(form, 'name="code"');
  t.match(form, 'Remember this browser for 30 days');

  const wrong = await browser.post('/login/two-factor', { code: codeNow(secret) === '123456' ? '654321' : '123456' });
  t.equal(wrong.statusCode, 422);
  t.match(alert(wrong.body), 'That code is not right');
  t.notOk(browser.cookies.has('deskbell_session'));

  const code = codeNext(secret);
  const right = await browser.post('/login/two-factor', { code });
  t.equal(right.statusCode, 303);
  t.equal(right.headers.location, '/agent');
  t.equal((await browser.get('/agent')).statusCode, 200, 'signed in');
  t.equal((await browser.post('/login/two-factor', { code })).headers.location, '/login', 'the step is spent');

  const thief = new Client(app, '10.9.0.2');
  t.equal((await password(thief, agent.email)).headers.location, '/login/two-factor');
  await thief.get('/login/two-factor');
  const replay = await thief.post('/login/two-factor', { code });
  t.equal(replay.statusCode, 422, 'the same code is not taken twice');
  t.match(alert(replay.body), 'already used');
  t.equal((await thief.get('/agent')).statusCode, 303, 'and gets nobody in');

  // Without the step's cookie, the page leads back to the login page.
  t.equal((await new Client(app).get('/login/two-factor')).headers.location, '/login');
});

t.test('a reset password link does not skip the second step', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  await enrol(t, new Client(app), agent.email);
  const token = await issueResetToken(db, agent.id);
  const browser = new Client(app);
  await browser.get(`/password/reset?token=${token}`);
  const done = await browser.post('/password/reset', { token, password: 'a brand new password', confirm: 'a brand new password' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/login/two-factor');
  t.notOk(browser.cookies.has('deskbell_session'));
});

t.test('wrong codes are limited per account: after five, even the right code waits, from any address', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const { secret } = await enrol(t, new Client(app), agent.email);
  const guesser = new Client(app, '10.9.1.1');
  await password(guesser, agent.email);
  await guesser.get('/login/two-factor');
  const bad = codeNow(secret) === '000000' ? '999999' : '000000';
  for (let n = 0; n < CODE_LIMIT.max; n++) t.equal((await guesser.post('/login/two-factor', { code: bad })).statusCode, 422, `wrong code ${n + 1}`);
  const refused = await guesser.post('/login/two-factor', { code: bad });
  t.equal(refused.statusCode, 429);
  const retry = Number(refused.headers['retry-after']);
  t.ok(retry > CODE_LIMIT.windowMs / 1000 - 60 && retry <= CODE_LIMIT.windowMs / 1000, `Retry-After ${retry}: until the oldest wrong code leaves the quarter hour`);
  t.match(alert(refused.body), 'Too many wrong codes. Try again in 15 minutes.');
  t.equal((await guesser.post('/login/two-factor', { code: codeNext(secret) })).statusCode, 429, 'the right code waits too');

  const elsewhere = new Client(app, '10.9.1.2');
  await password(elsewhere, agent.email);
  await elsewhere.get('/login/two-factor');
  t.equal((await elsewhere.post('/login/two-factor', { code: codeNext(secret) })).statusCode, 429, 'the limit is the account\'s, not the address\'s');

  // A quarter of an hour later the right code gets in, and the failures are forgotten.
  await db.updateTable('login_attempts').set({ created_at: new Date(Date.now() - CODE_LIMIT.windowMs - 1000).toISOString() }).execute();
  t.equal((await elsewhere.post('/login/two-factor', { code: codeNext(secret) })).statusCode, 303);
  t.equal((await db.selectFrom('login_attempts').select('id').where('email', '=', `2fa:${agent.id}`).execute()).length, 0);
});

t.test('a recovery code signs in once', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const customer = await makeUser(db, 'customer');
  const { codes } = await enrol(t, new Client(app), customer.email);
  t.equal(codes.length, 10);

  const lostPhone = new Client(app);
  await password(lostPhone, customer.email);
  await lostPhone.get('/login/two-factor');
  const used = await lostPhone.post('/login/two-factor', { code: codes[3]!.toUpperCase() });
  t.equal(used.statusCode, 303, 'a recovery code, typed in capitals, signs in');
  t.equal(used.headers.location, '/portal');
  t.match(await lostPhone.page('/portal'), 'You signed in with a recovery code');
  t.match(await lostPhone.page('/account/two-factor'), 'You have 9 unused recovery codes.');

  const again = new Client(app);
  await password(again, customer.email);
  await again.get('/login/two-factor');
  const twice = await again.post('/login/two-factor', { code: codes[3]! });
  t.equal(twice.statusCode, 422, 'the same recovery code is refused the second time');
  t.equal((await again.post('/login/two-factor', { code: codes[4]!.replace(/-/g, ' ') })).statusCode, 303, 'another one works');
});

t.test('a remembered browser skips the step; "sign out everywhere" forgets it', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const { secret } = await enrol(t, new Client(app), agent.email);
  const laptop = new Client(app);
  await password(laptop, agent.email);
  await laptop.get('/login/two-factor');
  t.equal((await laptop.post('/login/two-factor', { code: codeNext(secret), remember: '1' })).statusCode, 303);
  const device = laptop.cookies.get('deskbell_device');
  t.ok(device, 'the browser gets a remembering cookie');
  t.equal((await db.selectFrom('two_factor_devices').select('id').where('user_id', '=', agent.id).execute()).length, 1);

  await laptop.get('/agent');
  await laptop.post('/logout');
  const back = await password(laptop, agent.email);
  t.equal(back.headers.location, '/agent', 'the next sign-in on this browser skips the code');

  const forged = new Client(app);
  forged.cookies.set('deskbell_device', `${device!.split('.')[0]}.forged`);
  t.equal((await password(forged, agent.email)).headers.location, '/login/two-factor', 'a cookie with a wrong signature counts for nothing');

  await laptop.get('/account');
  t.equal((await laptop.post('/account/sessions/end')).statusCode, 303, 'sign out everywhere');
  t.equal((await db.selectFrom('two_factor_devices').select('id').where('user_id', '=', agent.id).execute()).length, 0);
  t.equal((await password(laptop, agent.email)).headers.location, '/login/two-factor', 'the browser is asked for a code again');
});

t.test('an admin resets a person\'s two-factor: audited, mailed, remembered browsers forgotten; the person signs in with the password', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const agent = await makeUser(db, 'agent', { name: 'Kim Agent' });
  const admin = await makeUser(db, 'admin');
  const { secret } = await enrol(t, new Client(app), agent.email);
  const phone = new Client(app);
  await password(phone, agent.email);
  await phone.get('/login/two-factor');
  await phone.post('/login/two-factor', { code: codeNext(secret), remember: '1' });
  const device = phone.cookies.get('deskbell_device')!;

  const ada = new Client(app);
  await ada.login(admin.email, PASSWORD);
  const show = await ada.page(`/admin/users/${agent.id}`);
  t.match(show, 'Two-factor sign-in');
  t.match(show, `action="/admin/users/${agent.id}/two-factor/reset"`);
  const reset = await ada.post(`/admin/users/${agent.id}/two-factor/reset`);
  t.equal(reset.statusCode, 303);
  t.match(await ada.page(`/admin/users/${agent.id}`), 'Two-factor sign-in is reset');
  t.equal((await ada.post(`/admin/users/${agent.id}/two-factor/reset`)).headers.location, `/admin/users/${agent.id}`, 'a second reset changes nothing');

  const audit = await db.selectFrom('audit_log').select(['actor_id', 'action']).where('subject_id', '=', agent.id).where('action', '=', 'user.twoFactorReset').execute();
  t.same(audit, [{ actor_id: admin.id, action: 'user.twoFactorReset' }], 'one audit entry, by the admin');
  for (const table of ['two_factor', 'two_factor_recovery', 'two_factor_devices'] as const) {
    t.equal((await db.selectFrom(table).select('user_id').where('user_id', '=', agent.id).execute()).length, 0, `${table} of the person is empty`);
  }

  await app.worker.drain();
  const mails = smtp.received.filter((mail) => mail.to.includes(agent.email));
  t.equal(mails.length, 1, 'the person is told by mail');
  t.match(header(mails[0]!.raw, 'Subject'), 'Two-factor sign-in at Help Desk was reset');
  t.match(body(mails[0]!.raw).replace(/=\r?\n/g, ''), 'Hello Kim Agent,');

  t.equal((await password(new Client(app), agent.email)).headers.location, '/agent', 'the password alone signs in now');
  // Set up again with a new phone: the browser remembered before the reset is not.
  const again = await enrol(t, new Client(app), agent.email);
  const old = new Client(app);
  old.cookies.set('deskbell_device', device);
  t.equal((await password(old, agent.email)).headers.location, '/login/two-factor', 'the old remembered browser is asked for a code');
  t.ok(again.secret !== secret, 'a new key');
});

t.test('admins require two-factor for staff: an agent without it sets it up at the next sign-in; customers are not asked', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const agent = await makeUser(db, 'agent');
  const customer = await makeUser(db, 'customer');
  const ada = new Client(app);
  await ada.login(admin.email, PASSWORD);
  const settings = await ada.page('/admin/settings');
  t.match(settings, 'Require two-factor sign-in for staff');
  const saved = await ada.post('/admin/settings', { ...formOf(settings), security__require_2fa: '1' });
  t.equal(saved.statusCode, 303, 'the admin switches the requirement on');
  t.equal((await db.selectFrom('settings').select('value').where('key', '=', 'security.require_2fa').executeTakeFirstOrThrow()).value, '1');

  t.equal((await password(new Client(app), customer.email)).headers.location, '/portal', 'a customer signs in with the password');

  const kim = new Client(app);
  const step = await password(kim, agent.email);
  t.equal(step.headers.location, '/login/two-factor/setup', 'the agent is sent to set it up');
  t.notOk(kim.cookies.has('deskbell_session'), 'without a session yet');
  const page = await kim.page('/login/two-factor/setup');
  t.match(page, 'Two-factor sign-in is required for staff');
  const secret = /<code id="two-factor-secret">([A-Z2-7 ]+)<\/code>/.exec(page)![1]!.replace(/ /g, '');
  t.equal((await kim.get('/agent')).statusCode, 303, 'the desk is closed until then');
  const wrong = await kim.post('/login/two-factor/setup', { code: codeNow(secret) === '000000' ? '111111' : '000000' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, secret.slice(0, 4), 'the same key is shown again');
  const done = await kim.post('/login/two-factor/setup', { code: codeNow(secret) });
  t.equal(done.statusCode, 200);
  t.match(done.body, 'Your recovery codes');
  t.match(done.body, 'href="/agent"');
  t.equal((await kim.get('/agent')).statusCode, 200, 'signed in once it is set up');
  t.notMatch(await kim.page('/account/two-factor'), 'Switch off two-factor sign-in', 'and it cannot be switched off while required');

  const next = new Client(app);
  t.equal((await password(next, agent.email)).headers.location, '/login/two-factor', 'the next sign-in asks for a code');
});

t.test('a person switches two-factor off with a code (unless it is required)', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const kim = new Client(app);
  const { secret } = await enrol(t, kim, agent.email);
  await kim.get('/account/two-factor');
  t.equal((await kim.post('/account/two-factor/off', { code: '' })).statusCode, 422, 'a code is needed');
  await aMinuteLater(db, agent.id);
  const off = await kim.post('/account/two-factor/off', { code: codeNow(secret) });
  t.equal(off.statusCode, 303);
  t.match(await kim.page('/account/two-factor'), 'Two-factor sign-in is off. Signing in needs only your password again.');
  t.equal((await password(new Client(app), agent.email)).headers.location, '/agent');
});

t.test('deskbell user reset-2fa --email E resets a locked-out admin\'s two-factor', async (t) => {
  const { app, db, dir } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin', { email: 'only-admin@desk.test' });
  await enrol(t, new Client(app), admin.email);

  const result = await cli(dir, 'user', 'reset-2fa', '--email', 'Only-Admin@desk.test');
  t.equal(result.code, 0, result.err);
  t.match(result.out, 'Two-factor sign-in of only-admin@desk.test is reset');
  t.equal((await db.selectFrom('two_factor').select('user_id').execute()).length, 0);
  const audit = await db.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'user.twoFactorReset').execute();
  t.equal(audit.length, 1);
  t.equal(audit[0]!.actor_id, null, 'by the command, no person');
  t.equal((await db.selectFrom('events').select('kind').where('kind', '=', 'account.twoFactorReset').execute()).length, 1, 'the mail is due');
  t.equal((await password(new Client(app), admin.email)).headers.location, '/agent', 'the admin gets in with the password');

  t.match((await cli(dir, 'user', 'reset-2fa', '--email', admin.email)).out, 'had no two-factor sign-in');
  const unknown = await cli(dir, 'user', 'reset-2fa', '--email', 'nobody@desk.test');
  t.equal(unknown.code, 1);
  t.match(unknown.err, 'nobody has the address nobody@desk.test');
  t.equal((await cli(dir, 'user', 'reset-2fa')).code, 2, 'without --email: usage');
});
