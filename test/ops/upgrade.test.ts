import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Migration } from 'kysely';
import { sql } from 'kysely';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { connect, connectDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { hashPassword } from '../../src/lib/crypto.js';
import { listSnapshots } from '../../src/ops/snapshots.js';
import { migrations } from '../../migrations/index.js';
import { openTestDesk, tempDir } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';
import { Client } from '../helpers/client.js';
import { databaseEnv, onPostgres, sqliteOnly } from '../helpers/database.js';

const SNAPSHOTS = sqliteOnly('snapshots before an upgrade are copies of the SQLite file (PostgreSQL: pg_dump before upgrading)');
const FILE = sqliteOnly('the test reads and replaces the SQLite file itself');

const names = Object.keys(migrations).sort();
const newest = names.at(-1)!;
const previous = Object.fromEntries(names.slice(0, -1).map((name) => [name, migrations[name]!]));

/** Everything in a database that a user could lose: its schema and every table's rows. */
function dump(path: string): string {
  const sqlite = new SQLite(path, { readonly: true });
  try {
    const schema = sqlite.prepare("select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name").all() as { type: string; name: string }[];
    const rows = schema.filter((s) => s.type === 'table' && !/_(data|idx|content|docsize|config)$/.test(s.name))
      .map((s) => [s.name, sqlite.prepare(`select * from "${s.name}"`).all()]);
    return JSON.stringify({ schema, rows });
  } finally {
    sqlite.close();
  }
}

/** The migrations a database has had applied. */
function migrationsIn(path: string): string[] {
  const sqlite = new SQLite(path, { readonly: true });
  try {
    return (sqlite.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    sqlite.close();
  }
}

/**
 * A desk as the previous release left it: every migration but the newest, and a customer with a
 * ticket written in the columns the first schema already had.
 */
async function previousReleaseDesk(dir: string): Promise<string> {
  const path = join(dir, 'deskbell.db');
  const { db } = connect(path);
  await migrateToLatest(db, previous);
  const now = new Date().toISOString();
  const hash = await hashPassword('correct horse battery');
  await sql`insert into brands (name, from_name, from_address, portal_title, is_default)
    values ('Acme Support', 'Acme Support', 'support@acme.test', 'Acme Help', 1)`.execute(db);
  await sql`insert into statuses (name, customer_label, category, position, is_default_for_category) values
    ('New', 'Received', 'new', 1, 1), ('Open', 'Open', 'open', 2, 1), ('Solved', 'Solved', 'solved', 3, 1), ('Closed', 'Closed', 'closed', 4, 1)`.execute(db);
  await sql`insert into ticket_types (name) values ('General')`.execute(db);
  await sql`insert into users (email, name, role, password_hash, state, locale, created_at)
    values ('old.customer@example.com', 'Olga Old', 'customer', ${hash}, 'active', 'en', ${now})`.execute(db);
  await sql`insert into tickets (subject, type_id, brand_id, status_id, requester_id, channel, created_at, updated_at, last_activity_at)
    values ('Printer on fire since last release', 1, 1, 1, 1, 'portal', ${now}, ${now}, ${now})`.execute(db);
  await sql`insert into messages (ticket_id, author_id, kind, body_text, body_html, via, created_at)
    values (1, 1, 'reply', 'Smoke everywhere.', '<p>Smoke everywhere.</p>', 'portal', ${now})`.execute(db);
  await db.destroy();
  return path;
}

t.test('migrate upgrades a database of the previous schema, keeping its data and a snapshot', SNAPSHOTS, async (t) => {
  const dir = tempDir(t);
  const path = await previousReleaseDesk(dir);
  const before = dump(path);

  const result = await cli(dir, 'migrate');
  t.equal(result.code, 0, result.err);
  t.match(result.out, new RegExp(`Applied ${newest}`));
  t.match(result.out, /Snapshot of the database before the upgrade: .*backups\/pre-\d+\.\d+\.\d+-\d{8}T\d{6}\d{3}Z\.db/);

  const [snapshot] = listSnapshots(dir);
  t.ok(snapshot && existsSync(snapshot), 'the snapshot file exists');
  t.ok(dump(snapshot!) === before, 'the snapshot holds the database exactly as it was before the upgrade');

  const desk = await openTestDesk(t, dir);
  const applied = await desk.db.selectFrom('kysely_migration' as never).select('name' as never).execute() as { name: string }[];
  t.ok(applied.some((m) => m.name === newest), 'the newest migration is recorded');
  const customer = new Client(desk.app);
  t.equal((await customer.login('old.customer@example.com', 'correct horse battery')).statusCode, 303, 'the old account still logs in');
  const page = await customer.get('/portal/tickets/1');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Printer on fire since last release');
  t.match(page.body, 'Smoke everywhere.');

  const again = await cli(dir, 'migrate');
  t.equal(again.out, 'The database is up to date.\n', 'nothing pending: no new snapshot');
  t.equal(listSnapshots(dir).length, 1);
});

t.test('a fresh desk gets no snapshot; snapshots beyond BACKUP_KEEP are removed, oldest first', SNAPSHOTS, async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  t.same(listSnapshots(dir), [], 'an empty database is not snapshotted');

  const { sqlite, db } = connect(join(dir, 'deskbell.db'));
  const { takeSnapshot } = await import('../../src/ops/snapshots.js');
  const made = [1, 2, 3].map((n) => takeSnapshot(sqlite, dir, '1.0.0', 2, new Date(Date.UTC(2026, 0, n))));
  await db.destroy();
  t.same(readdirSync(join(dir, 'backups')).sort(), made.slice(1).map((p) => p.split('/').at(-1)).sort(), 'the newest two are kept');
  t.throws(() => loadConfig({ DATA_DIR: dir, BACKUP_KEEP: '0' }), /BACKUP_KEEP must be a whole number from 1 to 1000/);
});

t.test('a failing migration leaves the database exactly as it was, earlier pending ones included', FILE, async (t) => {
  const dir = tempDir(t);
  const path = await previousReleaseDesk(dir);
  const before = dump(path);
  const broken: Record<string, Migration> = {
    ...migrations,
    '9998_works': { up: async (db) => { await sql`create table extra (id integer primary key)`.execute(db); await sql`update tickets set subject = 'CHANGED'`.execute(db); } },
    '9999_breaks': { up: async (db) => { await sql`insert into no_such_table values (1)`.execute(db); } },
  };
  const { db } = connect(path);
  await t.rejects(migrateToLatest(db, broken), /migration 9999_breaks failed/);
  await db.destroy();
  t.ok(dump(path) === before, 'schema and rows are untouched: the newest shipped migration and 9998 were rolled back too');
});

t.test('restore and rollback refuse while a server runs, then put the file in place', FILE, async (t) => {
  const dir = tempDir(t);
  await previousReleaseDesk(dir);
  t.equal((await cli(dir, 'migrate')).code, 0);
  const [snapshot] = listSnapshots(dir);

  const { spawn } = await import('node:child_process');
  const { BIN } = await import('../helpers/cli.js');
  const server = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent' }, stdio: 'ignore' });
  t.teardown(() => { server.kill('SIGKILL'); });
  for (let i = 0; i < 200 && !existsSync(join(dir, 'deskbell.pid')); i++) await new Promise((r) => setTimeout(r, 50));
  t.ok(existsSync(join(dir, 'deskbell.pid')), 'the running server leaves its pid file');

  const refused = await cli(dir, 'rollback');
  t.equal(refused.code, 1);
  t.match(refused.err, new RegExp(`a Deskbell server \\(pid ${server.pid}\\) is running over .*; stop it first`));
  t.same(migrationsIn(join(dir, 'deskbell.db')), names, 'nothing was replaced: still the upgraded database');

  server.kill('SIGTERM');
  const [code] = await new Promise<[number | null]>((resolve) => server.once('exit', (c) => resolve([c])));
  t.equal(code, 0, 'the server stopped cleanly');
  t.notOk(existsSync(join(dir, 'deskbell.pid')), 'and removed its pid file');

  const rolledBack = await cli(dir, 'rollback');
  t.equal(rolledBack.code, 0, rolledBack.err);
  t.match(rolledBack.out, `Restored ${snapshot}`);
  t.match(rolledBack.out, /The database as it was is kept in .*backups\/before-restore-/);
  t.ok(dump(join(dir, 'deskbell.db')) === dump(snapshot!), 'the database is the snapshot again');
  t.same(migrationsIn(join(dir, 'deskbell.db')), names.slice(0, -1), 'the schema of the previous release');

  const undo = readdirSync(join(dir, 'backups')).find((n) => n.startsWith('before-restore-'))!;
  const restored = await cli(dir, 'restore', join(dir, 'backups', undo));
  t.equal(restored.code, 0, restored.err);
  t.ok(dump(join(dir, 'deskbell.db')) === dump(join(dir, 'backups', undo)), 'restore put the upgraded database back');
  t.same(migrationsIn(join(dir, 'deskbell.db')), names);
});

t.test('restore refuses files that are not a sound Deskbell database', FILE, async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'junk.db'), 'this is not sqlite at all, just text that goes on and on '.repeat(100));
  const other = new SQLite(join(dir, 'other.db'));
  other.exec('create table notes (id integer)');
  other.close();
  const before = dump(join(dir, 'deskbell.db'));
  for (const [file, message] of [['missing.db', /does not exist/], ['junk.db', /is not a database/], ['other.db', /not a Deskbell database/]] as const) {
    const result = await cli(dir, 'restore', join(dir, file));
    t.equal(result.code, 1, file);
    t.match(result.err, message, file);
  }
  t.ok(dump(join(dir, 'deskbell.db')) === before, 'the database is untouched');
  t.equal((await cli(dir, 'restore')).code, 2, 'restore without FILE is a usage error');
  t.equal((await cli(dir, 'rollback')).code, 1, 'rollback without snapshots fails');
  t.match((await cli(dir, 'rollback')).err, /no snapshot in .*backups: nothing to roll back to/);
});

