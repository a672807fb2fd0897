import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import * as postgres from './postgres.js';

// The same document as migration 0019's triggers build for one ticket, for every ticket at once.
const TICKET_DOCUMENTS = sql`insert into search_tickets(rowid, subject, people, fields_public, fields_internal)
  select t.id, t.subject,
    coalesce(u.name, '') || ' ' || coalesce(u.email, '') || ' ' || coalesce(o.name, ''),
    coalesce(pub.text, ''), coalesce(internal.text, '')
  from tickets t
  left join users u on u.id = t.requester_id
  left join organizations o on o.id = t.organization_id
  left join (select v.ticket_id, group_concat(v.value, ' ') as text from ticket_field_values v
    join fields f on f.id = v.field_id where f.customer_visible = 1 group by v.ticket_id) pub on pub.ticket_id = t.id
  left join (select v.ticket_id, group_concat(v.value, ' ') as text from ticket_field_values v
    join fields f on f.id = v.field_id where f.customer_visible = 0 group by v.ticket_id) internal on internal.ticket_id = t.id`;

/**
 * Rebuild both search indexes from the tables, in one transaction: after a bulk load that ran
 * with the index paused, or to repair it. Measured: 205 s for 1M tickets / 5M messages on a busy
 * 2-core machine (`node dist/bench/search.js build FILE`).
 */
export async function rebuildSearchIndex(db: Db): Promise<void> {
  if (isPostgres(db)) return postgres.rebuildSearchIndex(db);
  await db.transaction().execute(async (trx) => {
    await sql`insert into search_messages(search_messages) values ('rebuild')`.execute(trx);
    await sql`delete from search_tickets`.execute(trx);
    await TICKET_DOCUMENTS.execute(trx);
  });
}

/**
 * Run a bulk load without the per-row cost of the sync triggers (about 3x on inserts), then put
 * the triggers back exactly as they were and rebuild the index once. Only for loaders that own
 * the database while they run (`deskbell demo`): writes made by others meanwhile would be indexed
 * by the rebuild, but a crash before `finally` leaves the triggers missing until the next call.
 */
export async function withSearchIndexPaused<T>(db: Db, load: () => Promise<T>, rebuilding?: () => void): Promise<T> {
  // PostgreSQL: the triggers stay and index the load as it goes (the demo's loader relies on them
  // alone: ops/demo-postgres.ts); the rebuild is for callers that want the index repaired too.
  if (isPostgres(db)) {
    const result = await load();
    rebuilding?.();
    await rebuildSearchIndex(db);
    return result;
  }
  const triggers = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'trigger' and name like 'search\_%' escape '\\' order by name`.execute(db);
  for (const trigger of triggers.rows) await sql`drop trigger ${sql.id(trigger.name)}`.execute(db);
  try {
    return await load();
  } finally {
    for (const trigger of triggers.rows) await sql.raw(trigger.sql).execute(db);
    rebuilding?.();
    await rebuildSearchIndex(db);
  }
}
