import { sql } from 'kysely';
import type { Db, Trx } from '../db/connect.js';

// search_portal (SQLite, migration 0054): one document per ticket of what a customer may match in it,
// rowid = ticket id. The triggers write down which tickets' documents are out of date
// (search_portal_dirty); the documents are written here, between requests, and by the rebuild.

/** The kinds of message a customer sees (as customer.ts's PUBLIC_KINDS), as the documents hold them. */
const PUBLIC = sql`('reply', 'update', 'chat')`;

/** A ticket's customer-visible field values, for `tickets t` (a few rows through the values' primary key). */
const FIELDS = sql`coalesce((select group_concat(v.value, ' ') from ticket_field_values v join fields f on f.id = v.field_id
  where v.ticket_id = t.id and f.customer_visible = 1), '')`;
/** A ticket's public messages, for `tickets t` (through messages_ticket_kind). */
const MESSAGES = sql`coalesce((select group_concat(m.body_text, char(10)) from messages m where m.ticket_id = t.id and m.kind in ${PUBLIC}), '')`;

/**
 * The documents of these tickets (a JSON array of ids), replacing what the index held for them, in
 * rowid order: FTS5 writes a segment of its buffer whenever a rowid comes no later than the one before.
 */
function documentsOf(ids: string) {
  return sql`insert or replace into search_portal(rowid, subject, fields_public, messages)
    select t.id, t.subject, ${FIELDS}, ${MESSAGES}
    from tickets t where t.id in (select value from json_each(${ids}))
    order by t.id`;
}

/**
 * Every ticket's document, the field values grouped in one pass. Only for all of them: for a few
 * tickets the grouping still reads every value of the desk (50 tickets at 1M: 104 ms, against
 * 0.12 ms with FIELDS, a lookup per ticket, as documentsOf does).
 */
const EVERY_DOCUMENT = sql`insert into search_portal(rowid, subject, fields_public, messages)
  select t.id, t.subject, coalesce(v.text, ''), ${MESSAGES}
  from tickets t left join (select v.ticket_id, group_concat(v.value, ' ') as text from ticket_field_values v
    join fields f on f.id = v.field_id where f.customer_visible = 1 group by v.ticket_id) v on v.ticket_id = t.id
  order by t.id`;

/** Every ticket's document again, the index emptied first, in the rebuild's transaction (which sets how it is written: maintenance.ts). */
export async function rebuildPortalDocuments(trx: Trx): Promise<void> {
  // 'delete-all' empties a contentless index at once, where a DELETE would leave a tombstone per row.
  await sql`insert into search_portal(search_portal) values ('delete-all')`.execute(trx);
  await sql`delete from search_portal_dirty`.execute(trx);
  await EVERY_DOCUMENT.execute(trx);
}

/**
 * Tickets written again per step. A document is read and indexed whole (~20 µs for a ticket of a
 * few messages), so a step stays short; a desk writing faster than this every MERGE_EVERY_MS only
 * leaves more tickets to be checked part by part meanwhile.
 */
export const DOCUMENTS_PER_STEP = 256;

/**
 * Write the documents of up to `most` out-of-date tickets (the lowest ids first) and strike them off,
 * in one transaction; a deleted ticket's document is removed. Resolves to how many were written.
 */
export async function writeStaleDocuments(db: Db, most = DOCUMENTS_PER_STEP): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ ticket_id: number }>`select ticket_id from search_portal_dirty order by ticket_id limit ${most}`.execute(trx);
    if (rows.length === 0) return 0;
    const ids = JSON.stringify(rows.map((row) => row.ticket_id));
    await sql`delete from search_portal where rowid in (select value from json_each(${ids}) j
      where not exists (select 1 from tickets where tickets.id = j.value))`.execute(trx);
    await documentsOf(ids).execute(trx);
    await sql`delete from search_portal_dirty where ticket_id in (select value from json_each(${ids}))`.execute(trx);
    return rows.length;
  });
}
