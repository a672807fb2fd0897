import { sql, type Kysely } from 'kysely';
import { isPostgres, serialKey } from './dialect.js';

// Frozen in time. The help center (issue 23, points 1 to 3).
// - help_categories / help_sections: the tree; `texts` is JSON, a name and a description per
//   language ({"en": {"name": …, "description": …}, "de": …}).
// - help_articles: one per article, in a section; draft or published, public or internal (staff
//   only); counters for views and "Was this helpful?" answers (help_votes holds one answer per
//   reader: a signed-in person's id, or a hash of a visitor's own cookie); help_deflections the
//   customers who found their answer in an article suggested while writing a ticket (point 4), once each.
// - help_article_texts: an article's version per language (title, Markdown source, the sanitised
//   HTML and the plain text made from it); help_revisions: every saved version, who and when.
// - search: on SQLite an FTS5 index over the texts' title and plain text, kept by triggers like the
//   ticket indexes of migration 0019; on PostgreSQL a stored generated tsvector (title weighted A,
//   text B) with a GIN index, as the messages' words of migration 0028.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('help_categories')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('texts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('help_sections')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('category_id', 'integer', (c) => c.notNull().references('help_categories.id'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('texts', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('help_sections_category').on('help_sections').columns(['category_id']).execute();
  await db.schema.createTable('help_articles')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('section_id', 'integer', (c) => c.notNull().references('help_sections.id'))
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('view_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('helpful_yes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('helpful_no', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deflection_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('help_articles_section').on('help_articles').columns(['section_id', 'state']).execute();
  await db.schema.createIndex('help_articles_popular').on('help_articles').columns(['state', 'view_count']).execute();
  await db.schema.createTable('help_article_texts')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('help_article_texts_locale').on('help_article_texts').columns(['article_id', 'locale']).unique().execute();
  await db.schema.createTable('help_revisions')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('restored_from', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('help_revisions_article').on('help_revisions').columns(['article_id', 'locale']).execute();
  await db.schema.createTable('help_votes')
    .addColumn('article_id', 'integer', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('helpful', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('help_votes_pk', ['article_id', 'voter'])
    .execute();
  await db.schema.createTable('help_deflections')
    .addColumn('article_id', 'integer', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('help_deflections_pk', ['article_id', 'voter'])
    .execute();

  if (isPostgres(db)) {
    await sql`alter table help_article_texts add column search_words tsvector generated always as (
      setweight(to_tsvector('simple', deskbell_search_text(title)), 'A')
      || setweight(to_tsvector('simple', deskbell_search_text(body_text)), 'B')) stored`.execute(db);
    await sql`create index help_search on help_article_texts using gin (search_words)`.execute(db);
    return;
  }
  await sql`create virtual table help_search using fts5(title, body_text, content='help_article_texts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  for (const trigger of [
    `create trigger help_search_ai after insert on help_article_texts begin
      insert into help_search(rowid, title, body_text) values (new.id, new.title, new.body_text); end`,
    `create trigger help_search_ad after delete on help_article_texts begin
      insert into help_search(help_search, rowid, title, body_text) values ('delete', old.id, old.title, old.body_text); end`,
    `create trigger help_search_au after update of title, body_text on help_article_texts begin
      insert into help_search(help_search, rowid, title, body_text) values ('delete', old.id, old.title, old.body_text);
      insert into help_search(rowid, title, body_text) values (new.id, new.title, new.body_text); end`,
  ]) await sql.raw(trigger).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    for (const name of ['help_search_ai', 'help_search_ad', 'help_search_au']) await sql`drop trigger ${sql.id(name)}`.execute(db);
    await sql`drop table help_search`.execute(db);
  }
  for (const table of ['help_deflections', 'help_votes', 'help_revisions', 'help_article_texts', 'help_articles', 'help_sections', 'help_categories']) {
    await db.schema.dropTable(table).execute();
  }
}
