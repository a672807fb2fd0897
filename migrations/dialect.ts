import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely, type RawBuilder } from 'kysely';

// The few things the migrations write differently on PostgreSQL. Like the migrations, this file
// never imports application code, and what it produces on SQLite never changes: a SQLite desk's
// schema is exactly what it was before PostgreSQL was supported (test/db/schema-drift.test.ts).

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * The current time as ISO-8601 text with milliseconds and `Z` (`2026-01-31T09:05:00.123Z`), the one
 * format every time column holds on both databases (what JavaScript's toISOString() writes).
 */
export function nowText(db: Kysely<any>): RawBuilder<string> {
  return isPostgres(db)
    ? sql`(to_char(statement_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`
    : sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;
}

/**
 * An integer key the database numbers: SQLite's AUTOINCREMENT (never reuses an id), an identity
 * column on PostgreSQL (`by default`, so that a copy of a desk can keep its ids).
 */
export function serialKey(db: Kysely<any>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return isPostgres(db)
    ? (c) => c.primaryKey().generatedByDefaultAsIdentity()
    : (c) => c.primaryKey().autoIncrement();
}

/**
 * SQLite's built-in `nocase` collation (equal up to case), on PostgreSQL as an ICU collation of the
 * same name that ignores case: so `collate nocase` in a column, an index or a query means the same
 * on both, and unique names and addresses stay unique whatever their case. (Nondeterministic
 * collations cannot be used with LIKE before PostgreSQL 18: match with lower() there.)
 */
export async function createNocaseCollation(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create collation if not exists nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`.execute(db);
}
