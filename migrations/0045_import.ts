import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Import from other help desks (issue 22, point 4): what each row of an export
// became here. One row per (source, kind, original id), unique, so a second run of the same export
// finds what the first made and creates nothing twice. `local_id` names the person, organisation,
// ticket, message or attachment made from it; `external_id` keeps the original id as text (Zendesk's
// are numbers, a CSV's may be anything).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('import_records')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_records_source_id').on('import_records').columns(['source', 'kind', 'external_id']).unique().execute();
  await db.schema.createIndex('import_records_local').on('import_records').columns(['kind', 'local_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_records').execute();
}
