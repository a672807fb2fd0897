import type { Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. One row per ticket mail we send, per recipient: the thread each person has seen
// (In-Reply-To / References chain from it), the Message-IDs inbound replies point back at, and the
// count the hourly caps on automatic mail are checked against.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('mail_log')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('message_ref', 'integer', (c) => c.references('messages.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('automatic', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(nowText(db)))
    .execute();
  await db.schema.createIndex('mail_log_ticket').on('mail_log').columns(['ticket_id', 'recipient', 'id']).execute();
  await db.schema.createIndex('mail_log_recipient').on('mail_log').columns(['recipient', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_log').execute();
}
