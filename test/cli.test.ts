import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { openTestDesk, tempDir } from './helpers/app.js';
import { built, cli, spawnCli } from './helpers/cli.js';
import { Client } from './helpers/client.js';
import { loadConfig } from '../src/config.js';
import { connectDatabase } from '../src/db/connect.js';
import { databaseEnv, onPostgres } from './helpers/database.js';

const USAGE = /Usage: deskbell <command> \[options\]/;

t.test('wrong arguments print the usage and exit 2, touching no data', async (t) => {
  const dir = tempDir(t);
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['user'], /user needs a command \(add, reset-2fa, allow-password\)/],
    [['user', 'remove'], /unknown user command "remove"/],
    [['user', 'add', '--name', 'Ana', '--role', 'agent'], /user add needs --email/],
    [['user', 'add', '--email', 'ana@example.test', '--role', 'agent'], /user add needs --name/],
    [['user', 'add', '--email', 'ana@example.test', '--name', 'Ana'], /user add needs --role/],
    [['user', 'add', '--email', 'ana@example.test', '--name', 'Ana', '--role', 'boss'], /--role must be one of admin, supervisor, agent, customer/],
    [['user', 'add', '--email', 'ana@example.test', '--name', 'Ana', '--role', 'agent', '--colour', 'red'], /Unknown option '--colour'/],
    [['user', 'add', '--email'], /--email/],
    [['migrate', '--force'], /Unknown option '--force'/],
    [['migrate', 'now'], /positional argument/],
    [['backup'], /backup needs exactly one FILE/],
    [['backup', 'a.db', 'b.db'], /backup needs exactly one FILE/],
    [['demo', '--tickets', 'abc'], /--tickets must be a whole number/],
    [['demo', '--tickets', '-5'], /--tickets must be a whole number|--tickets/],
    [['demo', '--tickets', '2.5'], /--tickets must be a whole number/],
    [['move-data'], /move-data needs --to postgres:\/\/user@host:port\/database/],
    [['move-data', '--to', 'sqlite:other.db'], /--to must be a postgres:\/\/ address/],
    [['move-data', '--to', 'postgres://x@y/z', '--force'], /Unknown option '--force'/],
  ];
  for (const [argv, message] of cases) {
    const result = await cli(dir, ...argv);
    const name = `deskbell ${argv.join(' ')}`;
    t.equal(result.code, 2, `${name}: exit 2`);
    t.match(result.err, message, `${name}: says what is wrong`);
    t.match(result.err, USAGE, `${name}: prints the usage`);
    t.equal(result.out, '', `${name}: nothing on stdout`);
  }
  t.notOk(existsSync(join(dir, 'deskbell.db')), 'no database was created by a usage error');
});

t.test('help prints the usage on stdout and exits 0', async (t) => {
  const result = await cli(tempDir(t), '--help');
  t.equal(result.code, 0);
  t.match(result.out, USAGE);
  t.match(result.out, /user add --email E --name N --role R \[--password P\]/);
  t.match(result.out, /backup FILE/);
  t.match(result.out, /move-data --to postgres:\/\/… \[--dry-run\]/);
});

