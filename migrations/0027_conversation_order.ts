import type { Kysely } from 'kysely';

// Frozen in time. Issue 19: an agent's ticket page shows the whole conversation in one stream, in the
// order they chose on their profile: `oldest` first (the reply box under it) or `newest` first (the
// reply box above it). Plain text with a default, so the same statement serves SQLite and PostgreSQL.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users')
    .addColumn('conversation_order', 'text', (c) => c.notNull().defaultTo('oldest'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('conversation_order').execute();
}
