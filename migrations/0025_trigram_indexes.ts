import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

// Frozen in time. PostgreSQL only: the admin's people and organisation lists (and the audit log's
// person filter) match any part of a name or address, `lower(name) like '%term%'`, which no b-tree
// can serve: on a desk with hundreds of thousands of customers that read every row. A trigram GIN
// index (pg_trgm) serves such a LIKE. pg_trgm ships with PostgreSQL and is a trusted extension (a
// database owner may create it); where it is missing or not allowed, the desk works as before,
// scanning, and the migration says so rather than failing the upgrade. SQLite: nothing (its LIKE
// reads the table there too, fast enough for one machine's desks).
const INDEXES = [
  ['users_name_trgm', 'users', 'lower(name)'],
  ['users_email_trgm', 'users', 'lower(email)'],
  ['organizations_name_trgm', 'organizations', 'lower(name)'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  const { rows } = await sql<{ available: number; allowed: number }>`
    select exists (select 1 from pg_available_extensions where name = 'pg_trgm') as available,
           has_database_privilege(current_database(), 'CREATE') as allowed`.execute(db);
  const { available, allowed } = rows[0]!;
  // Booleans read as 1 or 0 (db/postgres.ts). The migrations open no application code, so no logger: a line on stderr, once.
  if (!available || !allowed) {
    console.warn(`deskbell: pg_trgm ${available ? 'may not be created by this database user' : 'is not installed'}: name and address search reads every row (docs/scaling.md shows how to add the indexes later)`);
    return;
  }
  await sql`create extension if not exists pg_trgm`.execute(db);
  for (const [name, table, expression] of INDEXES) {
    await sql`create index if not exists ${sql.id(name)} on ${sql.id(table)} using gin ((${sql.raw(expression)}) gin_trgm_ops)`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const [name] of INDEXES) await sql`drop index if exists ${sql.id(name)}`.execute(db);
}
