import type { Kysely } from 'kysely';

// Frozen in time. Reports (issue 21, point 5): one row of figures per ticket, kept by the `reports`
// consumer of the event stream and rebuilt by `deskbell reports rebuild`. Days are local dates
// (YYYY-MM-DD) in the site's time zone when the row was written; durations are whole seconds (an
// integer holds years of them on both databases). A binned or deleted ticket has no row.
// - created_day / solved_day / done_day (solved, closed or cancelled) / first_reply_day / rating_day:
//   each report reads one range of an index that starts with one of them and holds what it needs.
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
  // Each report reads one range of one of these, and finds what it needs in the index itself
  // (the breakdown's keys, the duration or outcome), without visiting the table.
  const KEYS = ['group_id', 'assignee_id', 'type_id', 'brand_id', 'channel'];
  const index = (name: string, columns: string[]) => db.schema.createIndex(`report_facts_${name}`).on('report_facts').columns(columns).execute();
  await index('created', ['created_day', ...KEYS, 'sla_first_reply', 'sla_next_reply', 'sla_resolution']);
  await index('first_reply', ['first_reply_day', 'first_reply_seconds', ...KEYS]);
  await index('solved', ['solved_day', 'resolution_seconds', ...KEYS]);
  await index('rating', ['rating_day', 'rating', ...KEYS]);
  // The backlog when the range starts: tickets open then are those not done at all or done since,
  // both short ranges of this index (rather than counting every ticket created before).
  await index('done', ['done_day', 'created_day']);
  // An agent's own report.
  await index('assignee_created', ['assignee_id', 'created_day']);
  await index('assignee_done', ['assignee_id', 'done_day', 'created_day']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_facts').execute();
}
