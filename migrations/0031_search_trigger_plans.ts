import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. PostgreSQL only (issue 18): the search document of ONE ticket is rebuilt by a
// PL/pgSQL function. Migration 0019's triggers called search_tickets_refresh(ids), a LANGUAGE sql
// function, whose statement PostgreSQL (before 18) parses and plans again on every call: ~1 ms of a
// ticket's insert, inside the writer lock (1.3 → 0.34 ms per insert on the 100k bench desk). PL/pgSQL
// keeps the plan for the session. The triggers that touch one or two tickets (a ticket inserted or
// renamed, a field value written) call the new function; those that may touch thousands (a person or
// an organisation renamed, a field made (in)visible) and the full rebuild keep the set-based one.
// SQLite: nothing (its triggers are statements of their own).
const DOCUMENT = `setweight(to_tsvector('simple', deskbell_search_text(t.subject)), 'A')
      || setweight(to_tsvector('simple', deskbell_search_text(coalesce(u.name, '') || ' ' || coalesce(u.email, '') || ' ' || coalesce(o.name, ''))), 'B')
      || setweight(to_tsvector('simple', deskbell_search_text(coalesce((select string_agg(v.value, ' ' order by v.field_id) from ticket_field_values v
    join fields f on f.id = v.field_id where v.ticket_id = t.id and f.customer_visible = 1), ''))), 'C')
      || setweight(to_tsvector('simple', deskbell_search_text(coalesce((select string_agg(v.value, ' ' order by v.field_id) from ticket_field_values v
    join fields f on f.id = v.field_id where v.ticket_id = t.id and f.customer_visible = 0), ''))), 'D')`;

/** Trigger → the ticket ids it refreshes (as in 0019). */
const SINGLE: Record<string, string[]> = {
  search_tickets_ai: ['new.id'],
  search_tickets_au: ['new.id'],
  search_values_ai: ['new.ticket_id'],
  search_values_au: ['new.ticket_id', 'old.ticket_id'],
  search_values_ad: ['old.ticket_id'],
};

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql.raw(`create function search_ticket_refresh(ticket integer) returns void language plpgsql as $$
    begin
      insert into search_tickets (ticket_id, document)
      select t.id, ${DOCUMENT}
      from tickets t left join users u on u.id = t.requester_id left join organizations o on o.id = t.organization_id
      where t.id = ticket
      on conflict (ticket_id) do update set document = excluded.document;
    end $$`).execute(db);
  for (const [name, ids] of Object.entries(SINGLE)) {
    const calls = ids.length === 1 ? `perform search_ticket_refresh(${ids[0]});`
      : `perform search_ticket_refresh(${ids[0]}); if ${ids[1]} is distinct from ${ids[0]} then perform search_ticket_refresh(${ids[1]}); end if;`;
    await sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $$
      begin ${calls} return null; end $$`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [name, ids] of Object.entries(SINGLE)) {
    await sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $$
      begin perform search_tickets_refresh(array[${ids.join(', ')}]); return null; end $$`).execute(db);
  }
  await sql`drop function search_ticket_refresh(integer)`.execute(db);
}
