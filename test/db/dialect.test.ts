// DATABASE_URL picks the database (issue 18): a SQLite file (the default) or a PostgreSQL server,
// and the same code reads the same values from both.
import { join } from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { ConfigError, loadConfig, sqliteOnly } from '../../src/config.js';
import { dialectOf } from '../../src/db/dialect.js';
import { listPeople } from '../../src/people/queries.js';
import { buildTestDesk } from '../helpers/app.js';
import { floorOf, floorQuery } from '../../src/search/postgres.js';
import { makeMessage, makeTicket, makeUser } from '../helpers/factories.js';
import { onPostgres, TEST_DB } from '../helpers/database.js';

t.test('DATABASE_URL: a SQLite file by default or by sqlite:PATH, a PostgreSQL server by postgres://', async (t) => {
  const dir = t.testdir();
  const base = { DATA_DIR: dir, SECRET_KEY: 'k'.repeat(64) };
  t.same(loadConfig(base).database, { kind: 'sqlite', path: join(dir, 'deskbell.db') });
  t.equal(loadConfig(base).databasePath, join(dir, 'deskbell.db'), 'databasePath as before');
  t.same(loadConfig({ ...base, DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }).database, { kind: 'sqlite', path: join(dir, 'x.db') });

  for (const url of ['postgres://deskbell@db.example.com:5432/desk', 'postgresql://deskbell:secret@10.0.0.5/desk']) {
    const config = loadConfig({ ...base, DATABASE_URL: url });
    t.same(config.database, { kind: 'postgres', url, poolSize: 10, preparedStatements: 200 }, url);
    t.equal(config.databasePath, '', 'no SQLite file');
    t.throws(() => sqliteOnly(config, 'deskbell backup', 'use pg_dump'), /deskbell backup works on a SQLite database only.*use pg_dump/);
  }
  t.equal((loadConfig({ ...base, DATABASE_URL: 'postgres://h/d', DATABASE_POOL_SIZE: '25' }).database as { poolSize: number }).poolSize, 25);
  t.equal((loadConfig({ ...base, DATABASE_URL: 'postgres://h/d', DATABASE_PREPARED_STATEMENTS: '0' }).database as { preparedStatements: number }).preparedStatements, 0);
  t.equal(sqliteOnly(loadConfig(base), 'deskbell backup'), join(dir, 'deskbell.db'));
});

t.test('an unknown database or a bad pool size stops the start with a clear message', async (t) => {
  const base = { DATA_DIR: t.testdir(), SECRET_KEY: 'k'.repeat(64) };
  for (const [url, message] of [
    ['mysql://root@localhost/desk', /DATABASE_URL must start with sqlite: .* or postgres:\/\/ .*got "mysql:"/],
    ['/srv/desk.db', /DATABASE_URL must start with sqlite:/],
    ['postgres://', /DATABASE_URL.*(needs a host|not a valid)/],
  ] as const) {
    t.throws(() => loadConfig({ ...base, DATABASE_URL: url }), message, url);
    try { loadConfig({ ...base, DATABASE_URL: url }); } catch (error) { t.ok(error instanceof ConfigError, `${url}: a ConfigError (exit code 2)`); }
  }
  for (const size of ['0', 'ten', '5000']) {
    t.throws(() => loadConfig({ ...base, DATABASE_POOL_SIZE: size }), /DATABASE_POOL_SIZE must be a whole number from 1 to 1000/, size);
  }
  for (const size of ['-1', 'many', '20000']) {
    t.throws(() => loadConfig({ ...base, DATABASE_PREPARED_STATEMENTS: size }), /DATABASE_PREPARED_STATEMENTS must be a whole number from 0 to 10000/, size);
  }
});

