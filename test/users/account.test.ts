import t from 'tap';
import { LOGIN_POLICY } from '../../src/config.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser, PASSWORD } from '../helpers/factories.js';

t.test('anyone logged in edits name, language and time zone on /account, linked from the top bar', async (t) => {
  const { app, db } = await buildTestDesk(t);
  for (const role of ['customer', 'agent'] as const) {
    const user = await makeUser(db, role);
    const client = new Client(app);
    await client.login(user.email, PASSWORD);
    const page = await client.get('/account');
    t.equal(page.statusCode, 200, `${role}: the page opens`);
    t.match(page.body, '<a href="/account" aria-current="page">Profile</a>', `${role}: the top bar links it`);
    t.match(page.body, '<label for="f-name">Name');
    t.match(page.body, '<option value="en" selected>English</option>', 'the catalogue\'s languages');
    t.match(page.body, '<option value="Europe/Berlin">Europe/Berlin</option>', 'the runtime\'s time zones');
    t.match(page.body, '<option value="" selected>Automatic: this browser&#39;s (the desk&#39;s until it is known)</option>');

    const saved = await client.post('/account', { name: `New ${role} name`, locale: 'en', timeZone: 'America/New_York' });
    t.equal(saved.statusCode, 303);
    t.equal(saved.headers.location, '/account');
    const after = await client.get('/account');
    t.match(after.body, 'Your profile is saved.');
    t.match(after.body, `Signed in as New ${role} name`);
    t.match(after.body, '<option value="America/New_York" selected>America/New York</option>');
    const row = await db.selectFrom('users').select(['name', 'locale', 'time_zone']).where('id', '=', user.id).executeTakeFirstOrThrow();
    t.same(row, { name: `New ${role} name`, locale: 'en', time_zone: 'America/New_York' });
  }
  const back = await makeUser(db, 'customer');
  await db.updateTable('users').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', back.id).execute();
  const client = new Client(app);
  await client.login(back.email, PASSWORD);
  await client.post('/account', { name: 'Back Home', locale: 'en', timeZone: '' });
  t.equal((await db.selectFrom('users').select('time_zone').where('id', '=', back.id).executeTakeFirstOrThrow()).time_zone, null, 'the desk default again');
});

t.test('profile mistakes answer 422 with the typed values kept and nothing saved', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer', { name: 'Cara Customer' });
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  await client.get('/account');
  const res = await client.post('/account', { name: 'Cara <i>C</i>', locale: 'xx', timeZone: 'Mars/Olympus' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'value="Cara &lt;i&gt;C&lt;/i&gt;"', 'the typed name is kept, escaped');
  t.match(res.body, 'aria-describedby="f-locale-error"');
  t.match(res.body, 'aria-describedby="f-timeZone-hint f-timeZone-error"');
  const empty = await client.post('/account', { name: ' ', locale: 'en', timeZone: 'Europe/Paris' });
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'This field is required.');
  t.match(empty.body, '<option value="Europe/Paris" selected>', 'the chosen zone is kept');
  const row = await db.selectFrom('users').select(['name', 'time_zone']).where('id', '=', user.id).executeTakeFirstOrThrow();
  t.same(row, { name: 'Cara Customer', time_zone: null });
});

t.test('changing the password keeps this browser (with a new session id) and logs out the others', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'customer');
  const elsewhere = new Client(app);
  await elsewhere.login(user.email, PASSWORD);
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  const page = await client.get('/account');
  t.match(page.body, '<label for="f-current">Current password');
  const before = client.cookies.get('deskbell_session');

  const changed = await client.post('/account/password', { current: PASSWORD, password: 'my brand new secret', confirm: 'my brand new secret' });
  t.equal(changed.statusCode, 303);
  t.equal(changed.headers.location, '/account');
  t.not(client.cookies.get('deskbell_session'), before, 'the session id is rotated');
  const after = await client.get('/account');
  t.equal(after.statusCode, 200, 'this browser stays logged in');
  t.match(after.body, 'Your password is changed. Other browsers were logged out.');
  t.equal((await elsewhere.get('/account')).statusCode, 303, 'the other browser is logged out');
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).length, 1);
  t.equal((await new Client(app).login(user.email, PASSWORD)).statusCode, 422, 'the old password no longer works');
  t.equal((await new Client(app).login(user.email, 'my brand new secret')).statusCode, 303);
});

t.test('a wrong current password or a bad new one answers 422 and changes nothing', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const user = await makeUser(db, 'agent');
  const elsewhere = new Client(app);
  await elsewhere.login(user.email, PASSWORD);
  const client = new Client(app);
  await client.login(user.email, PASSWORD);
  await client.get('/account');
  const hash = (await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash;

  const wrong = await client.post('/account/password', { current: 'not my password', password: 'my brand new secret', confirm: 'my brand new secret' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, 'That is not your current password.');
  t.match(wrong.body, 'aria-describedby="f-current-error"');
  t.notMatch(wrong.body, 'my brand new secret', 'passwords are never echoed');
  t.notMatch(wrong.body, 'not my password');

  const mismatch = await client.post('/account/password', { current: PASSWORD, password: 'my brand new secret', confirm: 'my brand new secreT' });
  t.equal(mismatch.statusCode, 422);
  t.match(mismatch.body, 'The two passwords differ.');
  const short = await client.post('/account/password', { current: PASSWORD, password: 'short', confirm: 'short' });
  t.match(short.body, 'The password needs at least 12 characters.');

  t.equal((await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash, hash);
  t.equal((await elsewhere.get('/account')).statusCode, 200, 'other sessions are untouched');
  t.equal((await client.get('/account')).statusCode, 200);
});

t.test('guessing the current password is limited like failed logins', async (t) => {
  const { app, db } = await buildTestDesk(t, { loginLimit: { ...LOGIN_POLICY, freeFailures: 3 } });
  const user = await makeUser(db, 'customer');
  const client = new Client(app, '10.4.0.1');
  await client.login(user.email, PASSWORD);
  await client.get('/account');
  for (let i = 0; i < 3; i++) {
    t.equal((await client.post('/account/password', { current: 'guess ' + i, password: 'my brand new secret', confirm: 'my brand new secret' })).statusCode, 422);
  }
  // The three failures happened just now, however long their password checks took on a busy machine.
  await db.updateTable('login_attempts').set({ created_at: new Date().toISOString() }).execute();
  const limited = await client.post('/account/password', { current: PASSWORD, password: 'my brand new secret', confirm: 'my brand new secret' });
  t.equal(limited.statusCode, 429, 'even the right password waits');
  t.match(limited.body, 'Too many failed attempts. Try again in 2 seconds.');
  t.equal(limited.headers['retry-after'], '2');
  t.equal((await new Client(app, '10.4.0.1').login(user.email, PASSWORD)).statusCode, 429, 'logging in from the same address waits as well');
  t.equal((await new Client(app, '10.4.0.2').login(user.email, PASSWORD)).statusCode, 303, 'from elsewhere the person still gets in');
});

t.test('visitors are sent to log in', async (t) => {
  const { app } = await buildTestDesk(t);
  const res = await new Client(app).get('/account');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login?next=%2Faccount');
});
