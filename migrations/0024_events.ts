import { type Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. The event stream (issue 17): every change to a ticket leaves one domain event,
// written by the kernel in the change's own transaction; the job worker hands events, in id order,
// to each consumer, which keeps its own durable position. No foreign keys: an event outlives the
// ticket or person it names (a consumer may still be behind when a ticket is deleted).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('events')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer')
    .addColumn('actor_id', 'integer')
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_ticket').on('events').columns(['ticket_id', 'id']).execute();
  await db.schema.createTable('consumer_positions')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('last_event_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consumer_positions').execute();
  await db.schema.dropTable('events').execute();
}
