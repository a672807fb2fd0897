import type { Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. Saved views of the agent list (a name and the list's own query string), personal
// or shared; and the one list filter that had no index of its own yet (priority).
export async function up(db: Kysely<any>): Promise<void> {
  const now = nowText(db);
  await db.schema.createTable('saved_views')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('saved_views_owner').on('saved_views').columns(['owner_id', 'name']).execute();
  await db.schema.createIndex('saved_views_shared').on('saved_views').columns(['shared', 'name']).execute();
  await db.schema.createIndex('tickets_priority_activity_level').on('tickets')
    .columns(['priority', 'last_activity_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_priority_activity_level').execute();
  await db.schema.dropTable('saved_views').execute();
}
