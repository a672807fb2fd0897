import { sql, type Kysely } from 'kysely';

// Frozen in time. Indexes for the agent list's sorts and views.
export async function up(db: Kysely<any>): Promise<void> {
  // Sorting by priority pages on (rank, last activity, id); the expression must match the query's exactly.
  await sql`create index tickets_priority_activity on tickets (
    (case priority when 'urgent' then 4 when 'high' then 3 when 'normal' then 2 else 1 end), last_activity_at, id)`.execute(db);
  // "My open tickets" and group queues filter by person/group and status together.
  await db.schema.createIndex('tickets_assignee_status_activity').on('tickets')
    .columns(['assignee_id', 'status_id', 'last_activity_at', 'id']).execute();
  await db.schema.createIndex('tickets_group_status_activity').on('tickets')
    .columns(['group_id', 'status_id', 'last_activity_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['tickets_priority_activity', 'tickets_assignee_status_activity', 'tickets_group_status_activity']) {
    await db.schema.dropIndex(name).execute();
  }
}
