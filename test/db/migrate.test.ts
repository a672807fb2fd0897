import { spawn } from 'node:child_process';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { connect } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open.js';
import { seedDefaults } from '../../src/setup/defaults.js';
import { tempDir } from '../helpers/app.js';
import { databaseEnv, sqliteOnly } from '../helpers/database.js';

t.test('migrations build the whole data model on an empty file and seed a working desk', async (t) => {
  const dir = tempDir(t);
  const config = loadConfig({ DATA_DIR: dir, ...await databaseEnv(dir, t) });
  const { db, applied } = await openDatabase(config);
  t.teardown(() => db.destroy());
  t.same(applied, ['0001_initial', '0002_list_indexes', '0003_event_field', '0004_audit_log', '0013_brand_colour', '0015_mail_log', '0016_mailin', '0017_fleet', '0018_chat_marks', '0019_search', '0020_saved_views', '0021_dashboard_indexes', '0022_requester_status_index', '0023_login_locks', '0024_events', '0025_trigram_indexes', '0026_ui_prefs', '0027_conversation_order', '0028_message_words', '0029_tags', '0030_signatures', '0031_search_trigger_plans', '0032_macros', '0033_ticket_links', '0034_snooze_bin', '0035_two_factor', '0036_sla', '0037_mail_complaints', '0038_api', '0039_webhooks', '0040_help_center', '0041_rules', '0042_reports', '0043_passkeys_sso', '0044_macro_attachments', '0045_import', '0046_help_brands', '0049_mail_quoted', '0050_organization_status_index', '0052_report_days', '0053_busy_queue_indexes', '0054_portal_search', '0056_report_backlog_blocks', '0057_config_marker']);

  const tables = (await db.introspection.getTables()).map((table) => table.name);
  for (const table of ['users', 'sessions', 'user_tokens', 'organizations', 'groups', 'group_members', 'brands', 'statuses',
    'ticket_types', 'fields', 'ticket_type_fields', 'services', 'tickets', 'ticket_field_values', 'ticket_ccs', 'tags', 'ticket_tags',
    'ticket_members', 'ticket_seen', 'messages', 'attachments', 'ticket_events', 'ratings', 'jobs', 'settings', 'texts',
    'video_sessions', 'events', 'consumer_positions']) {
    t.ok(tables.includes(table), `table ${table}`);
  }

  const statuses = await db.selectFrom('statuses').select(['name', 'category', 'customer_label']).orderBy('position').execute();
  t.same(statuses.map((s) => [s.name, s.category]), [['New', 'new'], ['Open', 'open'], ['Pending', 'open'], ['Solved', 'solved'], ['Closed', 'closed']]);
  t.equal(statuses[2]!.customer_label, 'In progress');
  t.same((await db.selectFrom('groups').select('name').execute()).map((g) => g.name), ['Support']);
  t.same((await db.selectFrom('ticket_types').select('name').execute()).map((g) => g.name), ['General']);
  t.equal((await db.selectFrom('brands').select('id').execute()).length, 1);

  t.same(await migrateToLatest(db), [], 'a second run applies nothing');
  t.equal(await seedDefaults(db, 'example.test'), false, 'defaults are seeded once');
  t.equal((await db.selectFrom('statuses').select('id').execute()).length, 5);
});

t.test('the connection runs with WAL, foreign keys and a busy timeout', sqliteOnly('pragmas of the SQLite connection'), async (t) => {
  const { db, sqlite } = connect(`${tempDir(t)}/x.db`);
  t.teardown(() => db.destroy());
  t.equal(sqlite.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(sqlite.pragma('foreign_keys', { simple: true }), 1);
  t.ok(Number(sqlite.pragma('busy_timeout', { simple: true })) >= 1000);
  await migrateToLatest(db);
  await t.rejects(
    db.insertInto('group_members').values({ group_id: 999, user_id: 999 }).execute(),
    /FOREIGN KEY/, 'foreign keys are enforced',
  );
});

t.test('write transactions begin IMMEDIATE, so a writer meeting another process waits instead of failing',
  sqliteOnly('SQLite\'s write lock (PostgreSQL locks rows)'), async (t) => {
  const path = `${tempDir(t)}/x.db`;
  const { db } = connect(path);
  t.teardown(() => db.destroy());
  await migrateToLatest(db);

  // Another process takes the write lock and holds it for a moment before committing.
  const holder = spawn(process.execPath, ['-e', `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)});
    db.pragma('busy_timeout = 5000');
    db.exec('begin immediate');
    db.prepare("insert into settings (key, value) values ('other', '1')").run();
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    db.exec('commit');
  `], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));

  // Read, then write. Under DEFERRED the read pins a snapshot that the other commit makes stale, and
  // the write fails at once with SQLITE_BUSY(_SNAPSHOT); under IMMEDIATE the begin waits for the lock.
  await db.transaction().execute(async (trx) => {
    await trx.selectFrom('settings').selectAll().execute();
    await trx.insertInto('settings').values({ key: 'mine', value: '1' }).execute();
  });
  await new Promise((resolve) => holder.once('exit', resolve));
  const keys = (await db.selectFrom('settings').select('key').where('key', 'in', ['other', 'mine']).execute()).map((r) => r.key);
  t.same(keys.sort(), ['mine', 'other'], 'both writes landed');
});
