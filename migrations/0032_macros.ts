import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Macros (issue 20, point 1): canned responses an agent applies in a ticket's compose
// box. A macro is personal (shared = 0: its owner's alone) or shared by a supervisor or an admin
// (shared = 1), then optionally only for one group's members (group_id; the macro goes with the
// group). `kind` is the message kind it writes (reply, update, note); `actions` is JSON (status,
// priority, type, group, assignee, tags to add and remove), checked by the app when saved and again
// when applied. usage_count and last_used_at count sends. Plain text and integers on both databases.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('macros')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('reply'))
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('group_id', 'integer', (c) => c.references('groups.id').onDelete('cascade'))
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('macros_owner').on('macros').columns(['owner_id']).execute();
  await db.schema.createIndex('macros_shared').on('macros').columns(['shared', 'group_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('macros').execute();
}
