import t from 'tap';
import { issueSetupToken } from '../../src/auth/auth.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';

t.test('the setup link creates the first admin, logs them in, and works only once', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const token = await issueSetupToken(db);
  t.type(token, 'string', 'an empty desk gets a setup token');

  const client = new Client(app);
  const page = await client.get(`/setup?token=${token}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Create the first admin');

  const created = await client.post('/setup', { token: token!, name: 'Ada Admin', email: 'ada@example.test', password: 'a long enough password' });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, '/agent');
  const admin = await db.selectFrom('users').selectAll().where('email', '=', 'ada@example.test').executeTakeFirstOrThrow();
  t.equal(admin.role, 'admin');
  t.equal(admin.state, 'active');
  t.match(admin.password_hash, /^scrypt\$/, 'the password is stored as an scrypt hash');
  t.equal((await client.get('/agent/tickets')).statusCode, 200, 'the new admin is logged in');

  const reused = await new Client(app).get(`/setup?token=${token}`);
  t.equal(reused.statusCode, 404);
  t.match(reused.body, 'This link is not valid any more');
  const second = new Client(app);
  await second.get('/login');
  const replay = await second.post('/setup', { token: token!, name: 'Mallory', email: 'mallory@example.test', password: 'another long password' });
  t.equal(replay.statusCode, 404);
  t.equal((await db.selectFrom('users').select('id').execute()).length, 1, 'no second admin');
  t.equal(await issueSetupToken(db), null, 'a desk with an admin prints no setup link');
});

t.test('a setup form with mistakes is shown again with the messages and what was typed', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const token = (await issueSetupToken(db))!;
  const client = new Client(app);
  await client.get(`/setup?token=${token}`);
  const res = await client.post('/setup', { token, name: 'Ada <b>Admin</b>', email: 'not-an-email', password: 'short' });
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Enter an email address like name@example.com.');
  t.match(res.body, 'The password needs at least 10 characters.');
  t.match(res.body, 'value="Ada &lt;b&gt;Admin&lt;/b&gt;"', 'the name is kept, escaped');
  t.match(res.body, 'aria-describedby="f-email-error"', 'the error is tied to its field');
  t.equal((await db.selectFrom('users').select('id').execute()).length, 0);
  t.equal((await client.get(`/setup?token=${token}`)).statusCode, 200, 'the link still works after a failed try');
});

t.test('a made-up setup token is refused', async (t) => {
  const { app } = await buildTestDesk(t);
  t.equal((await app.inject({ url: '/setup?token=' + 'a'.repeat(43) })).statusCode, 404);
  t.equal((await app.inject({ url: '/setup' })).statusCode, 404);
});
