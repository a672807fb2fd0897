import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import { openTestDesk, tempDir } from '../helpers/app.js';
import { cli, ROOT, spawnCli } from '../helpers/cli.js';
import { databaseEnv, onPostgres, postgresDatabase, sqliteOnly } from '../helpers/database.js';
import { Client } from '../helpers/client.js';

/**
 * A second process writing into the live database as fast as it can: each transaction adds a ticket
 * and exactly two messages, so a consistent copy holds two messages for every "Load" ticket.
 */
const WRITER = `
import { createRequire } from 'node:module';
const require = createRequire(process.env.ROOT + '/package.json');
const SQLite = require('better-sqlite3');
const db = new SQLite(process.env.DB);
db.pragma('busy_timeout = 5000');
const ticket = db.prepare(\`insert into tickets (subject, type_id, brand_id, status_id, requester_id, channel, created_at, updated_at, last_activity_at)
  select 'Load ' || ?, type_id, brand_id, status_id, requester_id, 'api', ?, ?, ? from tickets order by id limit 1\`);
const message = db.prepare(\`insert into messages (ticket_id, author_id, kind, body_text, body_html, via, created_at)
  values (?, null, 'reply', ?, ?, 'api', ?)\`);
const write = db.transaction((n) => {
  const now = new Date().toISOString();
  const id = ticket.run(n, now, now, now).lastInsertRowid;
  message.run(id, 'first ' + n, '<p>first</p>', now);
  message.run(id, 'second ' + n, '<p>second</p>', now);
});
let n = 0;
let stop = false;
process.stdin.on('data', () => { stop = true; });
const loop = () => {
  for (let i = 0; i < 20; i++) write(++n);
  if (n === 200) process.stdout.write('ready\\n');
  if (stop) { process.stdout.write('total ' + n + '\\n'); db.close(); return; }
  setImmediate(loop);
};
loop();
`;

const FILE_COPY = sqliteOnly('the SQLite file copy (on PostgreSQL backup runs pg_dump: tested below)');

const count = (sqlite: SQLite.Database, query: string) => (sqlite.prepare(query).get() as { n: number }).n;
const LOAD_TICKETS = "select count(*) as n from tickets where subject like 'Load %'";

t.test('backup FILE writes a consistent copy while another process keeps writing', FILE_COPY, async (t) => {
  const dir = tempDir(t);
  const demo = await cli(dir, 'demo', '--tickets', '3000');
  t.equal(demo.code, 0, demo.err);
  const password = /with password (\S+) as:/.exec(demo.out)![1]!;
  const database = join(dir, 'deskbell.db');

  const writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
    env: { ...process.env, ROOT, DB: database }, stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => { if (writer.exitCode === null) writer.kill(); });
  let output = '';
  writer.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  while (!output.includes('ready')) await once(writer.stdout, 'data');

  const live = new SQLite(database, { readonly: true });
  t.teardown(() => live.close());
  const before = count(live, LOAD_TICKETS);
  const target = join(dir, 'backup.db');
  // The real command in its own process, as an operator runs it beside the server: in this process
  // the copy takes a few milliseconds, too short a window to see the writer go on under load.
  const result = await spawnCli(dir, ['backup', target]);
  const after = count(live, LOAD_TICKETS);

  writer.stdin.end('stop\n');
  const [exitCode] = await once(writer, 'exit') as [number];
  t.equal(exitCode, 0, 'the writer never failed, the backup did not block it');
  const total = Number(/total (\d+)/.exec(output)?.[1]);

  t.equal(result.code, 0, result.err);
  t.equal(result.out, `Backup written to ${target}\n`);
  t.ok(after > before, `the writer kept writing during the backup (${before} → ${after} tickets)`);

  const copy = new SQLite(target, { readonly: true });
  t.teardown(() => copy.close());
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check is ok');
  t.equal(copy.pragma('journal_mode', { simple: true }), 'delete', 'a self-contained file, no -wal needed');
  const loaded = count(copy, LOAD_TICKETS);
  t.ok(loaded >= before && loaded <= after, `the copy is one moment of the live database (${loaded} load tickets)`);
  t.ok(loaded > 0 && loaded <= total);
  t.equal(count(copy, "select count(*) as n from messages m join tickets t on t.id = m.ticket_id where t.subject like 'Load %'"),
    2 * loaded, 'every copied ticket has both of its messages: no transaction was cut in half');
  t.equal(count(copy, 'select count(*) as n from tickets'), 3000 + loaded);
  t.equal(count(copy, 'select count(*) as n from messages where ticket_id not in (select id from tickets)'), 0);
  t.same(readdirSync(dir).filter((f) => f.includes('.partial-')), [], 'no temporary file is left');

  // The copy is a working desk: restore it into a new data dir and log in.
  const restored = tempDir(t);
  copyFileSync(target, join(restored, 'deskbell.db'));
  const { app, db } = await openTestDesk(t, restored);
  t.equal((await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 3000 + loaded);
  t.equal((await new Client(app).login('admin@demo.test', password)).statusCode, 303, 'the restored desk lets the admin log in');
});

