import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. SQLite only (issue 26): one full-text document per ticket of what a customer may
// match in it, so that the portal's search checks a ticket once. Until now a customer's search
// asked two indexes: search_tickets for the subject and the visible fields, and search_messages for
// every public message, one lookup per message (a customer's common word at 1M tickets: 170 tickets
// and their 665 public messages, ~2.3 ms of a ~4.4 ms request).
//
// search_portal, rowid = ticket id, contentless (the text stays in its tables; contentless_delete
// lets a document be replaced without its old words): the subject, the customer-visible field values,
// and the bodies of the public messages (replies, updates, chat lines: never notes), one after the other.
//
// FTS5 cannot add words to a row: a document is written whole. Written by the triggers, a ticket with
// thousands of messages (a long chat, a mail loop) would be read and indexed whole on every message,
// inside the write. So the triggers only write down, in the write's own transaction, which tickets'
// documents no longer hold (search_portal_dirty): every write that changes what a customer may match
// (a public message added, edited, moved to another ticket by a merge or split, deleted or made a note;
// a subject; a field value or a field's visibility; a ticket created or deleted). The server writes
// their documents again between requests (src/search/portal-documents.ts), and until then a search
// checks those tickets part by part, as before this index: what a customer may match is never
// answered from an outdated document.
//
// PostgreSQL: nothing (its portal search reads the tickets' documents and the messages' stored words).
const PUBLIC = `('reply', 'update', 'chat')`;

// Not `insert or ignore`: a trigger's conflict clause gives way to the outer statement's, and the
// kernel writes field values with an upsert (ON CONFLICT DO UPDATE), under which a ticket already on
// the list failed the whole write ("UNIQUE constraint failed").
const stale = (ticketId: string) => `insert into search_portal_dirty(ticket_id) select ${ticketId}
  where not exists (select 1 from search_portal_dirty where ticket_id = ${ticketId});`;

const TRIGGERS = [
  `create trigger search_portal_messages_ai after insert on messages when new.kind in ${PUBLIC} begin ${stale('new.ticket_id')} end`,
  `create trigger search_portal_messages_au after update of body_text, kind, ticket_id on messages
    when old.kind in ${PUBLIC} or new.kind in ${PUBLIC} begin ${stale('old.ticket_id')} ${stale('new.ticket_id')} end`,
  `create trigger search_portal_messages_ad after delete on messages when old.kind in ${PUBLIC} begin ${stale('old.ticket_id')} end`,
  `create trigger search_portal_tickets_ai after insert on tickets begin ${stale('new.id')} end`,
  `create trigger search_portal_tickets_au after update of subject on tickets begin ${stale('new.id')} end`,
  `create trigger search_portal_tickets_ad after delete on tickets begin ${stale('old.id')} end`,
  `create trigger search_portal_values_ai after insert on ticket_field_values begin ${stale('new.ticket_id')} end`,
  `create trigger search_portal_values_au after update on ticket_field_values begin ${stale('old.ticket_id')} ${stale('new.ticket_id')} end`,
  `create trigger search_portal_values_ad after delete on ticket_field_values begin ${stale('old.ticket_id')} end`,
  `create trigger search_portal_fields_au after update of customer_visible on fields begin
    insert into search_portal_dirty(ticket_id) select distinct v.ticket_id from ticket_field_values v
      where v.field_id = new.id and not exists (select 1 from search_portal_dirty d where d.ticket_id = v.ticket_id); end`,
];

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create virtual table search_portal using fts5(subject, fields_public, messages,
    content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`create table search_portal_dirty (ticket_id integer primary key)`.execute(db);
  for (const trigger of TRIGGERS) await sql.raw(trigger).execute(db);
  // An upgraded desk's tickets, in one pass in rowid order, written as src/search/maintenance.ts's
  // rebuild writes an index (4 MiB segments, levels merged two at a time), then merged into one
  // segment: on a high level, which the server's merge steps reach only after many writes. Written
  // as 256 MiB segments, it landed on level 1, and the first writes' steps rewrote all of it. Then
  // the serving desk's settings (merging.ts's takeOverMerging, which each start repeats).
  await sql`insert into search_portal(search_portal, rank) values ('automerge', 2)`.execute(db);
  await sql`insert into search_portal(search_portal, rank) values ('hashsize', ${sql.lit(4 * 1024 * 1024)})`.execute(db);
  await sql.raw(`insert into search_portal(rowid, subject, fields_public, messages)
    select t.id, t.subject, coalesce(v.text, ''),
      coalesce((select group_concat(m.body_text, char(10)) from messages m where m.ticket_id = t.id and m.kind in ${PUBLIC}), '')
    from tickets t left join (select v.ticket_id, group_concat(v.value, ' ') as text from ticket_field_values v
      join fields f on f.id = v.field_id where f.customer_visible = 1 group by v.ticket_id) v on v.ticket_id = t.id
    order by t.id`).execute(db);
  await sql`insert into search_portal(search_portal, rank) values ('hashsize', ${sql.lit(1024 * 1024)})`.execute(db);
  await sql`insert into search_portal(search_portal) values ('optimize')`.execute(db);
  await sql`insert into search_portal(search_portal, rank) values ('automerge', 0)`.execute(db);
  await sql`insert into search_portal(search_portal, rank) values ('crisismerge', 64)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'search\_portal\_%' escape '\'`.execute(db);
  for (const { name } of triggers.rows) await sql`drop trigger ${sql.id(name)}`.execute(db);
  await sql`drop table search_portal_dirty`.execute(db);
  await sql`drop table search_portal`.execute(db);
}
