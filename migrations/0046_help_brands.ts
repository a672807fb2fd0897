import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. The help center per brand and its images (issue 23, points 1 and 2).
// - brands.host: the host name a brand's help center answers on (`help.acme.example`, lower case;
//   null: none of its own, the default brand's help center answers every other host).
// - help_categories.brand_id, help_articles.brand_id: the brand whose help center shows them; null
//   for every brand's. An article shows where both its category and itself allow it.
// - help_article_images: an article's uploaded images, as macro_attachments holds a macro's files:
//   each names its file in the uploads directory by its own storage key; they go with their article.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('brands').addColumn('host', 'text').execute();
  await db.schema.createIndex('brands_host').on('brands').column('host').unique().execute();
  await db.schema.alterTable('help_categories').addColumn('brand_id', 'integer', (c) => c.references('brands.id')).execute();
  await db.schema.alterTable('help_articles').addColumn('brand_id', 'integer', (c) => c.references('brands.id')).execute();
  await db.schema.createIndex('help_articles_brand').on('help_articles').columns(['brand_id']).execute();
  await db.schema.createTable('help_article_images')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('article_id', 'integer', (c) => c.notNull().references('help_articles.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('help_article_images_article').on('help_article_images').columns(['article_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('help_article_images').execute();
  await db.schema.dropIndex('help_articles_brand').execute();
  await db.schema.alterTable('help_articles').dropColumn('brand_id').execute();
  await db.schema.alterTable('help_categories').dropColumn('brand_id').execute();
  await db.schema.dropIndex('brands_host').execute();
  await db.schema.alterTable('brands').dropColumn('host').execute();
}