t.test('backup refuses a target that exists and leaves it untouched', FILE_COPY, async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  const target = join(dir, 'precious.db');
  writeFileSync(target, 'yesterday\'s backup');

  const result = await cli(dir, 'backup', target);
  t.equal(result.code, 1);
  t.equal(result.err, `deskbell: ${target} already exists; choose a new file name\n`);
  t.equal(result.out, '');
  t.equal(readFileSync(target, 'utf8'), 'yesterday\'s backup', 'the file is untouched');
  t.same(readdirSync(dir).filter((f) => f.includes('.partial-')), [], 'no temporary file is left');
});

t.test('backup without a database, or into a missing folder, fails with exit 1', FILE_COPY, async (t) => {
  const empty = tempDir(t);
  const missing = await cli(empty, 'backup', join(empty, 'copy.db'));
  t.equal(missing.code, 1);
  t.match(missing.err, /^deskbell: no database at .*deskbell\.db\n$/);
  t.notOk(existsSync(join(empty, 'copy.db')));
  t.notOk(existsSync(join(empty, 'deskbell.db')), 'no empty database is created by a backup');

  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  const nowhere = await cli(dir, 'backup', join(dir, 'no', 'such', 'folder', 'copy.db'));
  t.equal(nowhere.code, 1);
  t.match(nowhere.err, /^deskbell: /);
});

t.test('on PostgreSQL, backup FILE is a pg_dump that pg_restore brings back; restore and rollback name pg_restore', { skip: !onPostgres && 'PostgreSQL only' }, async (t) => {
  const dir = tempDir(t);
  t.equal((await cli(dir, 'migrate')).code, 0);
  const { DATABASE_URL: url } = await databaseEnv(dir);
  const desk = new pg.Client({ connectionString: url });
  await desk.connect();
  t.teardown(() => desk.end());
  await desk.query("insert into settings (key, value) values ('backup.marker', '\"kept\"')");

  const file = join(dir, 'desk.dump');
  const backup = await cli(dir, 'backup', file);
  t.equal(backup.code, 0, backup.err);
  t.match(backup.out, `Backup written to ${file}`);
  t.equal(readFileSync(file).subarray(0, 5).toString(), 'PGDMP', "pg_dump's custom format");
  t.same(readdirSync(dir).filter((f) => f.includes('.partial-')), [], 'no temporary file left');

  // Restored into an empty database, the row is there.
  const restoredUrl = await postgresDatabase(t);
  const restore = spawnSync('pg_restore', ['--no-owner', `--dbname=${restoredUrl}`, file], { encoding: 'utf8' });
  t.equal(restore.status, 0, restore.stderr);
  const restored = new pg.Client({ connectionString: restoredUrl });
  await restored.connect();
  const { rows } = await restored.query("select value from settings where key = 'backup.marker'");
  await restored.end();
  t.same(rows, [{ value: '"kept"' }]);

  const again = await cli(dir, 'backup', file);
  t.equal(again.code, 1, 'an existing file is never replaced');
  t.match(again.err, /already exists/);

  // Without pg_dump on PATH: a clear message, nothing written.
  const nowhere = await spawnCli(dir, ['backup', join(dir, 'other.dump')], { PATH: '/nonexistent' });
  t.equal(nowhere.code, 1);
  t.match(nowhere.err, /pg_dump was not found on PATH/);
  t.notOk(existsSync(join(dir, 'other.dump')));

  for (const [command, ...rest] of [['restore', file], ['rollback']] as [string, ...string[]][]) {
    const result = await cli(dir, command, ...rest);
    t.equal(result.code, 2, command);
    t.match(result.err, new RegExp(`deskbell ${command} works on a SQLite database only.*pg_restore`));
  }
});
