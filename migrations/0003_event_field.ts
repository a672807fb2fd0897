import type { Kysely } from 'kysely';

// Frozen in time. A history event of a custom field keeps the field's label as it was then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ticket_events').addColumn('field', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ticket_events').dropColumn('field').execute();
}
