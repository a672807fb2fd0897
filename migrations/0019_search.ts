import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. Full-text search (issue 8): two FTS5 indexes kept in sync by triggers, so every
// write path (portal, agent, mail, drafts, merges, bulk SQL) updates them in its own transaction.
//
// search_messages: one row per message, external content (the text stays in `messages` only; FTS5
//   reads it back for snippets). Notes are indexed too: agents may search them, customer queries
//   filter them out by kind.
// search_tickets: one row per ticket (rowid = ticket id), contentless: subject, the requester's name
//   and email with the organisation's name, and custom field values split into customer-visible
//   and internal ones. contentless_delete lets a trigger replace a row without its old values.
//
// On PostgreSQL (issue 18) the same documents, kept the same way, as tsvectors: see upPostgres below.
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return upPostgres(db);
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

/**
 * PostgreSQL: words as FTS5's unicode61 tokenizer (remove_diacritics 2) cuts them: lower case,
 * accents dropped, every run of letters and digits a word (so `e-mail` is "e mail" and an address
 * is its parts, where PostgreSQL's own parser would keep one token): `deskbell_search_text()`.
 * - messages: an expression GIN index over that text, nothing stored twice.
 * - search_tickets (ticket_id, document): one weighted tsvector per ticket, subject A, requester
 *   and organisation B, customer-visible field values C, internal ones D (customers match A and C
 *   only), kept by triggers from every write path like the FTS5 table.
 */
async function upPostgres(db: Kysely<any>): Promise<void> {
  await sql`create function deskbell_search_text(t text) returns text language sql immutable parallel safe
    return regexp_replace(regexp_replace(normalize(lower(t), NFD), '[\u0300-\u036f]', '', 'g'), '[^[:alnum:]]+', ' ', 'g')`.execute(db);
  await sql`create index search_messages on messages using gin (to_tsvector('simple', deskbell_search_text(body_text)))`.execute(db);
  await sql`create table search_tickets (
    ticket_id integer primary key references tickets (id) on delete cascade,
    document tsvector not null)`.execute(db);
  await sql`create index search_tickets_document on search_tickets using gin (document)`.execute(db);

  const words = (text: string, weight: string) => `setweight(to_tsvector('simple', deskbell_search_text(${text})), '${weight}')`;
  const values = (visible: number) => `coalesce((select string_agg(v.value, ' ' order by v.field_id) from ticket_field_values v
    join fields f on f.id = v.field_id where v.ticket_id = t.id and f.customer_visible = ${visible}), '')`;
  await sql.raw(`create function search_tickets_refresh(ids integer[]) returns void language sql as $$
    insert into search_tickets (ticket_id, document)
    select t.id, ${words('t.subject', 'A')}
      || ${words(`coalesce(u.name, '') || ' ' || coalesce(u.email, '') || ' ' || coalesce(o.name, '')`, 'B')}
      || ${words(values(1), 'C')} || ${words(values(0), 'D')}
    from tickets t left join users u on u.id = t.requester_id left join organizations o on o.id = t.organization_id
    where t.id = any(ids)
    on conflict (ticket_id) do update set document = excluded.document $$`).execute(db);

  const trigger = async (name: string, timing: string, ids: string, when = '') => {
    await sql.raw(`create function ${name}() returns trigger language plpgsql as $$
      begin perform search_tickets_refresh(${ids}); return null; end $$`).execute(db);
    await sql.raw(`create trigger ${name} after ${timing} for each row ${when} execute function ${name}()`).execute(db);
  };
  await trigger('search_tickets_ai', 'insert on tickets', 'array[new.id]');
  await trigger('search_tickets_au', 'update of subject, requester_id, organization_id on tickets', 'array[new.id]',
    'when (old.subject is distinct from new.subject or old.requester_id is distinct from new.requester_id or old.organization_id is distinct from new.organization_id)');
  await trigger('search_values_ai', 'insert on ticket_field_values', 'array[new.ticket_id]');
  await trigger('search_values_au', 'update on ticket_field_values', 'array[new.ticket_id, old.ticket_id]');
  await trigger('search_values_ad', 'delete on ticket_field_values', 'array[old.ticket_id]');
  await trigger('search_users_au', 'update of name, email on users',
    'array(select id from tickets where requester_id = new.id)', 'when (old.name is distinct from new.name or old.email is distinct from new.email)');
  await trigger('search_orgs_au', 'update of name on organizations',
    'array(select id from tickets where organization_id = new.id)', 'when (old.name is distinct from new.name)');
  await trigger('search_fields_au', 'update of customer_visible on fields',
    'array(select ticket_id from ticket_field_values where field_id = new.id)', 'when (old.customer_visible is distinct from new.customer_visible)');
  // An upgraded desk already has tickets: index them now.
  await sql`select search_tickets_refresh(array(select id from tickets))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop table search_tickets cascade`.execute(db);
    for (const name of ['search_tickets_ai', 'search_tickets_au', 'search_values_ai', 'search_values_au', 'search_values_ad',
      'search_users_au', 'search_orgs_au', 'search_fields_au']) await sql.raw(`drop function ${name}() cascade`).execute(db);
    await sql`drop function search_tickets_refresh(integer[])`.execute(db);
    await sql`drop index search_messages`.execute(db);
    await sql`drop function deskbell_search_text(text)`.execute(db);
    return;
  }
  const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'search\_%' escape '\'`.execute(db);
  for (const { name } of triggers.rows) await sql`drop trigger ${sql.id(name)}`.execute(db);
  await sql`drop table search_tickets`.execute(db);
  await sql`drop table search_messages`.execute(db);
}
