import type { Kysely } from 'kysely';

// Frozen in time. A person's choices of how screens look to them (issue 19: the ticket list's
// columns and the view they land on), as one small JSON object: choices come and go with the
// screens, a column each would mean a migration each. Plain text with a default, the same on
// SQLite and PostgreSQL; unknown or stale entries are ignored when read, never trusted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('ui_prefs', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('ui_prefs').execute();
}
