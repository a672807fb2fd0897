import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Links between tickets (issue 20): one row says "ticket_id <kind> other_id".
// Kinds: `merged` (ticket_id was merged into other_id: mail and the portal follow it), `split`
// (ticket_id was split from other_id), `related`, `duplicate` (ticket_id is a duplicate of other_id)
// and `parent` (ticket_id is the parent of other_id). A pair holds a kind once. Both tickets' pages
// read their links, hence an index on each side; the mail-in path looks up `merged` by ticket_id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('ticket_links')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('other_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ticket_links_pair_kind', ['ticket_id', 'other_id', 'kind'])
    .execute();
  await db.schema.createIndex('ticket_links_other').on('ticket_links').columns(['other_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_links').execute();
}
