import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite, type Db } from '../db/connect.js';
import { withSearchIndexPaused } from '../search/index.js';
import { EVENTS, MESSAGES, SEEN, TAGGED, TICKETS, VALUES, type DemoRows, type DemoSink, type DemoTable, type PeopleStore } from './demo-sink.js';

/**
 * The tables whose indexes the demo builds after the load: the tickets' (activity times, status,
 * assignee: keys in no order) and the report rows' (days, groups), 28 s of index builds at 1M. The
 * other tables' indexes lead with the ticket id, which the load writes in ascending order: kept (the
 * messages' three would cost 13 s to build afterwards, and next to nothing as they are).
 */
const INDEXED_AFTER = [TICKETS.name, 'report_facts'];

const insert = (table: DemoTable) =>
  `insert into ${table.name} (${table.columns.map(([name]) => name).join(', ')}) values (${table.columns.map(() => '?').join(', ')}) ${table.onConflict ?? ''}`;

/**
 * The demo's rows on SQLite: prepared statements on a connection of its own to the file, one
 * transaction per 5,000 tickets (72k tickets/s in a batch, DESIGN.md), past the search triggers.
 * `adding`: how many tickets the load adds. When that is at least as many as the desk holds, the
 * loaded tables' indexes are dropped and built afterwards (200k tickets: 44 → 24 s of inserts,
 * 4 s to build them); a few tickets added to a big desk go through the indexes instead.
 */
export function sqliteSink(db: Db, path: string, adding: number): DemoSink {
  const sqlite = openSqlite(path);
  sqlite.pragma('cache_size = -400000');
  sqlite.pragma('temp_store = memory');
  sqlite.pragma('wal_autocheckpoint = 20000');
  const ticket = sqlite.prepare(insert(TICKETS));
  const message = sqlite.prepare(insert(MESSAGES));
  const event = sqlite.prepare(insert(EVENTS));
  const value = sqlite.prepare(insert(VALUES));
  const seen = sqlite.prepare(insert(SEEN));
  const tagged = sqlite.prepare(insert(TAGGED));
  const rows: DemoRows = {
    ticket: (row) => Number(ticket.run(row).lastInsertRowid),
    message: (row) => void message.run(row),
    event: (row) => void event.run(row),
    value: (row) => void value.run(row),
    seen: (row) => void seen.run(row),
    tagged: (row) => void tagged.run(row),
  };
  const inTransaction = sqlite.transaction((fill: (rows: DemoRows) => void) => fill(rows));
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
    batch: async (_size, fill) => inTransaction(fill),
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
