import type { Kysely } from 'kysely';

// Frozen in time. Fleet management: where each round-robin rotation stands (per pool: a group, or
// the whole staff), and an index for the job that expires open ticket offers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('dispatch_cursors')
    .addColumn('pool', 'text', (c) => c.primaryKey())
    .addColumn('last_user_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_members_offer_expiry').on('ticket_members')
    .columns(['offer_state', 'offer_expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ticket_members_offer_expiry').execute();
  await db.schema.dropTable('dispatch_cursors').execute();
}
