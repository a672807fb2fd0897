import type { Kysely } from 'kysely';

// Frozen in time. The portal's organisation view and its tab counts filter one organisation's
// tickets by status category and visibility, as My tickets does one requester's (0022). With
// (organization_id, last_activity_at, id) alone the open tab's count read every ticket of the
// organisation to find its open ones: 5,938 rows for 172 at 100k tickets (Acme), ten times that at 1M.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tickets_organization_status_activity').ifNotExists().on('tickets')
    .columns(['organization_id', 'status_id', 'visibility', 'last_activity_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_organization_status_activity').ifExists().execute();
}
