import { sql, type Kysely } from 'kysely';

// Frozen in time. The dashboard's 30-day figures read tickets by when they were solved and first
// answered (with created_at in the index, so a duration needs no table lookup), and ratings by when
// they were given. These are partial on "is not null": an unanswered ticket is never in them, so the
// planner cannot pick them for the oldest-unanswered list, which has its own partial index and is
// read from its oldest end without walking past answered or finished tickets.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index tickets_solved on tickets (solved_at, created_at) where solved_at is not null`.execute(db);
  await sql`create index tickets_first_response on tickets (first_response_at, created_at)
    where first_response_at is not null`.execute(db);
  await db.schema.createIndex('ratings_created').on('ratings').columns(['created_at', 'ticket_id']).execute();
  await sql`create index tickets_unanswered on tickets (created_at, id)
    where first_response_at is null and solved_at is null and closed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['tickets_unanswered', 'ratings_created', 'tickets_first_response', 'tickets_solved']) {
    await db.schema.dropIndex(name).execute();
  }
}
