import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite, type Db } from '../db/connect.js';
import { withSearchIndexPaused } from '../search/index.js';
import { giveTicketIds, LOADED, TICKETS, type DemoBatch, type DemoSink, type DemoTable, type PeopleStore } from './demo-sink.js';

/**
 * The tables whose indexes the demo builds after the load: the tickets' (activity times, status,
 * assignee: keys in no order) and the report rows' (days, groups), 28 s of index builds at 1M. The
 * other tables' indexes lead with the ticket id, which the load writes in ascending order: kept (the
 * messages' three would cost 13 s to build afterwards, and next to nothing as they are).
 */
const INDEXED_AFTER = [TICKETS.name, 'report_facts'];

/**
 * Rows per insert statement. One row a statement cost 9–14 µs a message (its statement's set-up and
 * the AUTOINCREMENT counter's update, per row); 100 at a time, 4–6 µs.
 */
const ROWS_PER_INSERT = 100;

const insert = (table: DemoTable, rows: number) => {
  const row = `(${table.columns.map(() => '?').join(', ')})`;
  return `insert into ${table.name} (${table.columns.map(([name]) => name).join(', ')}) values ${Array(rows).fill(row).join(', ')} ${table.onConflict ?? ''}`;
};

/**
 * The demo's rows on SQLite: multi-row inserts on a connection of its own to the file, one
 * transaction per 5,000 tickets, past the search triggers. A batch's tickets take the ids that come
 * next, with the write lock held (`begin immediate`): a server writing meanwhile waits for the batch.
 * `adding`: how many tickets the load adds. When that is at least as many as the desk holds, the
 * loaded tables' indexes are dropped and built afterwards (200k tickets: 44 → 24 s of inserts,
 * 4 s to build them); a few tickets added to a big desk go through the indexes instead.
 */
export function sqliteSink(db: Db, path: string, adding: number): DemoSink {
  const sqlite = openSqlite(path);
  sqlite.pragma('cache_size = -400000');
  sqlite.pragma('temp_store = memory');
  sqlite.pragma('wal_autocheckpoint = 20000');
  const tables = LOADED.map((table) => ({
    table, one: sqlite.prepare(insert(table, 1)), many: sqlite.prepare(insert(table, ROWS_PER_INSERT)), width: table.columns.length,
  }));
  const nextTicketId = sqlite.prepare(`select max(coalesce((select seq from sqlite_sequence where name = 'tickets'), 0),
    coalesce((select max(id) from tickets), 0)) + 1 as id`).pluck();
  const write = sqlite.transaction((batch: DemoBatch) => {
    const first = nextTicketId.get() as number;
    giveTicketIds(batch, (place) => first + place);
    for (const { table, one, many, width } of tables) {
      const values = batch.rows[table.name];
      const chunk = width * ROWS_PER_INSERT;
      let at = 0;
      for (; at + chunk <= values.length; at += chunk) many.run(values.slice(at, at + chunk));
      for (; at < values.length; at += width) one.run(values.slice(at, at + width));
    }
  });
  const held = (sqlite.prepare('select count(*) as n from tickets').get() as { n: number }).n;

  return {
    batchSize: 5000,
    // The rows go in past the search triggers (3x faster) and without the loaded tables' plain
    // indexes; those and the search index are built once afterwards.
    load: (run, rebuilding) => withSearchIndexPaused(db, run, rebuilding, adding >= held ? INDEXED_AFTER : []),
    async people(fill) {
      // The store answers synchronously: nothing else runs on this connection while `fill` awaits.
      sqlite.exec('begin immediate');
      try {
        const result = await fill(sqlitePeople(sqlite));
        sqlite.exec('commit');
        return result;
      } catch (error) {
        if (sqlite.inTransaction) sqlite.exec('rollback');
        throw error;
      }
    },
    write: async (batch) => write.immediate(batch),
    finish: () => afterBulkInsert(db, sqlite),
    close: () => sqlite.close(),
  };
}

function sqlitePeople(sqlite: SQLite.Database): PeopleStore {
  const findOrg = sqlite.prepare<[string], { id: number }>('select id from organizations where name = ? collate nocase');
  const insertOrg = sqlite.prepare('insert into organizations (name, domains, members_see_all_tickets, created_at) values (?, ?, ?, ?)');
  const findUser = sqlite.prepare<[string], { id: number }>('select id from users where email = ? collate nocase');
  const refreshUser = sqlite.prepare("update users set password_hash = ?, state = 'active' where id = ?");
  const insertUser = sqlite.prepare(`insert into users (email, name, role, state, password_hash, organization_id, created_at, updated_at)
    values (?, ?, ?, 'active', ?, ?, ?, ?)`);
  const findGroup = sqlite.prepare<[string], { id: number }>('select id from groups where name = ? collate nocase');
  const insertGroup = sqlite.prepare('insert into groups (name, description, created_at) values (?, ?, ?)');
  const joinGroup = sqlite.prepare('insert into group_members (group_id, user_id) values (?, ?) on conflict do nothing');
  const findTag = sqlite.prepare<[string], { id: number }>('select id from tags where name = ?');
  const insertTag = sqlite.prepare('insert into tags (name) values (?)');
  return {
    organization: (name, domain, shares, now) => findOrg.get(name)?.id ?? Number(insertOrg.run(name, domain, shares, now).lastInsertRowid),
    user(email, name, role, passwordHash, organizationId, now) {
      const found = findUser.get(email)?.id;
      if (found === undefined) return Number(insertUser.run(email, name, role, passwordHash, organizationId, now, now).lastInsertRowid);
      refreshUser.run(passwordHash, found);
      return found;
    },
    group: (name, description, now) => findGroup.get(name)?.id ?? Number(insertGroup.run(name, description, now).lastInsertRowid),
    join: (groupId, userId) => void joinGroup.run(groupId, userId),
    tag: (name) => findTag.get(name)?.id ?? Number(insertTag.run(name).lastInsertRowid),
  };
}

/** The planner's statistics, and the WAL folded back into the database file. */
async function afterBulkInsert(db: Db, sqlite: SQLite.Database): Promise<void> {
  await sql`pragma analysis_limit = 2000`.execute(db);
  await sql`analyze`.execute(db);
  await sql`pragma optimize`.execute(db);
  sqlite.pragma('wal_checkpoint(truncate)');
}
