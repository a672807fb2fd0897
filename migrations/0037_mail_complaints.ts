import type { Kysely } from 'kysely';

// Frozen in time. Complaints (issue 25, point 2): an address whose mailbox provider sent us an abuse
// report (ARF) about our mail. No automatic mail goes to it any more (the outbox leaves it out).
// Addresses are stored lower-case; the same on SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('mail_complaints')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('feedback_type', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_complaints').execute();
}
