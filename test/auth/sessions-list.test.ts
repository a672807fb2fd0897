import t from 'tap';
import { describeDevice } from '../../src/auth/session-list.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';
import { body, header, TestSmtpServer } from '../helpers/smtp.js';

// Issue 24, point 4 (in part): the account page lists one's signed-in browsers, each can be signed
// out, or all but this one; admins see a person's and sign them out everywhere (audited).

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

async function signIn(client: Client, email: string, userAgent: string) {
  await client.get('/login', { 'user-agent': userAgent });
  return client.post('/login', { email, password: PASSWORD }, { 'user-agent': userAgent });
}

t.test('the browser a User-Agent names, roughly', async (t) => {
  t.same(describeDevice(FIREFOX_LINUX), { browser: 'Firefox', os: 'Linux' });
  t.same(describeDevice(SAFARI_IPHONE), { browser: 'Safari', os: 'iOS' });
  t.same(describeDevice(CHROME_WINDOWS), { browser: 'Chrome', os: 'Windows' });
  t.same(describeDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'), { browser: 'Edge', os: 'macOS' });
  t.equal(describeDevice(null), null);
  t.equal(describeDevice('something'), null);
});

t.test('a person sees their signed-in browsers, signs one out, then all but this one', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const agent = await makeUser(db, 'agent');
  const laptop = new Client(app, '10.7.0.1');
  const phone = new Client(app, '10.7.0.2');
  const office = new Client(app, '10.7.0.3');
  t.equal((await signIn(laptop, agent.email, FIREFOX_LINUX)).statusCode, 303);
  t.equal((await signIn(phone, agent.email, SAFARI_IPHONE)).statusCode, 303);
  t.equal((await signIn(office, agent.email, CHROME_WINDOWS)).statusCode, 303);

  t.match(await laptop.page('/account'), 'href="/account/sessions"', 'My Page links to the list');
  const list = await laptop.page('/account/sessions');
  t.match(list, /Firefox on Linux\s*<span class="badge">This browser<\/span>/);
  t.match(list, 'Safari on iOS');
  t.match(list, 'Chrome on Windows');
  t.match(list, '10.7.0.2', 'where from: the network address');
  t.equal([...list.matchAll(/name="session" value="[0-9a-f]{64}"/g)].length, 3, 'a Sign out button for each');

  const phoneId = (await db.selectFrom('sessions').select(['id', 'user_agent']).where('user_id', '=', agent.id).execute())
    .find((row) => row.user_agent === SAFARI_IPHONE)!.id;
  const ended = await laptop.post('/account/sessions/removal', { session: phoneId });
  t.equal(ended.statusCode, 303);
  t.match(await laptop.page('/account/sessions'), 'That browser is signed out.');
  t.equal((await phone.get('/agent')).statusCode, 303, 'the phone is signed out');
  t.equal((await laptop.get('/agent')).statusCode, 200, 'the laptop is not');

  t.equal((await laptop.post('/account/sessions/removal', { session: 'f'.repeat(64) })).statusCode, 404, 'an unknown session is not found');
  t.equal((await laptop.post('/account/sessions/removal', { session: '' })).statusCode, 422);

  await laptop.get('/account/sessions');
  const others = await laptop.post('/account/sessions/removal', { session: 'others' });
  t.equal(others.statusCode, 303);
  t.match(await laptop.page('/account/sessions'), '1 other browser is signed out.');
  t.equal((await office.get('/agent')).statusCode, 303, 'the office computer is signed out');
  t.equal((await laptop.get('/agent')).statusCode, 200, 'this browser stays signed in');
});

t.test('nobody signs out someone else\'s session from their own page', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const ann = await makeUser(db, 'customer');
  const bea = await makeUser(db, 'customer');
  const annBrowser = new Client(app);
  const beaBrowser = new Client(app);
  await signIn(annBrowser, ann.email, FIREFOX_LINUX);
  await signIn(beaBrowser, bea.email, SAFARI_IPHONE);
  const beaSession = (await db.selectFrom('sessions').select('id').where('user_id', '=', bea.id).executeTakeFirstOrThrow()).id;
  const page = await annBrowser.page('/account/sessions');
  t.notMatch(page, beaSession, 'Bea\'s session is not listed for Ann');
  t.equal((await annBrowser.post('/account/sessions/removal', { session: beaSession })).statusCode, 404);
  t.equal((await beaBrowser.get('/portal')).statusCode, 200, 'Bea is still signed in');
});

t.test('an admin sees a person\'s sessions and signs them out everywhere (audited)', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const admin = await makeUser(db, 'admin');
  const agent = await makeUser(db, 'agent');
  const laptop = new Client(app, '10.7.1.1');
  await signIn(laptop, agent.email, FIREFOX_LINUX);
  const ada = new Client(app);
  await ada.login(admin.email, PASSWORD);
  const show = await ada.page(`/admin/users/${agent.id}`);
  t.match(show, 'Firefox on Linux');
  t.match(show, '10.7.1.1');
  const done = await ada.post(`/admin/users/${agent.id}/sessions/removal`);
  t.equal(done.statusCode, 303);
  t.match(await ada.page(`/admin/users/${agent.id}`), 'The person is signed out of 1 browser.');
  t.equal((await laptop.get('/agent')).statusCode, 303, 'the agent is signed out');
  const audit = await db.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'user.sessionsEnded').execute();
  t.equal(audit.length, 1);
  t.equal(audit[0]!.actor_id, admin.id);
  t.same(JSON.parse(audit[0]!.details), { sessions: 1 });
});

t.test('a sign-in from a browser the account has not used before is mailed about, unless the person opts out', async (t) => {
  const smtp = new TestSmtpServer();
  await smtp.start(0);
  t.teardown(() => smtp.stop());
  const { app, db } = await buildTestDesk(t, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  const agent = await makeUser(db, 'agent', { name: 'Kim Agent' });
  const laptop = new Client(app, '10.7.2.1');
  await signIn(laptop, agent.email, FIREFOX_LINUX);
  await app.worker.drain();
  t.equal(smtp.received.length, 0, 'the very first sign-in is not news');

  await signIn(new Client(app, '10.7.2.2'), agent.email, SAFARI_IPHONE);
  await app.worker.drain();
  t.equal(smtp.received.length, 1, 'a new browser: one mail');
  const mail = smtp.received[0]!;
  t.same(mail.to, [agent.email]);
  t.match(header(mail.raw, 'Subject'), 'New sign-in to your account at Help Desk');
  const text = body(mail.raw).replace(/=\r?\n/g, '');
  t.match(text, 'Hello Kim Agent,');
  t.match(text, 'Safari on iOS, from the network address 10.7.2.2');
  t.match(text, '/account/sessions');

  await signIn(new Client(app, '10.7.2.3'), agent.email, FIREFOX_LINUX);
  await app.worker.drain();
  t.equal(smtp.received.length, 1, 'a browser used before: no mail, whatever the address');

  const page = await laptop.page('/account/sessions');
  t.match(page, /name="newDeviceMail" type="checkbox" value="1" checked/, 'the mail is on by default');
  t.equal((await laptop.post('/account/sessions/mail', {})).statusCode, 303, 'the person unticks it');
  t.match(await laptop.page('/account/sessions'), 'You will get no mail about new browsers.');
  await signIn(new Client(app, '10.7.2.4'), agent.email, CHROME_WINDOWS);
  await app.worker.drain();
  t.equal(smtp.received.length, 1, 'opted out: no mail');
  t.equal((await db.selectFrom('known_devices').select('fingerprint').where('user_id', '=', agent.id).execute()).length, 3, 'three browsers known');
});