t.test(`the same values read from both databases (here: ${TEST_DB})`, async (t) => {
  const { db } = await buildTestDesk(t);
  t.equal(dialectOf(db), onPostgres ? 'postgres' : 'sqlite');
  const counted = await db.selectFrom('statuses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  t.equal(counted.n, 5, 'count(*) is a number');
  const summed = await db.selectFrom('statuses').select((eb) => eb.fn.sum<number>('position').as('s')).executeTakeFirstOrThrow();
  t.equal(typeof summed.s, 'number', 'sum() is a number');
  const { rows } = await sql<{ yes: number; no: number; big: number }>`select (1 = 1) as yes, (1 = 2) as no,
    cast(9007199254740991 as bigint) as big`.execute(db);
  t.same(rows[0], { yes: 1, no: 0, big: Number.MAX_SAFE_INTEGER }, 'truth values are 1 and 0, bigints numbers');
  const before = await db.selectFrom('organizations').select('id').where(sql<boolean>`name = ${'ACME'} collate nocase`).execute();
  t.same(before, []);
  await sql`insert into organizations (name) values ('Acme')`.execute(db);
  const org = await db.selectFrom('organizations').select('created_at').executeTakeFirstOrThrow();
  t.match(org.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'a default time is ISO-8601 text with milliseconds');
  t.ok(Math.abs(Date.parse(org.created_at) - Date.now()) < 60_000, 'in UTC, now');
  const found = await db.selectFrom('organizations').select('name').where(sql<boolean>`name = ${'aCME'} collate nocase`).execute();
  t.same(found, [{ name: 'Acme' }], 'collate nocase compares without case');
  await t.rejects(sql`insert into organizations (name) values ('ACME')`.execute(db), 'unique up to case');
});

t.test('on PostgreSQL a search inside names and addresses reads a trigram index, not every row', { skip: onPostgres ? false : 'PostgreSQL only (pg_trgm); SQLite reads the table' }, async (t) => {
  const { db } = await buildTestDesk(t);
  await makeUser(db, 'customer', { name: 'Anastasia Nowak', email: 'a.nowak@customer.test' });
  const found = await listPeople(db, { q: 'NOWAK', role: null, state: null }, null);
  t.same(found.people.map((p) => p.email), ['a.nowak@customer.test'], 'a part of the name finds the person, in any case');

  await db.transaction().execute(async (trx) => {
    // With a handful of rows the planner would rightly scan; forbid it to see what the index serves.
    await sql`set local enable_seqscan = off`.execute(trx);
    for (const [column, index] of [['name', 'users_name_trgm'], ['email', 'users_email_trgm']] as const) {
      const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from users where lower(${sql.ref(column)}) like '%nowak%'`.execute(trx);
      t.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), new RegExp(`Index Scan on ${index}`), `lower(${column}) like '%…%' uses ${index}`);
    }
    const orgs = await sql<{ 'QUERY PLAN': string }>`explain select id from organizations where lower(name) like '%acme%'`.execute(trx);
    t.match(orgs.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan on organizations_name_trgm/);
  });
});

t.test('on PostgreSQL the messages\' search words are stored: a common word\'s walk newest first reads them, an edit renews them', { skip: onPostgres ? false : 'PostgreSQL only (SQLite: FTS5)' }, async (t) => {
  const { db } = await buildTestDesk(t);
  const customer = (await makeUser(db, 'customer', { name: 'Ada Lovelace' })).id;
  const ticketId = await makeTicket(db, { requesterId: customer });
  const first = await makeMessage(db, ticketId, { authorId: customer, text: 'My PASSWORD expired; Résumé attached.' });
  const { rows } = await sql<{ words: string }>`select search_words::text as words from messages where id = ${first}`.execute(db);
  t.equal(rows[0]!.words, "'attached':5 'expired':3 'my':1 'password':2 'resume':4", 'lower case, accents dropped, every run of letters a word');

  await db.transaction().execute(async (trx) => {
    // The walk a common word takes (too many matches for the index to be worth it): forced here, a handful of rows would rather be scanned.
    await sql`set local enable_bitmapscan = off`.execute(trx);
    await sql`set local enable_seqscan = off`.execute(trx);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain (verbose) ${floorQuery('search_messages', "'password'", 0)}`.execute(trx);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    t.match(text, /Index Scan Backward using messages_pkey/, 'newest first along the ids');
    t.match(text, /Filter: \(m\.search_words @@/, 'each row checked against its stored words');
    t.notMatch(text, /deskbell_search_text/, 'not recomputed from the text');
    await sql`set local enable_indexscan = off`.execute(trx);
    await sql`set local enable_bitmapscan = on`.execute(trx);
    const rare = await sql<{ 'QUERY PLAN': string }>`explain ${floorQuery('search_messages', "'resume'", 0)}`.execute(trx);
    t.match(rare.rows.map((r) => r['QUERY PLAN']).join('\n'), /Bitmap Index Scan on search_messages/, 'a rare word is found through the GIN index');
  });

  t.equal(await floorOf(db, 'search_messages', "'password'", 0), first, 'found');
  await db.updateTable('messages').set({ body_text: 'Fixed now, thanks' }).where('id', '=', first).execute();
  t.equal(await floorOf(db, 'search_messages', "'password'", 0), null, 'an edit drops the old words');
  t.equal(await floorOf(db, 'search_messages', "'thanks'", 0), first, 'and stores the new ones');
});
