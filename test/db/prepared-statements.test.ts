// Named statements on PostgreSQL (src/db/postgres.ts): a statement used again is prepared once per
// connection and kept, at most DATABASE_PREPARED_STATEMENTS of them; one that fails, or whose table
// changed under it, leaves the connection working; what may want another plan for other values is
// never named.
import { sql, type Kysely } from 'kysely';
import t from 'tap';
import type { Database } from '../../src/db/schema.js';
import { KEYED_MARK } from '../../src/db/keyed.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { isNameable } from '../../src/db/pg-statements.js';
import { buildTestDesk } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';

const pgOnly = { skip: !onPostgres && 'PostgreSQL only: SQLite prepares every statement itself (db/connect.ts)' };

/** The statements this connection holds prepared that contain `marker` (opening the desk prepared others). */
async function prepared(conn: Kysely<Database>, marker: string): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements
    where strpos(statement, ${marker}) > 0 and strpos(statement, 'pg_prepared_statements') = 0 order by statement`.execute(conn);
  return rows.map((r) => r.statement);
}

/** A lookup by key no other code sends (its column alias). */
const byKey = (conn: Kysely<Database>, key: string) => conn.selectFrom('settings').select('value as probe').where('key', '=', key).executeTakeFirst();

t.test('which statements are named', async (t) => {
  t.ok(isNameable('select "value" from "settings" where "key" = $1'), 'a lookup by key');
  t.ok(isNameable('insert into "events" ("kind") values ($1) returning "id"'), 'an insert');
  t.ok(isNameable('  update "tickets" set "updated_at" = $1 where "id" = $2'), 'an update');
  t.ok(isNameable('with x as (select 1) select * from x'), 'a query with a CTE');
  t.notOk(isNameable('create table x (id integer)'), 'DDL');
  t.notOk(isNameable('begin'), 'transaction control');
  t.notOk(isNameable('select 1; select 2'), 'two statements');
  t.notOk(isNameable('select "id" from "tickets" where "assignee_id" = $1 order by "last_activity_at" desc'), 'a sort: its plan depends on how many match');
  t.notOk(isNameable('select 1 as "one" from "tickets" where "status_id" = $1 limit $2'), 'a capped count');
  t.notOk(isNameable("select id from messages where search_words @@ to_tsquery('simple', $1)"), 'a word search');
  t.notOk(isNameable('select id from users where lower(name) like $1'), 'a LIKE');
  const keyed = `select "id" from "tickets" where "requester_id" = $1 order by "last_activity_at" desc limit $2 ${KEYED_MARK}`;
  t.ok(isNameable(keyed), 'a sort and cut of one key\'s rows along its index, marked so (db/keyed.ts)');
  t.notOk(isNameable(keyed.replace(KEYED_MARK, '')), 'the same unmarked');
  t.notOk(isNameable(`select "id" from "tickets" where "subject" like $1 limit $2 ${KEYED_MARK}`), 'a marked LIKE: still planned for its values');
  t.notOk(isNameable(`select "id" from "tickets" ${KEYED_MARK} order by "id" limit $1`), 'the mark only counts at the end');
});

t.test('a statement used again is prepared once on the connection and kept', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  await db.connection().execute(async (conn) => {
    await byKey(conn, 'site_time_zone');
    t.same(await prepared(conn, '"probe"'), [], 'used once: sent unnamed, as before');
    await byKey(conn, 'site_time_zone');
    await byKey(conn, 'site_name');
    await byKey(conn, 'no such key');
    t.same(await prepared(conn, '"probe"'), ['select "value" as "probe" from "settings" where "key" = $1'],
      'used again: prepared, once, whatever the values');
  });
});

t.test('a statement that fails does not poison the connection', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  await db.connection().execute(async (conn) => {
    // Fails to prepare (no such column): the same error each time, never "prepared statement does not exist".
    for (let i = 0; i < 3; i++) {
      await t.rejects(sql`select "nope" from "settings" where "key" = ${'x'}`.execute(conn), /column "nope" does not exist/, `attempt ${i + 1}`);
    }
    // Prepared, then fails on some values only: the statement stays usable.
    const ratio = (d: number) => sql<{ r: number }>`select 10 / ${d}::integer as r`.execute(conn);
    t.same((await ratio(2)).rows, [{ r: 5 }]);
    t.same((await ratio(5)).rows, [{ r: 2 }]);
    await t.rejects(ratio(0), /division by zero/);
    t.same((await ratio(10)).rows, [{ r: 1 }], 'the named statement works after its failure');
    await sql`begin`.execute(conn);
    await t.rejects(ratio(0), /division by zero/, 'inside a transaction too');
    await sql`rollback`.execute(conn);
    t.same((await ratio(1)).rows, [{ r: 10 }]);
    await byKey(conn, 'site_time_zone');
    t.pass('other statements still run on the connection');
    t.same(await prepared(conn, '"nope"'), [], 'the statement that failed to prepare was never kept');
    t.equal((await prepared(conn, '10 / $1')).length, 1, 'the one that failed on some values is kept');
  });
});

t.test('at most DATABASE_PREPARED_STATEMENTS per connection: the least recently used is dropped, and comes back', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t, {}, { DATABASE_PREPARED_STATEMENTS: '3' });
  await db.connection().execute(async (conn) => {
    const plus = (n: number, v: number) => sql<{ v: number }>`select ${v}::integer + ${sql.lit(n)} as v`.execute(conn);
    for (const n of [1, 2, 3, 4, 5]) for (let i = 0; i < 2; i++) t.same((await plus(n, 10)).rows, [{ v: 10 + n }]);
    await plus(5, 0); // the connection is idle before this one: the dropped statements are deallocated
    const kept = await prepared(conn, '::integer + ');
    t.equal(kept.length, 3, `three kept: ${kept.join(' | ')}`);
    t.notOk(kept.some((s) => / \+ 1 as/.test(s) || / \+ 2 as/.test(s)), 'the two least recently used were dropped');
    for (let i = 0; i < 2; i++) t.same((await plus(1, 1)).rows, [{ v: 2 }], 'a dropped statement runs again');
    await plus(5, 0);
    t.ok((await prepared(conn, '::integer + ')).some((s) => / \+ 1 as/.test(s)), 'the dropped one prepared again');
    t.ok((await sql<{ n: number }>`select count(*) as n from pg_prepared_statements`.execute(conn)).rows[0]!.n <= 3,
      'never more than three on the connection, of any kind');
  });
});

t.test('a prepared statement whose table changed is prepared again (a migration by another instance)', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  await db.connection().execute(async (conn) => {
    const all = () => conn.selectFrom('settings').selectAll().where('key', '=', 'site_time_zone').execute();
    await all();
    await all();
    t.equal((await prepared(conn, 'select * from "settings"')).length, 1, 'select * prepared');
    await sql`alter table settings add column extra integer default 7`.execute(db);
    const rows = await all();
    t.equal((rows[0] as Record<string, unknown>).extra, 7, 'outside a transaction: answered with the new column');
    await sql`alter table settings drop column extra`.execute(db);
    await all();
    await all();
    await sql`alter table settings add column extra integer default 8`.execute(db);
    await sql`begin`.execute(conn);
    await t.rejects(all(), /cached plan must not change result type/, 'inside a transaction it fails (the transaction is aborted)');
    await sql`rollback`.execute(conn);
    const again = await all();
    t.equal((again[0] as Record<string, unknown>).extra, 8, 'and the next use works');
    await byKey(conn, 'site_time_zone');
    t.pass('the connection is fine');
  });
});

t.test('DATABASE_PREPARED_STATEMENTS=0 names nothing', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t, {}, { DATABASE_PREPARED_STATEMENTS: '0' });
  await db.connection().execute(async (conn) => {
    for (let i = 0; i < 4; i++) await byKey(conn, 'site_time_zone');
    t.same((await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn)).rows, []);
  });
});

t.test('the app\'s connections run without JIT compilation, unless the address says otherwise', pgOnly, async (t) => {
  const { db } = await buildTestDesk(t);
  const jitOf = async (conn: Kysely<Database>) => (await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(conn)).rows[0]!.jit;
  t.equal(await jitOf(db), 'off', 'jit is off on the pool\'s connections (a page\'s statements never pay for compiling)');
  const url = new URL(process.env.DESKBELL_TEST_PG || 'postgres://postgres@127.0.0.1:5432/postgres');
  url.searchParams.set('options', '-c jit=on');
  const { db: own, pool } = connectPostgres(url.toString(), 1, 0);
  t.teardown(async () => { await own.destroy(); });
  t.equal(await jitOf(own), 'on', 'an `options` parameter in DATABASE_URL replaces the default');
  t.ok(pool.totalCount >= 1);
});
