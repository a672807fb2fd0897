import { type Kysely } from 'kysely';

// Frozen in time. Where each person stands in a ticket's messenger: the newest chat line they have
// seen (unread counts start after it) and the newest line a digest mail already told them about
// (a line is never mailed twice).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('chat_marks')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('read_through_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('mailed_through_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('chat_marks_pk', ['ticket_id', 'user_id'])
    .execute();
  // The messenger reads one ticket's chat lines in order.
  await db.schema.createIndex('messages_ticket_kind').on('messages').columns(['ticket_id', 'kind', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_ticket_kind').execute();
  await db.schema.dropTable('chat_marks').execute();
}