t.test('migrate creates the schema on an empty data dir, then says it is up to date', async (t) => {
  const dir = tempDir(t);
  const first = await cli(dir, 'migrate');
  t.equal(first.code, 0, first.err);
  t.match(first.out, /^Applied \S+/, 'prints the migrations it applied');

  if (!onPostgres) t.ok(existsSync(join(dir, 'deskbell.db')), 'the SQLite file is in the data dir');
  const { db } = await connectDatabase(loadConfig({ DATA_DIR: dir, ...await databaseEnv(dir, t) }).database);
  t.teardown(() => db.destroy());
  const tables = (await db.introspection.getTables()).map((table) => table.name);
  for (const table of ['users', 'tickets', 'messages', 'jobs', 'statuses', 'sessions']) t.ok(tables.includes(table), `table ${table} exists`);
  const applied = (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows;
  t.equal(first.out, `Applied ${applied.map((r) => r.name).join(', ')}\n`, 'the printed list is what was recorded');

  const second = await cli(dir, 'migrate');
  t.equal(second.code, 0);
  t.equal(second.out, 'The database is up to date.\n');
});

t.test('user add --password creates an active person who can log in', async (t) => {
  const dir = tempDir(t);
  const result = await cli(dir, 'user', 'add', '--email', 'Robin@Example.test', '--name', 'Robin Agent', '--role', 'agent', '--password', 'a long enough secret');
  t.equal(result.code, 0, result.err);
  t.match(result.out, /Added Robin@Example\.test \(agent\)\. They can log in at http:\/\/127\.0\.0\.1:3000\/login/);

  const { app, db } = await openTestDesk(t, dir);
  const user = await db.selectFrom('users').selectAll().where('email', '=', 'robin@example.test').executeTakeFirstOrThrow();
  t.equal(user.state, 'active');
  t.equal(user.role, 'agent');
  t.equal(user.name, 'Robin Agent');
  const login = await new Client(app).login('robin@example.test', 'a long enough secret');
  t.equal(login.statusCode, 303);
  t.equal(login.headers.location, '/agent');
});

t.test('user add without --password prints an invitation link that works once', async (t) => {
  const dir = tempDir(t);
  const result = await cli(dir, 'user', 'add', '--email', 'casey@customer.test', '--name', 'Casey', '--role', 'customer');
  t.equal(result.code, 0, result.err);
  t.match(result.out, /Invited casey@customer\.test \(customer\)/);
  const link = /http:\/\/127\.0\.0\.1:3000(\/welcome\?token=[\w-]+)/.exec(result.out);
  t.ok(link, 'a /welcome?token=... link is printed');
  const path = link![1]!;
  const token = new URL(path, 'http://x').searchParams.get('token')!;

  const { app, db } = await openTestDesk(t, dir);
  const invited = await db.selectFrom('users').selectAll().where('email', '=', 'casey@customer.test').executeTakeFirstOrThrow();
  t.equal(invited.state, 'invited');
  t.equal(invited.password_hash, null);
  t.equal((await new Client(app).login('casey@customer.test', 'anything at all')).statusCode, 422, 'an invited person cannot log in yet');

  const browser = new Client(app);
  const page = await browser.get(path);
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>Create password<\/h1>/);
  t.match(page.body, /<input id="f-email" name="email" type="email" value="casey@customer\.test" readonly/, 'the email is shown read-only');

  const mismatch = await browser.post('/welcome', { token, password: 'my new password', confirm: 'something else' });
  t.equal(mismatch.statusCode, 422);
  t.match(mismatch.body, 'The two passwords differ.');

  const done = await browser.post('/welcome', { token, password: 'my new password', confirm: 'my new password' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/portal', 'a customer lands on the portal');
  const portal = await browser.get('/portal');
  t.equal(portal.statusCode, 200, 'and is logged in');
  t.equal((await db.selectFrom('users').select('state').where('id', '=', invited.id).executeTakeFirstOrThrow()).state, 'active');

  const again = await new Client(app).get(path);
  t.equal(again.statusCode, 404, 'the link no longer works');
  t.match(again.body, 'This link is not valid any more');
  const replay = new Client(app);
  await replay.get('/login');
  t.equal((await replay.post('/welcome', { token, password: 'attacker password', confirm: 'attacker password' })).statusCode, 404,
    'nor can it set the password again');
  t.equal((await new Client(app).login('casey@customer.test', 'my new password')).statusCode, 303, 'the chosen password works');
});

t.test('user add refuses an invalid or taken email, and a short password, with exit 1', async (t) => {
  const dir = tempDir(t);
  const bad = await cli(dir, 'user', 'add', '--email', 'not-an-email', '--name', 'X', '--role', 'agent');
  t.equal(bad.code, 1);
  t.equal(bad.err, 'deskbell: --email: Enter an email address like name@example.com.\n');
  t.equal(bad.out, '');

  const short = await cli(dir, 'user', 'add', '--email', 'x@example.test', '--name', 'X', '--role', 'agent', '--password', 'short');
  t.equal(short.code, 1);
  t.equal(short.err, 'deskbell: --password: The password needs at least 12 characters.\n');

  t.equal((await cli(dir, 'user', 'add', '--email', 'kim@example.test', '--name', 'Kim', '--role', 'agent')).code, 0);
  const taken = await cli(dir, 'user', 'add', '--email', 'KIM@example.test', '--name', 'Kim Again', '--role', 'customer');
  t.equal(taken.code, 1, 'the same address in other letter case is taken too');
  t.equal(taken.err, 'deskbell: Someone already uses this email address.\n');

  const { db } = await openTestDesk(t, dir);
  const people = await db.selectFrom('users').select(['email', 'name']).execute();
  t.same(people, [{ email: 'kim@example.test', name: 'Kim' }], 'only the valid person was added');
});

t.test('the real `deskbell` command: exit codes and output', async (t) => {
  t.ok(built(), 'dist/ is built (npm test runs `npm run build` first)');
  if (!built()) return;
  const dir = tempDir(t);

  const none = await spawnCli(dir, []);
  t.equal(none.code, 2, 'no command: exit 2');
  t.match(none.err, USAGE);
  const unknown = await spawnCli(dir, ['frobnicate']);
  t.equal(unknown.code, 2, 'unknown command: exit 2');
  t.match(unknown.err, /unknown command "frobnicate"/);
  const option = await spawnCli(dir, ['user', 'add', '--email', 'a@example.test', '--bogus']);
  t.equal(option.code, 2, 'unknown option: exit 2');
  t.match(option.err, USAGE);
  t.equal((await spawnCli(dir, ['--help'])).code, 0);
  t.same(readdirSync(dir), [], 'usage errors leave the data dir empty');

  const migrate = await spawnCli(dir, ['migrate']);
  t.equal(migrate.code, 0, migrate.err);
  t.match(migrate.out, /^Applied /);
  t.equal((await spawnCli(dir, ['migrate'])).out, 'The database is up to date.\n');

  const invalid = await spawnCli(dir, ['user', 'add', '--email', 'nope', '--name', 'N', '--role', 'agent']);
  t.equal(invalid.code, 1, 'an invalid email: exit 1');
  t.match(invalid.err, /--email: Enter an email address/);

  const target = join(dir, 'taken.db');
  writeFileSync(target, 'keep me');
  const backup = await spawnCli(dir, ['backup', target]);
  // The same on both databases (on PostgreSQL `deskbell backup` runs pg_dump): an existing file is never overwritten.
  t.equal(backup.code, 1, 'backup onto an existing file: exit 1');
  t.match(backup.err, /already exists/);
  t.equal(readFileSync(target, 'utf8'), 'keep me', 'the existing file is untouched');

  const config = await spawnCli(dir, ['migrate'], { LOG_LEVEL: 'loud' });
  t.equal(config.code, 2, 'a bad environment setting: exit 2');
  t.match(config.err, /LOG_LEVEL must be one of/);
});