t.test('deskbell --version prints the version of package.json', async (t) => {
  const { version } = JSON.parse((await import('node:fs')).readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', 'version']) {
    const result = await cli(tempDir(t), flag);
    t.equal(result.code, 0);
    t.equal(result.out, `deskbell ${version} (Node.js ${process.versions.node})\n`);
  }
});

t.test('admins see the version in the footer; agents and customers do not', async (t) => {
  const { version } = JSON.parse((await import('node:fs')).readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  const { buildTestDesk } = await import('../helpers/app.js');
  const { makeUser, PASSWORD } = await import('../helpers/factories.js');
  const desk = await buildTestDesk(t);
  const footer = `<footer class="about">Deskbell ${version}</footer>`;
  for (const [role, page, shown] of [['admin', '/admin', true], ['agent', '/agent/tickets', false], ['customer', '/portal', false]] as const) {
    const user = await makeUser(desk.db, role);
    const client = new Client(desk.app);
    await client.login(user.email, PASSWORD);
    const response = await client.get(page);
    t.equal(response.statusCode, 200, page);
    t.equal(response.body.includes(footer), shown, `${role}: version ${shown ? 'shown' : 'hidden'}`);
  }
});

t.test('restore keeps only the newest BACKUP_KEEP copies of the databases it replaced', FILE, async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  t.equal((await cli(dir, 'backup', join(dir, 'good.db'))).code, 0);
  const { restoreDatabase } = await import('../../src/ops/restore.js');
  const db = join(dir, 'deskbell.db');
  for (const day of [1, 2, 3, 4]) restoreDatabase(db, dir, join(dir, 'good.db'), 2, new Date(Date.UTC(2026, 0, day)));
  const left = readdirSync(join(dir, 'backups')).sort();
  t.same(left, ['before-restore-20260103T000000000Z.db', 'before-restore-20260104T000000000Z.db'], 'the two newest copies remain');
});

