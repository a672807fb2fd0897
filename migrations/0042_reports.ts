import type { Kysely } from 'kysely';

// Frozen in time. Reports (issue 21, point 5): one row of figures per ticket, kept by the `reports`
// consumer of the event stream and rebuilt by `deskbell reports rebuild`. Days are local dates
// (YYYY-MM-DD) in the site's time zone when the row was written; durations are whole seconds (an
// integer holds years of them on both databases). A binned or deleted ticket has no row.
// - created_day / solved_day / done_day (solved, closed or cancelled) / first_reply_day / rating_day:
//   each report reads one index range of one of them.
// - sla_*: 'met' or 'missed' once a target is decided, null while it runs or where none applied.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('report_facts')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('created_day', 'text', (c) => c.notNull())
    .addColumn('solved_day', 'text')
    .addColumn('done_day', 'text')
    .addColumn('first_reply_day', 'text')
    .addColumn('rating_day', 'text')
    .addColumn('first_reply_seconds', 'integer')
    .addColumn('resolution_seconds', 'integer')
    .addColumn('group_id', 'integer')
    .addColumn('assignee_id', 'integer')
    .addColumn('type_id', 'integer', (c) => c.notNull())
    .addColumn('brand_id', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('rating', 'text')
    .addColumn('sla_first_reply', 'text')
    .addColumn('sla_next_reply', 'text')
    .addColumn('sla_resolution', 'text')
    .execute();
  for (const day of ['created_day', 'solved_day', 'done_day', 'first_reply_day', 'rating_day']) {
    await db.schema.createIndex(`report_facts_${day}`).on('report_facts').columns([day]).execute();
  }
  // An agent's own report: their tickets' backlog before the range without reading everyone's.
  await db.schema.createIndex('report_facts_assignee_created').on('report_facts').columns(['assignee_id', 'created_day']).execute();
  await db.schema.createIndex('report_facts_assignee_done').on('report_facts').columns(['assignee_id', 'done_day']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_facts').execute();
}
