import { sql, type Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. The mail channel's inbound side: the addresses mail arrives at (each with its
// brand and group), senders marked as spam, and every inbound Message-ID seen (delivered twice,
// stored once).
export async function up(db: Kysely<any>): Promise<void> {
  const now = nowText(db);
  await db.schema.createTable('support_addresses')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('address', 'text', (c) => c.notNull().modifyEnd(sql`collate nocase`).unique())
    .addColumn('brand_id', 'integer', (c) => c.notNull().references('brands.id').onDelete('cascade'))
    .addColumn('group_id', 'integer', (c) => c.references('groups.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createTable('spam_senders')
    .addColumn('address', 'text', (c) => c.primaryKey().modifyEnd(sql`collate nocase`))
    .addColumn('marked_by_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createTable('inbound_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.references('tickets.id').onDelete('set null'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('inbound_messages_sender').on('inbound_messages').columns(['sender', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['inbound_messages', 'spam_senders', 'support_addresses']) await db.schema.dropTable(table).execute();
}
