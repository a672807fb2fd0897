import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { isPostgres } from '../db/dialect.js';
import { setIndexOption, takeOverMerging } from './merging.js';
import { rebuildPortalDocuments } from './portal-documents.js';
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
 * How a rebuild writes the indexes. FTS5 merges a level's segments into one on the level above, and
 * `optimize` puts the index's one segment on the level above the highest: a rebuild that wrote few
 * large segments (the message index gathered 256 MiB in memory before writing one) left it on level
 * 1 at 1M tickets. A serving desk's merge steps (merging.ts) merge a level once it holds four
 * segments, so they reach a segment on level L after about 3·4^L writes: on level 1 within the
 * first few dozen writes after the rebuild, and then every step that took part in its merge took
 * tens to hundreds of milliseconds (42 ms on average, up to 390, with the 5,000 writes of three
 * bench runs), each holding every request, until the whole index had been written out again — and
 * again on level 2, 3, ... So the rebuild writes a segment every 4 MiB of words and merges a level
 * at two segments (automerge 2, FTS5's least), and the levels climb as they would over many
 * writes: the one segment lands on level 7 at 1M tickets (reached after ~50,000 writes), and on a
 * smaller desk on a level as much lower as its index is smaller.
 */
const REBUILD_HASH_BYTES = 4 * 1024 * 1024;
const DEFAULT_HASH_BYTES = 1024 * 1024;
const REBUILD_AUTOMERGE = 2;
const REBUILT = ['search_messages', 'search_tickets', 'search_portal'] as const;

/**
 * Rebuild the search indexes (messages, tickets, the portal's documents) from the tables, in one
 * transaction: after a bulk load that ran with the index paused, or to repair it. Leaves each index
 * as one segment, on a level its merge steps reach only after many writes (above), and with the
 * serving desk's merge settings. `hashBytes` (tests): how much each index gathers before it writes
 * a segment, so that a small desk's index is written as a large one's is, in many segments.
 */
export async function rebuildSearchIndex(db: Db, options: { hashBytes?: number } = {}): Promise<void> {
  if (isPostgres(db)) return postgres.rebuildSearchIndex(db);
  const hashBytes = {
    search_messages: options.hashBytes ?? REBUILD_HASH_BYTES, search_tickets: options.hashBytes ?? DEFAULT_HASH_BYTES,
    search_portal: options.hashBytes ?? REBUILD_HASH_BYTES,
  };
  await db.transaction().execute(async (trx) => {
    for (const index of REBUILT) {
      await setIndexOption(trx, index, 'automerge', REBUILD_AUTOMERGE);
      await setIndexOption(trx, index, 'hashsize', hashBytes[index]);
    }
    await sql`insert into search_messages(search_messages) values ('rebuild')`.execute(trx);
    await sql`delete from search_tickets`.execute(trx);
    await TICKET_DOCUMENTS.execute(trx);
    await rebuildPortalDocuments(trx);
    // Each index as one segment (4.8 + 0.7 s at 1M tickets): left as the rebuild wrote it, a later
    // write's automerge merged the large segments once, inside that write (a ticket created 5–6 s).
    for (const index of REBUILT) {
      await sql`insert into ${sql.table(index)}(${sql.table(index)}) values ('optimize')`.execute(trx);
      await setIndexOption(trx, index, 'hashsize', DEFAULT_HASH_BYTES);
    }
    await takeOverMerging(trx);
  });
}

/** Where a paused load keeps the triggers it dropped, until it puts them back (settings key). */
export const PAUSED_TRIGGERS = 'search.paused_triggers';

interface PausedTriggers {
  /** The loading process: while it lives, its triggers are its own to put back. */
  pid: number;
  triggers: SchemaObject[];
  /** The loaded tables' plain indexes, dropped too when the loader asked (absent in notes of older versions). */
  indexes?: SchemaObject[];
}

interface SchemaObject { name: string; sql: string }

/**
 * Run a bulk load without the per-row cost of the sync triggers (about 3x on inserts), then put
 * the triggers back exactly as they were and rebuild the index once. Only for loaders that own
 * the database while they run (`deskbell demo`): writes made by others meanwhile are indexed by
 * the rebuild. The dropped triggers are written down in the same transaction that drops them, so a
 * loader killed before it puts them back leaves the means to do it: the server's next start does
 * (`repairPausedSearchIndex`).
 *
 * `indexesOf`: tables whose plain (not unique) indexes are dropped as well and built again once
 * the load is done. An index on a column the load writes in no particular order (the tickets' 19
 * on activity times, status, assignee...) costs a B-tree insert at a random place per row; built
 * afterwards, it is one sort. Unique indexes stay: they are constraints the load relies on.
 */
export async function withSearchIndexPaused<T>(db: Db, load: () => Promise<T>, rebuilding?: () => void, indexesOf: readonly string[] = []): Promise<T> {
  // PostgreSQL: the triggers stay and index the load as it goes (the demo's loader relies on them
  // alone: ops/demo-postgres.ts); the rebuild is for callers that want the index repaired too.
  if (isPostgres(db)) {
    const result = await load();
    rebuilding?.();
    await rebuildSearchIndex(db);
    return result;
  }
  const paused = await db.transaction().execute(async (trx) => {
    const { rows: triggers } = await sql<SchemaObject>`select name, sql from sqlite_master
      where type = 'trigger' and name like 'search\_%' escape '\\' order by name`.execute(trx);
    const { rows: indexes } = indexesOf.length === 0 ? { rows: [] } : await sql<SchemaObject>`select name, sql from sqlite_master
      where type = 'index' and sql is not null and sql not like 'create unique%' and tbl_name in (${sql.join([...indexesOf])})
      order by name`.execute(trx);
    const note: PausedTriggers = { pid: process.pid, triggers, indexes };
    await trx.insertInto('settings').values({ key: PAUSED_TRIGGERS, value: JSON.stringify(note) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(note) })).execute();
    for (const trigger of triggers) await sql`drop trigger ${sql.id(trigger.name)}`.execute(trx);
    for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
    return note;
  });
  try {
    return await load();
  } finally {
    rebuilding?.();
    await restoreSchema(db, paused);
    await rebuildSearchIndex(db);
  }
}

