import type { Kysely } from 'kysely';

// Frozen in time. Signatures (issue 20, point 5): a staff member's Markdown signature for their public
// replies (users.signature, '' = none), with an override per brand (signatures: one row per person
// and brand, only where it differs), and each brand's footer for its outgoing ticket mail
// (brands.mail_footer, Markdown, '' = none). Plain text with defaults, the same on SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('signature', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('brands').addColumn('mail_footer', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.createTable('signatures')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('brand_id', 'integer', (c) => c.notNull().references('brands.id').onDelete('cascade'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signatures_pk', ['user_id', 'brand_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('signatures').execute();
  await db.schema.alterTable('brands').dropColumn('mail_footer').execute();
  await db.schema.alterTable('users').dropColumn('signature').execute();
}
