import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen in time. Snooze and the recycle bin (issue 20, points 3 and 6), both as columns of the
// ticket: a snoozed ticket has `snoozed_until` (and who snoozed it); one that came back carries
// `snooze_returned_at` until someone looks after it. A deleted ticket or one marked as spam stays
// whole with `binned_at` (and who, and why) until the purge job removes it for good; every scope
// (tickets/scope.ts) leaves binned tickets out. The job's reads are served by partial indexes that
// hold only the few snoozed or binned tickets.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('snoozed_until', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('snoozed_by_id', 'integer').execute();
  await db.schema.alterTable('tickets').addColumn('snooze_returned_at', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('binned_at', 'text').execute();
  await db.schema.alterTable('tickets').addColumn('binned_by_id', 'integer').execute();
  await db.schema.alterTable('tickets').addColumn('binned_reason', 'text').execute();
  await db.schema.createIndex('tickets_snoozed_until').on('tickets').columns(['snoozed_until', 'id'])
    .where(sql.ref('snoozed_until'), 'is not', null).execute();
  await db.schema.createIndex('tickets_binned_at').on('tickets').columns(['binned_at', 'id'])
    .where(sql.ref('binned_at'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tickets_binned_at').execute();
  await db.schema.dropIndex('tickets_snoozed_until').execute();
  for (const column of ['binned_reason', 'binned_by_id', 'binned_at', 'snooze_returned_at', 'snoozed_by_id', 'snoozed_until']) {
    await db.schema.alterTable('tickets').dropColumn(column).execute();
  }
}
