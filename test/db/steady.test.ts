// SQLite 3.54 re-plans a statement on every run when it looked at a placeholder's value (src/db/steady.ts);
// the app's statements are prepared with `+?` where that happens, and still return the same rows.
import SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import t from 'tap';
import { cachedStatements } from '../../src/db/connect.js';
import { steadyPlaceholders } from '../../src/db/steady.js';

t.test('equalities, LIMIT and OFFSET get a unary plus; everything else is left as written', async (t) => {
  const cases: [string, string][] = [
    ['select * from t where "a" = ? and "b" = ? limit ? offset ?', 'select * from t where "a" = +? and "b" = +? limit +? offset +?'],
    ['select * from t where a=? or b == ?', 'select * from t where a=+? or b == +?'],
    ['update "t" set "x" = ?, "y" = ? where "id" = ?', 'update "t" set "x" = +?, "y" = +? where "id" = +?'],
    ['select * from t where a >= ? and b <= ? and c != ? and d < ? and e > ? and f <> ?', 'select * from t where a >= ? and b <= ? and c != ? and d < ? and e > ? and f <> ?'],
    ['insert into t (a, b) values (?, ?)', 'insert into t (a, b) values (?, ?)'],
    ['select * from t where a in (?, ?) and b is ? and c like ?', 'select * from t where a in (?, ?) and b is ? and c like ?'],
    ["select 'a = ?' as s, \"col = ?\" from t where x = ? -- y = ?\n and z = ? /* limit ? */ LIMIT ?", "select 'a = ?' as s, \"col = ?\" from t where x = +? -- y = ?\n and z = +? /* limit ? */ LIMIT +?"],
    ["select 'it''s = ?' from t where a = ?", "select 'it''s = ?' from t where a = +?"],
  ];
  for (const [sql, expected] of cases) t.equal(steadyPlaceholders(sql), expected, sql);
});

t.test('the statements prepared through the cache carry the rewrite and give the same rows', async (t) => {
  const sqlite = new SQLite(':memory:');
  t.teardown(() => sqlite.close());
  sqlite.exec(`create table users (id integer primary key, name text not null, email text not null);
    create table tickets (id integer primary key, requester_id integer not null references users(id), subject text not null, status text not null);
    create index tickets_requester on tickets (requester_id, id);`);
  const insertUser = sqlite.prepare('insert into users (id, name, email) values (?, ?, ?)');
  const insertTicket = sqlite.prepare('insert into tickets (requester_id, subject, status) values (?, ?, ?)');
  for (let u = 1; u <= 20; u++) insertUser.run(u, `Person ${u}`, `p${u}@example.test`);
  for (let i = 1; i <= 400; i++) insertTicket.run((i % 20) + 1, `Ticket ${i}`, i % 3 ? 'open' : 'solved');

  const prepared: string[] = [];
  const spy = Object.create(sqlite) as SQLite.Database;
  spy.prepare = ((sql: string) => { prepared.push(sql); return sqlite.prepare(sql); }) as typeof sqlite.prepare;
  const { SqliteDialect } = await import('kysely');
  const db = new Kysely<{ users: { id: number; name: string; email: string }; tickets: { id: number; requester_id: number; subject: string; status: string } }>({
    dialect: new SqliteDialect({ database: cachedStatements(spy) }),
  });
  t.teardown(() => db.destroy());

  const page = (requester: number, offset: number) => db.selectFrom('tickets').innerJoin('users', 'users.id', 'tickets.requester_id')
    .select(['tickets.id', 'tickets.subject', 'users.name']).where('tickets.requester_id', '=', requester).where('tickets.status', '=', 'open')
    .orderBy('tickets.id', 'desc').limit(3).offset(offset).execute();
  const first = await page(5, 0);
  const second = await page(5, 3);
  const other = await page(6, 0);
  t.equal(first.length, 3, 'a page of tickets');
  t.ok(first.every((r) => r.name === 'Person 5'), 'the join still matches each ticket to its requester');
  t.ok(second.every((r) => r.id < first[2]!.id), 'OFFSET still pages on');
  t.ok(other.every((r) => r.name === 'Person 6'), 'a new value is used, not the first one planned with');
  const direct = sqlite.prepare(`select t.id from tickets t join users u on u.id = t.requester_id
    where t.requester_id = 5 and t.status = 'open' order by t.id desc limit 3 offset 3`).all() as { id: number }[];
  t.same(second.map((r) => r.id), direct.map((r) => r.id), 'the same rows as the query written with literals');

  t.equal(prepared.length, 1, 'one statement prepared for three runs (the cache)');
  t.match(prepared[0], /"tickets"\."requester_id" = \+\? and "tickets"\."status" = \+\?.* limit \+\? offset \+\?$/, 'prepared with steady placeholders');
  const plan = sqlite.prepare(`explain query plan ${prepared[0]}`).all(5, 'open', 3, 0) as { detail: string }[];
  t.ok(plan.some((p) => /USING (COVERING )?INDEX tickets_requester \(requester_id=\?\)/.test(p.detail)), `the index still serves the equality (${plan.map((p) => p.detail).join('; ')})`);
});