t.test('on PostgreSQL too, a failing migration leaves the database exactly as it was', { skip: !onPostgres && 'PostgreSQL only' }, async (t) => {
  const dir = tempDir(t);
  const { db } = await connectDatabase(loadConfig({ DATA_DIR: dir, ...await databaseEnv(dir, t) }).database);
  t.teardown(() => db.destroy());
  await migrateToLatest(db, previous);
  await sql`insert into brands (name, from_name, from_address, portal_title, is_default) values ('Acme', 'Acme', 'a@acme.test', 'Acme', 1)`.execute(db);
  const state = async () => JSON.stringify({
    tables: (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`.execute(db)).rows,
    columns: (await sql<{ n: number }>`select count(*) as n from information_schema.columns where table_schema = current_schema()`.execute(db)).rows,
    brands: await db.selectFrom('brands').select(['id', 'name']).execute(),
    applied: (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows,
  });
  const before = await state();
  const broken: Record<string, Migration> = {
    ...migrations,
    '9998_works': { up: async (db) => { await sql`create table extra (id integer primary key)`.execute(db); await sql`update brands set name = 'CHANGED'`.execute(db); } },
    '9999_breaks': { up: async (db) => { await sql`insert into no_such_table values (1)`.execute(db); } },
  };
  await t.rejects(migrateToLatest(db, broken), /migration 9999_breaks failed/);
  t.equal(await state(), before, 'schema, rows and the list of applied migrations are untouched');
});
