import type { Kysely } from 'kysely';
import { serialKey } from './dialect.js';

// Frozen in time. Free tags on tickets (issue 20): a tag is a name (lower-case, trimmed: the app
// normalises before it writes, so a plain unique index suffices on both databases), and a ticket
// carries tags through `ticket_tags`. The list's `tag=` filter and the `tag:` search term look a
// tag's tickets up by tag first, hence (tag_id, ticket_id); the ticket page reads by the primary key.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('tags')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createTable('ticket_tags')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('ticket_tags_pk', ['ticket_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('ticket_tags_tag_ticket').on('ticket_tags').columns(['tag_id', 'ticket_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_tags').execute();
  await db.schema.dropTable('tags').execute();
}
