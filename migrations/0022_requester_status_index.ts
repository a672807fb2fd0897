import type { Kysely } from 'kysely';

// Frozen in time. My tickets (portal) and its tab counts filter one requester's tickets by status
// category and visibility; (requester_id, last_activity_at, id) alone made SQLite read every ticket of
// the requester (~1,300 for a busy customer at 1M tickets: open-tab count 4.0 -> 0.03 ms).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tickets_requester_status_activity').ifNotExists().on('tickets')
    .columns(['requester_id', 'status_id', 'visibility', 'last_activity_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_requester_status_activity').ifExists().execute();
}
