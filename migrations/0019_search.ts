import { sql, type Kysely } from 'kysely';

// Frozen in time. Full-text search (issue 8): two FTS5 indexes kept in sync by triggers, so every
// write path (portal, agent, mail, drafts, merges, bulk SQL) updates them in its own transaction.
//
// search_messages: one row per message, external content (the text stays in `messages` only; FTS5
//   reads it back for snippets). Notes are indexed too: agents may search them, customer queries
//   filter them out by kind.
// search_tickets: one row per ticket (rowid = ticket id), contentless: subject, the requester's name
//   and email with the organisation's name, and custom field values split into customer-visible
//   and internal ones. contentless_delete lets a trigger replace a row without its old values.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create virtual table search_messages using fts5(body_text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`create virtual table search_tickets using fts5(subject, people, fields_public, fields_internal, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`.execute(db);

  const doc = (where: string) => `insert or replace into search_tickets(rowid, subject, people, fields_public, fields_internal)
    select t.id, t.subject,
      coalesce(u.name, '') || ' ' || coalesce(u.email, '') || ' ' || coalesce(o.name, ''),
      coalesce((select group_concat(v.value, ' ') from ticket_field_values v join fields f on f.id = v.field_id
        where v.ticket_id = t.id and f.customer_visible = 1), ''),
      coalesce((select group_concat(v.value, ' ') from ticket_field_values v join fields f on f.id = v.field_id
        where v.ticket_id = t.id and f.customer_visible = 0), '')
    from tickets t left join users u on u.id = t.requester_id left join organizations o on o.id = t.organization_id
    where ${where};`;
  const triggers = [
    `create trigger search_messages_ai after insert on messages begin
      insert into search_messages(rowid, body_text) values (new.id, new.body_text); end`,
    `create trigger search_messages_ad after delete on messages begin
      insert into search_messages(search_messages, rowid, body_text) values ('delete', old.id, old.body_text); end`,
    `create trigger search_messages_au after update of body_text on messages begin
      insert into search_messages(search_messages, rowid, body_text) values ('delete', old.id, old.body_text);
      insert into search_messages(rowid, body_text) values (new.id, new.body_text); end`,
    `create trigger search_tickets_ai after insert on tickets begin ${doc('t.id = new.id')} end`,
    `create trigger search_tickets_au after update of subject, requester_id, organization_id on tickets begin ${doc('t.id = new.id')} end`,
    `create trigger search_tickets_ad after delete on tickets begin delete from search_tickets where rowid = old.id; end`,
    `create trigger search_values_ai after insert on ticket_field_values begin ${doc('t.id = new.ticket_id')} end`,
    `create trigger search_values_au after update on ticket_field_values begin ${doc('t.id = new.ticket_id')} end`,
    `create trigger search_values_ad after delete on ticket_field_values begin ${doc('t.id = old.ticket_id')} end`,
    `create trigger search_users_au after update of name, email on users begin ${doc('t.requester_id = new.id')} end`,
    `create trigger search_orgs_au after update of name on organizations begin ${doc('t.organization_id = new.id')} end`,
    `create trigger search_fields_au after update of customer_visible on fields begin
      ${doc('t.id in (select ticket_id from ticket_field_values where field_id = new.id)')} end`,
  ];
  for (const trigger of triggers) await sql.raw(trigger).execute(db);

  // An upgraded desk already has tickets and messages: index them now.
  await sql`insert into search_messages(search_messages) values ('rebuild')`.execute(db);
  await sql.raw(doc('1')).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'search\_%' escape '\'`.execute(db);
  for (const { name } of triggers.rows) await sql`drop trigger ${sql.id(name)}`.execute(db);
  await sql`drop table search_tickets`.execute(db);
  await sql`drop table search_messages`.execute(db);
}