/** The triggers and indexes back (those not there already) and the note of their absence gone, together. */
async function restoreSchema(db: Db, paused: Omit<PausedTriggers, 'pid'>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const trigger of paused.triggers) {
      await sql.raw(trigger.sql.replace(/^\s*create\s+trigger\s+(?!if\s+not\s+exists)/i, 'CREATE TRIGGER IF NOT EXISTS ')).execute(trx);
    }
    for (const index of paused.indexes ?? []) {
      await sql.raw(index.sql.replace(/^\s*create\s+index\s+(?!if\s+not\s+exists)/i, 'CREATE INDEX IF NOT EXISTS ')).execute(trx);
    }
    await trx.deleteFrom('settings').where('key', '=', PAUSED_TRIGGERS).execute();
  });
}

/** Whether a process with this id runs (on this machine). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * At start-up: a bulk load that died with the search triggers dropped (a `deskbell demo` killed
 * half-way) left every later write unindexed, and the tables it loaded without their indexes. Put
 * both back and rebuild the index, unless the loader still runs. Resolves to whether it repaired anything.
 */
export async function repairPausedSearchIndex(db: Db): Promise<{ repaired: boolean; triggers: number; indexes: number }> {
  if (isPostgres(db)) return { repaired: false, triggers: 0, indexes: 0 };
  const row = await db.selectFrom('settings').select('value').where('key', '=', PAUSED_TRIGGERS).executeTakeFirst();
  if (!row) return { repaired: false, triggers: 0, indexes: 0 };
  const paused = JSON.parse(row.value) as PausedTriggers;
  if (paused.pid !== process.pid && running(paused.pid)) return { repaired: false, triggers: 0, indexes: 0 };
  await restoreSchema(db, paused);
  await rebuildSearchIndex(db);
  return { repaired: true, triggers: paused.triggers.length, indexes: paused.indexes?.length ?? 0 };
}
