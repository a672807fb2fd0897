import type { Kysely } from 'kysely';

// Frozen in time. Sign-in for an address is paused after too many failed passwords from anywhere
// (issue 15); the pause is a row of its own so an admin can lift it and the holder is told once.
// Keyed by the address as typed (lower case), whether or not an account has it: a pause must not
// tell who has an account.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('login_locks')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('locked_until', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_locks').execute();
}
