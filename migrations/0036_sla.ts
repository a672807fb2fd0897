import type { Kysely } from 'kysely';
import { nowText, serialKey } from './dialect.js';

// Frozen in time. Business hours and SLA policies (issue 21, points 1 and 2).
// - sla_calendars: a time zone, weekly hours (JSON: seven lists of [start, end] minutes, Sunday
//   first) and holidays (JSON: [{ date, yearly, name }]); one is the desk's default.
// - sla_policies: ordered (position), first match wins; conditions as JSON; three targets in minutes
//   (null = none), each in business or calendar hours; which calendar (null = the default).
// - ticket_slas / ticket_sla_targets: a ticket's record, copied from the policy when its clock
//   started (targets and a snapshot of the calendar), so editing a policy leaves it alone.
//   `next_due_at` is the earliest due time of a running target, for the list's sort and views.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('sla_calendars')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('week', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The desk's default: Monday to Friday, 09:00–17:00 UTC, until an admin says otherwise.
  const weekdays = [[[540, 1020]]];
  const week = JSON.stringify([[], ...Array(5).fill(weekdays[0]), []]);
  await db.insertInto('sla_calendars').values({ name: 'Business hours', time_zone: 'UTC', week, holidays: '[]', is_default: 1, updated_at: nowText(db) }).execute();
  await db.schema.createTable('sla_policies')
    .addColumn('id', 'integer', serialKey(db))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('first_reply_minutes', 'integer')
    .addColumn('first_reply_business', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('next_reply_minutes', 'integer')
    .addColumn('next_reply_business', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('resolution_minutes', 'integer')
    .addColumn('resolution_business', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('calendar_id', 'integer', (c) => c.references('sla_calendars.id').onDelete('set null'))
    .addColumn('pause_on_hold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warn_minutes', 'integer', (c) => c.notNull().defaultTo(60))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('ticket_slas')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('policy_id', 'integer')
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('calendar', 'text', (c) => c.notNull())
    .addColumn('pause_on_hold', 'integer', (c) => c.notNull())
    .addColumn('warn_minutes', 'integer', (c) => c.notNull())
    .addColumn('paused_since', 'text')
    .addColumn('next_due_at', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_slas_next_due').on('ticket_slas').columns(['next_due_at', 'ticket_id']).execute();
  await db.schema.createTable('ticket_sla_targets')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('business', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('paused_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'text')
    .addColumn('fulfilled_at', 'text')
    .addColumn('breached_at', 'text')
    .addColumn('warned_at', 'text')
    .addPrimaryKeyConstraint('ticket_sla_targets_pk', ['ticket_id', 'target'])
    .execute();
  await db.schema.createIndex('ticket_sla_targets_due').on('ticket_sla_targets').columns(['state', 'due_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_sla_targets').execute();
  await db.schema.dropTable('ticket_slas').execute();
  await db.schema.dropTable('sla_policies').execute();
  await db.schema.dropTable('sla_calendars').execute();
}
