import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. A macro's files (issue 20, point 1: "optional attachments"). Each row names a file
// in the uploads directory by its own random storage key, as `attachments` does; a message the macro
// is sent with gets copies under new keys (hard links), so removing the macro's file never touches a
// message's and the other way round. The rows go with their macro (on delete cascade); the app
// removes the files after the commit, and the upload clean-up counts these keys as referenced.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('macro_attachments')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('macro_id', 'integer', (c) => c.notNull().references('macros.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('macro_attachments_macro').on('macro_attachments').columns(['macro_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('macro_attachments').execute();
}
