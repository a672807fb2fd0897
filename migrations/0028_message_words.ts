import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. PostgreSQL only (issue 18): the messages' search words stored, not recomputed.
// Migration 0019 indexed an expression, to_tsvector('simple', deskbell_search_text(body_text)): the GIN
// index finds a rare word, but a common one is served by walking the messages newest first, and that
// walk evaluated the expression again on every row it passed (NFD normalisation, two regexp_replace;
// ~12 µs a row, 1.1 s for the 20,001st newest "password" of 5M messages). A stored generated column
// holds the same words, kept by PostgreSQL on every insert and edit of body_text, and the same GIN
// index now covers the column (the walk above: 14 ms). Adding the column rewrites the table once
// (about a minute per million messages, the table locked meanwhile). SQLite: nothing (FTS5 stores its own).
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter table messages add column search_words tsvector
    generated always as (to_tsvector('simple', deskbell_search_text(body_text))) stored`.execute(db);
  await sql`drop index search_messages`.execute(db);
  await sql`create index search_messages on messages using gin (search_words)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index search_messages`.execute(db);
  await sql`alter table messages drop column search_words`.execute(db);
  await sql`create index search_messages on messages using gin (to_tsvector('simple', deskbell_search_text(body_text)))`.execute(db);
}
