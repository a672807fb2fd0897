import { sql, type Kysely } from 'kysely';

// Frozen in time. The dashboard's 30-day figures read tickets by when they were solved and first
// answered, and ratings by when they were given: range scans need these. The oldest unanswered
// tickets come from a partial index, so the scan never walks past the answered and finished ones.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('tickets_solved').on('tickets').columns(['solved_at', 'id']).execute();
  await db.schema.createIndex('tickets_first_response').on('tickets').columns(['first_response_at', 'id']).execute();
  await db.schema.createIndex('ratings_created').on('ratings').columns(['created_at', 'ticket_id']).execute();
  await sql`create index tickets_unanswered on tickets (created_at, id)
    where first_response_at is null and solved_at is null and closed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['tickets_unanswered', 'ratings_created', 'tickets_first_response', 'tickets_solved']) {
    await db.schema.dropIndex(name).execute();
  }
}
