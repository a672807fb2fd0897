import t from 'tap';
import { issueSetupToken } from '../../src/auth/auth.js';
import { runCli } from '../../src/cli.js';
import { buildTestDesk } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { makeUser } from '../helpers/factories.js';

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
  t.equal(reused.statusCode, 303, 'the spent link leads to the login page');
  t.equal(reused.headers.location, '/login');
  const second = new Client(app);
  await second.get('/login');
  const replay = await second.post('/setup', { token: token!, name: 'Mallory', email: 'mallory@example.test', password: 'another long password' });
  t.equal(replay.statusCode, 303);
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
  t.match(res.body, 'The password needs at least 12 characters.');
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

t.test('a setup link printed before an admin was added with `deskbell user add` no longer works', async (t) => {
  const { app, db, config } = await buildTestDesk(t);
  const token = (await issueSetupToken(db))!;
  const err: string[] = [];
  const code = await runCli(['user', 'add', '--email', 'root@example.test', '--name', 'Root', '--role', 'admin', '--password', 'a long enough secret'],
    { out: () => {}, err: (text) => err.push(text) }, () => config);
  t.equal(code, 0, err.join(''));

  const client = new Client(app);
  const page = await client.get(`/setup?token=${token}`);
  t.equal(page.statusCode, 303, 'the link leads to the login page');
  t.equal(page.headers.location, '/login');
  const login = await client.get('/login');
  t.match(login.body, 'This desk already has an admin, so the setup link no longer works. Log in with your account.');

  const posted = await client.post('/setup', { token, name: 'Mallory', email: 'mallory@example.test', password: 'another long password' });
  t.equal(posted.statusCode, 303, 'the form posted anyway is refused the same way');
  t.equal(posted.headers.location, '/login');
  const people = await db.selectFrom('users').select(['email', 'role']).execute();
  t.same(people, [{ email: 'root@example.test', role: 'admin' }], 'no second admin');
  t.equal((await new Client(app).login('root@example.test', 'a long enough secret')).statusCode, 303, 'the CLI\'s admin logs in');
});

t.test('an invited (not yet active) admin does not retire the setup link', async (t) => {
  const { app, db } = await buildTestDesk(t);
  const token = (await issueSetupToken(db))!;
  await makeUser(db, 'admin', { email: 'later@example.test', name: 'Later', state: 'invited', password: null });
  t.equal((await new Client(app).get(`/setup?token=${token}`)).statusCode, 200);
  await db.updateTable('users').set({ state: 'active' }).where('email', '=', 'later@example.test').execute();
  t.equal((await new Client(app).get(`/setup?token=${token}`)).statusCode, 303, 'once that admin is active, it does');
});
