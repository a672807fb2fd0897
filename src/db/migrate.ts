import { Migrator, type MigrationResultSet, type Migration } from 'kysely';
import { migrations as shipped } from '../../migrations/index.js';
import type { Db } from './connect.js';

const migrator = (db: Db, migrations: Record<string, Migration>, disableTransactions = false) =>
  new Migrator({ db, provider: { getMigrations: async () => migrations }, disableTransactions });

/** Names of the migrations not yet applied, and whether any were applied before (an existing desk). */
export async function migrationState(db: Db, migrations: Record<string, Migration> = shipped): Promise<{ pending: string[]; applied: number }> {
  const all = await migrator(db, migrations).getMigrations();
  return { pending: all.filter((m) => !m.executedAt).map((m) => m.name), applied: all.filter((m) => m.executedAt).length };
}

/**
 * Apply every pending migration in ONE transaction (the dialect declares SQLite's DDL
 * transactional, see connect.ts): a migration that fails leaves the database exactly as it was.
 * `insideTransaction`: the caller already holds one on `db`'s only connection and commits or rolls
 * it back itself (`move-data --dry-run` makes a PostgreSQL schema to look at, then rolls it back).
 */
export async function migrateToLatest(db: Db, migrations: Record<string, Migration> = shipped, insideTransaction = false): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db, migrations, insideTransaction).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
